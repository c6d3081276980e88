/**
 * Proof by an SMS code against DynamoDB Local with the real adapters: the codes store (the send
 * limits in one transaction, one pending code a follower kept as its hash, consumed once even when
 * two messages race), and the whole course — the platform's registry with a phone, the code asked
 * for and handed to the `driver-codes` job, the job's consumer (sendCodeJob) sending it through
 * deliverSms (the registered phone's sealed number, the per-number cap, the person's ledger, the
 * month's budget) to a gateway exactly once even when SQS delivers the job twice, the follower's
 * answer verifying the ownership notices read; a send the phone's cap or a spent budget blocks
 * withdraws the code and tells the follower.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoRegisteredPhones, DynamoSmsCodes } from '../../functions/adapters/dynamodb/drivers.ts';
import { type CodeJobDeps, codeSmsSender, sendCodeJob } from '../../functions/core/drivers/code-sends.ts';
import { driverDesk } from '../../functions/core/drivers/desk.ts';
import { ingestEvents } from '../../functions/core/drivers/ingest.ts';
import { CODE_INTERVAL_MS, codeHash } from '../../functions/core/drivers/sms-code.ts';
import { vehicleKey } from '../../functions/core/drivers/subjects.ts';
import { phoneId } from '../../functions/core/sms/numbers.ts';
import type { OutboundSms, SmsGateway } from '../../functions/core/sms/ports.ts';
import { fixedClock } from '../../functions/core/time.ts';
import type { DriverCodeJob } from '../../schemas/drivers.ts';
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

describe('a code through the driver-codes job and the SMS delivery path', () => {
  const sent: OutboundSms[] = [];
  const gateway: SmsGateway = {
    provider: 'tencent',
    send: async (m) => {
      sent.push(m);
      return { status: 'sent', messageId: `m-${sent.length}` };
    },
  };
  const told: Array<{ openid: string; key: string; text: string }> = [];
  const metrics: string[] = [];
  /** send-driver-code's use case over the real stores; the budget as given. */
  function consumer(budgetFen = 100_000) {
    const smsDeps = {
      ...deliverDeps(sms, gateway, morning, { budgetFen }),
      registeredPhones: new DynamoRegisteredPhones(db.doc, db.tables.drivers),
    };
    const deps: CodeJobDeps = {
      codes,
      sender: codeSmsSender(smsDeps),
      followers: { tell: async (f, key, text) => void told.push({ openid: f.openid, key, text }) },
      clock: morning,
      log: () => {},
      metric: (name) => void metrics.push(name),
    };
    return { deps, smsDeps };
  }
  /** The webhook's side: the desk with the codes and the queue the jobs wait on. */
  function webhook() {
    const queued: DriverCodeJob[] = [];
    const deps = {
      ...deskDepsOf(db, morning),
      settings: { ...deskDepsOf(db, morning).settings, smsCode: { enabled: true, minutes: 10, perDay: 3 } },
      sms: { codes, jobs: { send: async (job: DriverCodeJob) => void queued.push(job) } },
    };
    return { desk: driverDesk(deps), queued };
  }

  it('goes to the registered phone within the caps and the budget, once however often the job is delivered, and proves ownership once', async () => {
    const plate = '京A20010';
    const phone = '+8613800138010';
    await ingestEvents(
      [event.vehicle('sms-veh-1', plate, 'A20010', { phone: '13800138010' })],
      ingestDepsOf(db, new CapturedDeliveries(), morning),
    );
    const { desk, queued } = webhook();
    const { deps, smsDeps } = consumer();
    const alice = follower('o-sms-alice');
    const before = (await sms.budget.spent('2026-11')).spentFen;

    expect(await desk.requestCode(alice, 'dev', { kind: 'plate', plate, bound: [plate] })).toContain(
      '验证码正在发送至车辆 京A20010 登记的尾号8010的手机，10分钟内有效',
    );
    expect(sent).toHaveLength(0);
    expect(queued).toHaveLength(1);
    const job = queued[0]!;
    // SQS delivers at least once: the same job twice, even at once, sends one SMS.
    const outcomes = await Promise.all([sendCodeJob(job, deps), sendCodeJob(job, deps)]);
    expect(outcomes.sort()).toEqual(['duplicate', 'sent']);
    expect(await sendCodeJob(job, deps)).toBe('duplicate');
    // Delivered again once the SMS path's day has changed (a job redelivered across midnight, its
    // code still valid): a new day's ledger and number cap would let it through; the code's claim holds it.
    const nextDay = codeSmsSender({ ...smsDeps, clock: fixedClock('2026-11-17T02:00:00Z') });
    expect(await sendCodeJob(job, { ...deps, sender: nextDay })).toBe('duplicate');
    expect(sent).toHaveLength(1);
    const message = sent[0]!;
    expect(message.phone).toBe(phone);
    expect(message.message.kind).toBe('driver-code');
    const code = /验证码(\d{6})，/.exec(message.message.text)?.[1];
    expect(code).toBe(job.values.code);
    expect(message.message.text).toContain(`车辆${plate}的车主身份，10分钟内有效`);
    expect(message.reference).toBe(job.pushKey);
    // The phone's caps and the budget were taken like any SMS's, once.
    const id = phoneId(smsPepper, phone);
    expect(await sms.numberCap.sentOn(id, day)).toBe(1);
    expect((await sms.budget.spent('2026-11')).spentFen - before).toBe(4);
    // Nothing personal in the log lines: the number masked, no code.
    expect(JSON.stringify(smsDeps.logs)).not.toMatch(new RegExp(`${code}|13800138010|${plate}`));
    expect(told).toEqual([]);

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

    // Another follower the same day: the phone's daily cap (1 here) holds it; the code is withdrawn
    // and the follower told so in WeChat.
    const bob = follower('o-sms-bob');
    await desk.requestCode(bob, 'dev', { kind: 'plate', plate, bound: [plate] });
    expect(await codes.pending(bob)).toBeDefined();
    expect(await sendCodeJob(queued[1]!, deps)).toBe('capped');
    expect(sent).toHaveLength(1);
    expect(await codes.pending(bob)).toBeUndefined();
    expect(told).toEqual([
      {
        openid: 'o-sms-bob',
        key: `${queued[1]!.pushKey}#blocked`,
        text: expect.stringContaining('今天发送到该手机的短信已达上限，刚才的验证码已作废'),
      },
    ]);
    // Delivered again: the code is gone, nothing is sent or told twice.
    expect(await sendCodeJob(queued[1]!, deps)).toBe('withdrawn');
    expect(told).toHaveLength(1);
  });

  it('withdraws the code when the month’s budget is spent, and the follower is told so', async () => {
    const plate = '京A20011';
    await ingestEvents(
      [event.vehicle('sms-veh-2', plate, 'A20011', { phone: '13800138011' })],
      ingestDepsOf(db, new CapturedDeliveries(), morning),
    );
    const { desk, queued } = webhook();
    const { deps } = consumer(1);
    const carol = follower('o-sms-carol');
    const count = sent.length;
    await desk.requestCode(carol, 'dev', { kind: 'plate', plate, bound: [plate] });
    expect(await sendCodeJob(queued[0]!, deps)).toBe('budget');
    expect(sent).toHaveLength(count);
    expect(await codes.pending(carol)).toBeUndefined();
    expect(told.at(-1)).toEqual({
      openid: 'o-sms-carol',
      key: `${queued[0]!.pushKey}#blocked`,
      text: `验证码未能发送：本月短信验证额度已用完，刚才的验证码已作废。请发送“验证 ${plate} 车架号后6位”（车架号见行驶证）验证。`,
    });
    // The budget gave the ledger its reservation back; a redelivery still sends nothing (withdrawn).
    expect(await sendCodeJob(queued[0]!, consumer().deps)).toBe('withdrawn');
    expect(sent).toHaveLength(count);
  });
});
