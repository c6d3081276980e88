/**
 * Proof by an SMS code against DynamoDB Local with the real adapters: the codes store (the send
 * limits in one transaction, one pending code a follower kept as its hash, consumed once even when
 * two messages race), and the whole course — the platform's registry with a phone, a code through
 * deliverSms (the registered phone's sealed number, the per-number cap, the person's ledger, the
 * month's budget) to a gateway, the follower's answer verifying the ownership notices read.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoRegisteredPhones, DynamoSmsCodes } from '../../functions/adapters/dynamodb/drivers.ts';
import { driverDesk } from '../../functions/core/drivers/desk.ts';
import { ingestEvents } from '../../functions/core/drivers/ingest.ts';
import { CODE_INTERVAL_MS, codeHash, codeSmsSender } from '../../functions/core/drivers/sms-code.ts';
import { vehicleKey } from '../../functions/core/drivers/subjects.ts';
import { phoneId } from '../../functions/core/sms/numbers.ts';
import type { OutboundSms, SmsGateway } from '../../functions/core/sms/ports.ts';
import { fixedClock } from '../../functions/core/time.ts';
import {
  CapturedDeliveries,
  type DriverTables,
  deskDepsOf,
  driverTables,
  event,
  ingestDepsOf,
  pepper,
  smsPepper,
} from '../fixtures/drivers.ts';
import { deliverDeps, type SmsTables, smsTables } from '../fixtures/sms.ts';

const morning = fixedClock('2026-11-16T02:00:00Z'); // Monday 10:00 in Shanghai
const day = '2026-11-16';
const t0 = Date.parse('2026-11-16T02:00:00Z');
let db: DriverTables;
let sms: SmsTables;
let codes: DynamoSmsCodes;
beforeAll(async () => {
  const endpoint = inject('dynamodbEndpoint');
  db = await driverTables(endpoint);
  sms = await smsTables(endpoint, 'drvsms');
  codes = new DynamoSmsCodes(db.doc, db.tables.drivers);
});

const limits = { intervalMs: CODE_INTERVAL_MS, perDay: 3 };
const follower = (id: string) => ({ channel: 'wechat' as const, id });

describe('the codes store', () => {
  it('counts sends in one transaction: one a minute a follower, perDay a day a follower and a subject', async () => {
    const subject = vehicleKey(pepper, '京A20001');
    const a = follower('o-codes-a');
    expect(await codes.take(a, subject, day, t0, limits)).toBe('ok');
    expect(await codes.take(a, subject, day, t0 + 59_999, limits)).toBe('too-soon');
    expect(await codes.take(a, subject, day, t0 + 60_000, limits)).toBe('ok');
    expect(await codes.take(a, subject, day, t0 + 120_000, limits)).toBe('ok');
    expect(await codes.take(a, subject, day, t0 + 180_000, limits)).toBe('daily-limit');
    // A refused send counted nothing: the interval did not move either.
    expect(await codes.take(a, vehicleKey(pepper, '京A20002'), day, t0 + 180_000, limits)).toBe(
      'daily-limit',
    );
    // The subject's day is spent for everyone; another subject is not.
    const b = follower('o-codes-b');
    expect(await codes.take(b, subject, day, t0, limits)).toBe('daily-limit');
    expect(await codes.take(b, vehicleKey(pepper, '京A20002'), day, t0, limits)).toBe('ok');
    // The next day (Asia/Shanghai) again.
    expect(await codes.take(a, subject, '2026-11-17', t0 + 86_400_000, limits)).toBe('ok');
  });

  it('keeps one pending code a follower, as its hash, consumed once even when two answers race', async () => {
    const a = follower('o-codes-c');
    const subject = vehicleKey(pepper, '京A20003');
    const first = codeHash(pepper, a, subject, '111111');
    await codes.put(a, { subject, display: '京A20003', hash: first, expiresAtMs: t0 + 600_000 });
    const second = codeHash(pepper, a, subject, '222222');
    await codes.put(a, { subject, display: '京A20003', hash: second, expiresAtMs: t0 + 600_000 });
    expect(await codes.pending(a)).toEqual({
      subject,
      display: '京A20003',
      hash: second,
      expiresAtMs: t0 + 600_000,
    });
    const stored = (await db.items()).filter((i) => i.pk === `DFOLLOW#wechat#o-codes-c` && i.sk === 'CODE');
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toMatch(/111111|222222/);
    expect(stored[0]!.expiresAt).toEqual(expect.any(Number));

    expect(await codes.consume(a, first)).toBe(false);
    const raced = await Promise.all([codes.consume(a, second), codes.consume(a, second)]);
    expect(raced.sort()).toEqual([false, true]);
    expect(await codes.pending(a)).toBeUndefined();
  });
});

describe('a code through the SMS delivery path', () => {
  it('goes to the registered phone within the caps and the budget, and proves ownership once', async () => {
    const plate = '京A20010';
    const phone = '+8613800138010';
    await ingestEvents(
      [event.vehicle('sms-veh-1', plate, 'A20010', { phone: '13800138010' })],
      ingestDepsOf(db, new CapturedDeliveries(), morning),
    );
    const sent: OutboundSms[] = [];
    const gateway: SmsGateway = {
      provider: 'tencent',
      send: async (m) => {
        sent.push(m);
        return { status: 'sent', messageId: `m-${sent.length}` };
      },
    };
    const smsDeps = {
      ...deliverDeps(sms, gateway, morning),
      registeredPhones: new DynamoRegisteredPhones(db.doc, db.tables.drivers),
    };
    const deps = {
      ...deskDepsOf(db, morning),
      settings: { ...deskDepsOf(db, morning).settings, smsCode: { enabled: true, minutes: 10, perDay: 3 } },
      sms: { codes, sender: codeSmsSender(smsDeps) },
    };
    const desk = driverDesk(deps);
    const alice = follower('o-sms-alice');
    const before = (await sms.budget.spent('2026-11')).spentFen;

    expect(await desk.requestCode(alice, { kind: 'plate', plate, bound: [plate] })).toContain(
      '登记的尾号8010的手机，10分钟内有效',
    );
    expect(sent).toHaveLength(1);
    const message = sent[0]!;
    expect(message.phone).toBe(phone);
    expect(message.message.kind).toBe('driver-code');
    const code = /验证码(\d{6})，/.exec(message.message.text)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    expect(message.message.text).toContain(`车辆${plate}的车主身份，10分钟内有效`);
    expect(message.reference).toMatch(/^driver-code#[0-9a-f]{24}$/);
    // The phone's caps and the budget were taken like any SMS's.
    const id = phoneId(smsPepper, phone);
    expect(await sms.numberCap.sentOn(id, day)).toBe(1);
    expect((await sms.budget.spent('2026-11')).spentFen - before).toBe(4);
    // Nothing personal in the log lines: the number masked, no code.
    expect(JSON.stringify(smsDeps.logs)).not.toMatch(new RegExp(`${code}|13800138010|${plate}`));

    expect(await desk.confirmCode(alice, 'dev', { code: code!, bound: [plate] })).toContain('验证成功');
    const holders = (await db.records.holders([vehicleKey(pepper, plate)])).get(
      vehicleKey(pepper, plate).key,
    );
    expect(holders?.owners).toEqual([
      expect.objectContaining({ channel: 'wechat', id: 'o-sms-alice', method: 'sms-code' }),
    ]);
    expect(await desk.confirmCode(alice, 'dev', { code: code!, bound: [plate] })).toContain(
      '没有待使用的验证码',
    );

    // Another follower the same day: the phone's daily cap (1 here) holds it, truthfully, and no code waits.
    const bob = follower('o-sms-bob');
    expect(await desk.requestCode(bob, { kind: 'plate', plate, bound: [plate] })).toContain(
      '今天发送到该手机的短信已达上限',
    );
    expect(sent).toHaveLength(1);
    expect(await codes.pending(bob)).toBeUndefined();
  });
});
