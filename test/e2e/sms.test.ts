/**
 * SMS end to end on the local stack (real blueprint, DynamoDB Local, the sandbox gateways behind the
 * real SDKs): a citizen binds a plate and receives the restriction reminder through the push pipeline; the receipt updates the delivery
 * record; their TD opts the number out; the next push to it is suppressed with reason opted-out;
 * the month's spend is visible to an operator.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { DEV_SMS_DEFAULTS } from '../../functions/adapters/sms/settings.ts';
import { SnsSmsGateway } from '../../functions/adapters/sms/sns.ts';
import { TencentSmsGateway } from '../../functions/adapters/sms/tencent.ts';
import { PhoneVault } from '../../functions/adapters/sms/vault.ts';
import { deliverSms } from '../../functions/core/delivery/sms.ts';
import { bookOf, restrictionOn } from '../../functions/core/restrictions/engine.ts';
import { renderSms, restrictionReminderValues } from '../../functions/core/sms/messages.ts';
import { phoneId } from '../../functions/core/sms/numbers.ts';
import { fixedClock } from '../../functions/core/time.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { type Callback, receiptCallback, replyCallback } from '../../lib/local/sms-user.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { shippedRestrictionData } from '../../schemas/data/index.ts';
import smsTemplates from '../../schemas/data/sms-templates.json' with { type: 'json' };
import { SmsCatalogueSchema } from '../../schemas/sms.ts';
import { sayOnWeChat } from '../fixtures/follower.ts';
import { deliverDeps, type SmsTables, smsTables } from '../fixtures/sms.ts';

const bp = defineBlueprint({ ...blueprintInput, service: `smse-${Date.now().toString(36)}` });
process.env.STAGE = 'local';
// The functions' clock at 10:00 Shanghai on Monday 2026-11-16 (SMS quiet hours would defer).
process.env.LOCAL_TIME_OFFSET_MS = String(Date.parse('2026-11-16T10:00:00+08:00') - Date.now());
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'sms-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  timeScale: 0.02,
});
const mobile = '13800138000';
const id = phoneId(Buffer.from(DEV_SMS_DEFAULTS.SMS_PEPPER, 'base64'), `+86${mobile}`);
let db: SmsTables;

const call = async (c: Callback) => {
  const res = await fetch(`${stack.endpoint}${c.path}?${c.query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: c.body,
  });
  return { status: res.status, body: await res.json() };
};

beforeAll(async () => {
  await stack.start();
  db = await smsTables(inject('dynamodbEndpoint'), 'smse', bp.service);
});
afterAll(() => stack.stop());

describe('the SMS channel on the local stack', () => {
  it('BD binds; a reminder goes out through the sandbox; its receipt lands; TD opts out; the next push is suppressed', async () => {
    expect(await call(replyCallback('tencent', mobile, 'BD 京A12345'))).toEqual({
      status: 200,
      body: { result: 0, errmsg: 'OK' },
    });
    expect((await db.subscribers.get({ channel: 'sms', id }))?.bindings).toHaveLength(1);

    // The deliver path as the deliver-sms consumer will call it, against the stack's tables and gateway.
    // The stack's sandbox checks the signature with the credentials its functions send with.
    const gateway = new TencentSmsGateway({
      secretId: DEV_SMS_DEFAULTS.SMS_TENCENT_SECRET_ID,
      secretKey: DEV_SMS_DEFAULTS.SMS_TENCENT_SECRET_KEY,
      sdkAppId: '1400000000',
      region: 'ap-guangzhou',
      endpoint: stack.endpoint,
    });
    const deps = {
      ...deliverDeps(db, gateway, fixedClock('2026-11-16T00:30:00Z')),
      vault: new PhoneVault(Buffer.from(DEV_SMS_DEFAULTS.SMS_DATA_KEY, 'base64')),
    };
    const recipient = (pushKey: string) => ({
      subscriberId: id,
      category: 'restriction' as const,
      pushKey,
      runKey: pushKey,
      bundle: `${pushKey}#b0`,
      values: restrictionReminderValues({ date: '2026-11-16', tails: [5, 0] }, ['京A12345']),
    });
    // Monday 2026-11-16 restricts tails 0 and 5 in Beijing: the morning push reaches the number through
    // the pipeline (plan → expand → deliver-sms → the Tencent-shaped sandbox).
    const operator = stack.issueToken('olga', ['operator']);
    const headers = { authorization: `Bearer ${operator}`, 'content-type': 'application/json' };
    const started = await fetch(`${stack.endpoint}/v1/admin/pushes/restriction`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ city: 'beijing', date: '2026-11-16', slot: 'morning', force: true }),
    });
    expect(started.status).toBe(201);
    const runKey = 'restriction#beijing#2026-11-16#morning';
    await vi.waitFor(
      async () => {
        const run = await (
          await fetch(`${stack.endpoint}/v1/admin/pushes/${encodeURIComponent(runKey)}`, { headers })
        ).json();
        expect(run).toMatchObject({ done: true, counts: { planned: 1, sent: 1 } });
      },
      { timeout: 20_000, interval: 200 },
    );
    const sent = stack.sms.outbox.at(-1)!;
    expect(sent).toMatchObject({ provider: 'tencent', phone: mobile, templateId: '2210001' });
    expect(JSON.stringify(sent)).toContain('京A12345');
    // The same run's reminder again (e.g. a redelivery) is a duplicate, and costs nothing.
    expect(await deliverSms(recipient(runKey), deps)).toBe('duplicate');

    expect((await call(receiptCallback('tencent', sent.messageId, mobile, true))).status).toBe(200);
    expect(await db.messages.get('tencent', sent.messageId)).toMatchObject({ status: 'delivered' });

    expect((await call(replyCallback('tencent', mobile, 'TD', new Date(Date.now() + 1000)))).status).toBe(
      200,
    );
    expect((await db.subscribers.get({ channel: 'sms', id }))?.status).toBe('opted-out');

    const before = stack.sms.outbox.length;
    expect(await deliverSms(recipient('restriction#beijing#2026-11-17#morning'), deps)).toBe('opted-out');
    expect(stack.sms.outbox).toHaveLength(before);
  });

  it('operators see the month’s spend and what remains', async () => {
    const token = stack.issueToken('alice', ['operator']);
    const res = await fetch(`${stack.endpoint}/v1/admin/sms/budget?month=2026-11`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      month: '2026-11',
      provider: 'tencent',
      ceilingFen: 100_000,
      spentFen: 4,
      remainingFen: 99_996,
      pricePerPartFen: 4,
      exhausted: false,
    });
    const editor = stack.issueToken('bob', ['editor']);
    const denied = await fetch(`${stack.endpoint}/v1/admin/sms/budget`, {
      headers: { authorization: `Bearer ${editor}` },
    });
    expect(denied.status).toBe(403);
  });

  it('a WeChat follower who linked a number (短信备用, proven by the phone) gets the reminder by SMS when WeChat cannot reach them', async () => {
    let msgId = 7_000_000;
    const say = (text: string) =>
      sayOnWeChat(stack, { kind: 'text', text, msgId: String(++msgId) }, 'o-fallback');
    // Tuesday 2026-11-17's restricted tails in Beijing, from the API; a plate with the first of them.
    const day = await (
      await fetch(`${stack.endpoint}/v1/cities/beijing/restrictions?date=2026-11-17`)
    ).json();
    const tail = (day as { tails: number[] }).tails[0]!;
    await say(`绑定 京A1234${tail}`);
    // The follower asks; the phone proves itself by texting the code back to the department's number.
    const code = /WX (\d{6})/.exec(await say('短信备用'))![1]!;
    const smsId = phoneId(Buffer.from(DEV_SMS_DEFAULTS.SMS_PEPPER, 'base64'), '+8613900139000');
    const wrong = code === '000000' ? '000001' : '000000';
    expect((await call(replyCallback('tencent', '13900139000', `WX ${wrong}`))).status).toBe(200);
    expect((await db.subscribers.get({ channel: 'wechat', id: 'o-fallback' }))?.smsFallback).toBeNull();
    expect(
      (await call(replyCallback('tencent', '13900139000', `WX ${code}`, new Date(Date.now() + 1000)))).status,
    ).toBe(200);
    expect((await db.subscribers.get({ channel: 'wechat', id: 'o-fallback' }))?.smsFallback).toBe(smsId);
    expect(await db.contacts.get(smsId)).toBeDefined(); // the number, encrypted under its HMAC
    // The phone is told by SMS (the stack's SMS is not interactive: this is the number's consent).
    expect(stack.sms.outbox.filter((m) => m.phone === '13900139000').map((m) => m.templateId)).toEqual([
      '2210006',
    ]);
    // The follower is told in WeChat, as a customer-service message within their window.
    await vi.waitFor(
      () => {
        const notes = stack.wechat.outbox.filter((o) => o.kind === 'custom' && o.touser === 'o-fallback');
        expect(JSON.stringify(notes.at(-1)?.body)).toContain('短信备用提醒已开通');
        expect(JSON.stringify(notes.at(-1)?.body)).toContain('+86 139****9000');
      },
      { timeout: 10_000, interval: 100 },
    );
    // Asking again says it is on and how to turn it off; no second code.
    const again = await say('短信备用');
    expect(again).toContain('短信备用提醒已开通');
    expect(again).toContain('关闭短信备用');
    expect(again).not.toMatch(/WX \d{6}/);
    // A code works once: another phone texting it links nothing.
    expect((await call(replyCallback('tencent', '13700137000', `WX ${code}`))).status).toBe(200);
    expect(
      await db.subscribers.get({
        channel: 'sms',
        id: phoneId(Buffer.from(DEV_SMS_DEFAULTS.SMS_PEPPER, 'base64'), '+8613700137000'),
      }),
    ).toBeUndefined();

    stack.wechat.faults = { ...stack.wechat.faults, unfollowed: ['o-fallback'] }; // 43004 from WeChat
    const before = stack.sms.outbox.length;
    const operator = stack.issueToken('olga', ['operator']);
    const headers = { authorization: `Bearer ${operator}`, 'content-type': 'application/json' };
    await fetch(`${stack.endpoint}/v1/admin/pushes/restriction`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ city: 'beijing', date: '2026-11-17', slot: 'morning', force: true }),
    });
    const runKey = 'restriction#beijing#2026-11-17#morning';
    await vi.waitFor(
      async () => {
        const run = await (
          await fetch(`${stack.endpoint}/v1/admin/pushes/${encodeURIComponent(runKey)}`, { headers })
        ).json();
        expect(run).toMatchObject({
          done: true,
          counts: { planned: 1, unfollowed: 1, 'sms-fallback:sent': 1 },
        });
      },
      { timeout: 20_000, interval: 200 },
    );
    const sms = stack.sms.outbox.slice(before);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({ phone: '13900139000', templateId: '2210001' });
    expect(JSON.stringify(sms[0])).toContain(`京A1234${tail}`);
    stack.wechat.faults = { ...stack.wechat.faults, unfollowed: [] };
  });

  it('credentials the gateway refuses halt SMS for the run: the rest fail without a send, each recipient once', async () => {
    // Wednesday 2026-11-18's morning push, to 30 new numbers whose plates it restricts.
    const answer = restrictionOn(bookOf(shippedRestrictionData), 'beijing', '2026-11-18');
    if (answer.status !== 'restricted') throw new Error('2026-11-18 should be restricted in Beijing');
    const numbers = Array.from({ length: 30 }, (_, i) => `139000${String(i).padStart(5, '0')}`);
    for (const [i, m] of numbers.entries()) {
      const plate = `京B${1000 + i}${answer.tails[i % answer.tails.length]}`;
      expect((await call(replyCallback('tencent', m, `BD ${plate}`))).status).toBe(200);
    }
    const attemptsBefore = stack.sms.attempts;
    const outboxBefore = stack.sms.outbox.length;
    stack.sms.faults.authError = true;
    const operator = stack.issueToken('olga', ['operator']);
    const headers = { authorization: `Bearer ${operator}`, 'content-type': 'application/json' };
    const runKey = 'restriction#beijing#2026-11-18#morning';
    let run = { counts: {} } as Record<string, unknown> & { counts: Record<string, number> };
    try {
      const started = await fetch(`${stack.endpoint}/v1/admin/pushes/restriction`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ city: 'beijing', date: '2026-11-18', slot: 'morning', force: true }),
      });
      expect(started.status).toBe(201);
      await vi.waitFor(
        async () => {
          run = (await (
            await fetch(`${stack.endpoint}/v1/admin/pushes/${encodeURIComponent(runKey)}`, { headers })
          ).json()) as typeof run;
          expect(run.done).toBe(true);
        },
        { timeout: 30_000, interval: 200 },
      );
    } finally {
      stack.sms.faults.authError = false;
    }
    // WeChat is not stopped by an SMS misconfiguration: the run ends, with the SMS failures counted.
    expect(run.status).toBe('completed-with-failures');
    expect((run.halts as Record<string, string>).sms).toMatch(/^SMS tencent UnauthorizedOperation/);
    // All 30 numbers failed, but only the first few sends reached the gateway before the halt.
    expect(run.counts.failed).toBe(30);
    const attempts = stack.sms.attempts - attemptsBefore;
    console.log(`SMS halt: 30 recipients, ${attempts} gateway attempts before the halt, 0 sent`);
    expect(attempts).toBeGreaterThanOrEqual(1);
    expect(attempts).toBeLessThan(15);
    expect(stack.sms.outbox.length).toBe(outboxBefore);
    // Every planned recipient ended in exactly one outcome.
    const settled = Object.entries(run.counts)
      .filter(
        ([k]) =>
          k !== 'planned' && k !== 'duplicate' && k !== 'deferred-quiet' && !k.startsWith('sms-fallback:'),
      )
      .reduce((n, [, v]) => n + v, 0);
    expect(settled).toBe(run.counts.planned);
  });

  it('the SNS provider publishes the rendered text to the number through the real SDK', async () => {
    const sns = new SnsSmsGateway({ endpoint: `${stack.endpoint}/_aws/sns`, region: 'us-east-1' });
    // The catalogue from the data itself: importing functions/shared/sms.ts here would read the SMS
    // settings before the stack sets the environment its handlers share.
    const message = renderSms(SmsCatalogueSchema.parse(smsTemplates), 'opt-out-confirmation', {}, 3);
    const sent = await sns.send({ phone: '+8613600136000', message, reference: 'test' });
    expect(sent).toMatchObject({ status: 'sent' });
    expect(stack.sms.outbox.at(-1)).toMatchObject({
      provider: 'sns',
      phone: '13600136000',
      params: [message.text],
    });
    stack.sms.faults = { ...stack.sms.faults, rejectNumbers: ['13600136001'] };
    expect(await sns.send({ phone: '+8613600136001', message, reference: 'test' })).toMatchObject({
      status: 'permanent',
    });
    stack.sms.faults = { ...stack.sms.faults, rejectNumbers: [] };
  });

  it('the sandbox outbox and per-number faults are reachable over HTTP', async () => {
    const res = await fetch(`${stack.endpoint}/_local/sms/faults`, {
      method: 'PUT',
      body: JSON.stringify({ perNumberDailyLimit: 0 }),
    });
    expect(await res.json()).toMatchObject({ perNumberDailyLimit: 0 });
    expect(await (await fetch(`${stack.endpoint}/_local/sms/outbox`)).json()).toHaveLength(
      stack.sms.outbox.length,
    );
  });
});
