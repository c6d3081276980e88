/**
 * deliverSms against DynamoDB Local and the sandbox gateways through the real adapters (Tencent's
 * signed TC3-HMAC-SHA256, checked by the sandbox; Aliyun's SDK): every outcome,
 * what each one spends (number cap, ledger, budget) and gives back, and the budget under 20
 * concurrent senders.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { AliyunSmsGateway } from '../../functions/adapters/sms/aliyun.ts';
import { TencentSmsGateway } from '../../functions/adapters/sms/tencent.ts';
import { deliverSms, type SmsRecipient } from '../../functions/core/delivery/sms.ts';
import { renderSms, restrictionReminderValues } from '../../functions/core/sms/messages.ts';
import { fixedClock } from '../../functions/core/time.ts';
import { SmsSandbox } from '../../lib/local/sms-sandbox.ts';
import { DEFAULT_POLICY, type FrequencyPolicy } from '../../schemas/pushes.ts';
import { catalogue, deliverDeps, type SmsTables, smsSubscriber, smsTables } from '../fixtures/sms.ts';

const clock = fixedClock('2026-11-16T01:00:00Z'); // 09:00 in Beijing
const credentials = { secretId: 'AKIDsmsdeliver', secretKey: 'sms-deliver-secret-key' };
const sandbox = new SmsSandbox({ tencent: credentials });
let server: Awaited<ReturnType<SmsSandbox['listen']>>;
let db: SmsTables;
let tencent: TencentSmsGateway;
let n = 0;
const nextPhone = () => `+86139${String(10_000_000 + ++n * 7919).slice(-8)}`;

const generous: FrequencyPolicy = structuredClone(DEFAULT_POLICY);
generous.channels.sms.perDay = {
  restriction: 1000,
  routine: 1000,
  transactional: 1000,
  emergency: 1000,
  desk: 1000,
};
generous.channels.sms.routinePer7Days = 1000;

const reminder = (id: string, pushKey = 'restriction#beijing#2026-11-16#morning'): SmsRecipient => ({
  subscriberId: id,
  category: 'restriction',
  pushKey,
  runKey: pushKey,
  bundle: `${pushKey}#b0`,
  values: restrictionReminderValues({ date: '2026-11-16', tails: [1, 6] }, ['京A12341']),
});

beforeAll(async () => {
  server = await sandbox.listen();
  db = await smsTables(inject('dynamodbEndpoint'));
  tencent = new TencentSmsGateway({
    ...credentials,
    sdkAppId: '1400000000',
    region: 'ap-guangzhou',
    endpoint: server.url,
    timeoutSeconds: 1,
  });
});
afterAll(async () => server.stop());
beforeEach(() => sandbox.reset());

describe('deliverSms', () => {
  it('sends through the Tencent gateway: template, sign and parameters; records the message id; spends 1 part', async () => {
    const phone = nextPhone();
    const id = await smsSubscriber(db, phone);
    const deps = deliverDeps(db, tencent, clock);
    const before = (await db.budget.spent('2026-11')).spentFen;

    expect(await deliverSms(reminder(id), deps)).toBe('sent');

    expect(sandbox.outbox).toHaveLength(1);
    const sent = sandbox.outbox[0]!;
    expect(sent).toMatchObject({
      provider: 'tencent',
      phone: phone.slice(3),
      signName: '城市交警',
      templateId: '2210001',
      params: ['11月16日(周一)', '1和6', '京A12341'],
    });
    expect((await db.budget.spent('2026-11')).spentFen - before).toBe(4);
    expect(await db.numberCap.sentOn(id, '2026-11-16')).toBe(1);
    expect(await db.messages.get('tencent', sent.messageId)).toMatchObject({
      subscriberId: id,
      status: 'submitted',
      parts: 1,
      costFen: 4,
      pushKey: 'restriction#beijing#2026-11-16#morning',
    });
    // Personal data: the number appears in no log line, only masked.
    const logged = JSON.stringify(deps.logs);
    expect(logged).not.toContain(phone.slice(3));
    expect(logged).toContain(`+86 ${phone.slice(3, 6)}****${phone.slice(-4)}`);
  });

  it('the same push again is a duplicate: nothing sent, nothing spent', async () => {
    const id = await smsSubscriber(db, nextPhone());
    const deps = deliverDeps(db, tencent, clock);
    expect(await deliverSms(reminder(id), deps)).toBe('sent');
    const spent = (await db.budget.spent('2026-11')).spentFen;
    expect(await deliverSms(reminder(id), deps)).toBe('duplicate');
    expect(sandbox.outbox).toHaveLength(1);
    expect((await db.budget.spent('2026-11')).spentFen).toBe(spent);
    expect(await db.numberCap.sentOn(id, '2026-11-16')).toBe(1);
  });

  it('an opted-out number is suppressed with reason opted-out (and its redelivery is a duplicate)', async () => {
    const id = await smsSubscriber(db, nextPhone());
    await db.subscribers.setStatus({ channel: 'sms', id }, 'opted-out', '2026-11-15T09:00:00Z');
    const deps = deliverDeps(db, tencent, clock);
    expect(await deliverSms(reminder(id), deps)).toBe('opted-out');
    expect(await deliverSms(reminder(id), deps)).toBe('duplicate');
    expect(sandbox.outbox).toHaveLength(0);
    expect(await db.numberCap.sentOn(id, '2026-11-16')).toBe(0);
  });

  it('an unknown subscriber is unfollowed; one without a stored number fails; neither is sent', async () => {
    const deps = deliverDeps(db, tencent, clock);
    expect(await deliverSms(reminder('no-such-subscriber'), deps)).toBe('unfollowed');
    const id = 'f'.repeat(64);
    await db.subscribers.touch({ channel: 'sms', id }, 'sms', '2026-11-15T08:00:00Z');
    expect(await deliverSms(reminder(id), deps)).toBe('failed');
    expect(sandbox.outbox).toHaveLength(0);
  });

  it('the per-number daily cap holds a second message the same day even when the push policy would allow it', async () => {
    const id = await smsSubscriber(db, nextPhone());
    const deps = deliverDeps(db, tencent, clock, { policy: generous, numberDailyCap: 1 });
    expect(await deliverSms(reminder(id, 'p1'), deps)).toBe('sent');
    expect(await deliverSms(reminder(id, 'p2'), deps)).toBe('capped');
    expect(sandbox.outbox).toHaveLength(1);
  });

  it("the push policy's SMS cap (1 routine a day) holds and gives the number-cap unit back", async () => {
    const id = await smsSubscriber(db, nextPhone());
    const deps = deliverDeps(db, tencent, clock, { numberDailyCap: 5 });
    expect(await deliverSms(reminder(id, 'p1'), deps)).toBe('sent');
    expect(
      await deliverSms(
        { ...reminder(id, 'n1'), category: 'notice', values: { title: '通知', summary: '测试。' } },
        deps,
      ),
    ).toBe('capped');
    expect(await db.numberCap.sentOn(id, '2026-11-16')).toBe(1);
  });

  it("the gateway's own per-number limit: capped, budget and cap unit given back", async () => {
    const id = await smsSubscriber(db, nextPhone());
    sandbox.faults.perNumberDailyLimit = 0;
    const deps = deliverDeps(db, tencent, clock);
    const before = (await db.budget.spent('2026-11')).spentFen;
    expect(await deliverSms(reminder(id), deps)).toBe('capped');
    expect((await db.budget.spent('2026-11')).spentFen).toBe(before);
    expect(await db.numberCap.sentOn(id, '2026-11-16')).toBe(0);
  });

  it('a number the gateway refuses is provider-permanent; a gateway error is failed; both refunded', async () => {
    const phone = nextPhone();
    const id = await smsSubscriber(db, phone);
    sandbox.faults.rejectNumbers = [phone.slice(3)];
    const deps = deliverDeps(db, tencent, clock, { policy: generous, numberDailyCap: 10 });
    const before = (await db.budget.spent('2026-11')).spentFen;
    expect(await deliverSms(reminder(id, 'a'), deps)).toBe('provider-permanent');
    sandbox.faults.rejectNumbers = [];
    sandbox.faults.failRate = 1;
    expect(await deliverSms(reminder(id, 'b'), deps)).toBe('failed');
    expect((await db.budget.spent('2026-11')).spentFen).toBe(before);
  });

  it('misconfigured credentials fail with a configuration metric', async () => {
    const id = await smsSubscriber(db, nextPhone());
    sandbox.faults.authError = true;
    const deps = deliverDeps(db, tencent, clock);
    expect(await deliverSms(reminder(id), deps)).toBe('failed');
    expect(deps.metrics).toContain('SmsConfigErrors');
  });

  it('a wrong secret key fails the signature check: a configuration failure, nothing sent, nothing spent', async () => {
    const gateway = (c: Partial<typeof credentials>) =>
      new TencentSmsGateway({
        ...credentials,
        ...c,
        sdkAppId: '1400000000',
        region: 'ap-guangzhou',
        endpoint: server.url,
        timeoutSeconds: 1,
      });
    const wrongKey = gateway({ secretKey: 'not-the-secret-key' });
    const phone = nextPhone();
    const id = await smsSubscriber(db, phone);
    const deps = deliverDeps(db, wrongKey, clock);
    const before = (await db.budget.spent('2026-11')).spentFen;
    expect(await deliverSms(reminder(id), deps)).toBe('failed');
    expect(deps.metrics).toContain('SmsConfigErrors');
    expect(sandbox.outbox).toHaveLength(0);
    expect((await db.budget.spent('2026-11')).spentFen).toBe(before);
    expect(await db.numberCap.sentOn(id, '2026-11-16')).toBe(0);
    // What the gateway reports: Tencent's own codes, classified as the operator's to fix.
    const sms = { phone, message: renderSms(catalogue, 'opt-out-confirmation', {}, 3), reference: 'r' };
    expect(await wrongKey.send(sms)).toEqual({
      status: 'failed',
      code: 'AuthFailure.SignatureFailure',
      configuration: true,
    });
    expect(await gateway({ secretId: 'AKIDsomeoneelse' }).send(sms)).toEqual({
      status: 'failed',
      code: 'AuthFailure.SecretIdNotFound',
      configuration: true,
    });
    expect(sandbox.outbox).toHaveLength(0);
    expect(await gateway({}).send(sms)).toMatchObject({ status: 'sent' });
  });

  it('a push stopped by the budget gives the person their cap back: sent once the budget allows', async () => {
    const id = await smsSubscriber(db, nextPhone());
    const broke = deliverDeps(db, tencent, clock, { budgetFen: 0 });
    expect(await deliverSms(reminder(id, 'notice#budget-1'), broke)).toBe('budget');
    // Not a duplicate, and the day's one SMS was not spent on nothing.
    expect(await deliverSms(reminder(id, 'notice#budget-1'), deliverDeps(db, tencent, clock))).toBe('sent');
  });

  it('no answer in time is unknown-outcome: the budget stays taken and it is never sent again', async () => {
    const id = await smsSubscriber(db, nextPhone());
    sandbox.holdMs = 2500;
    sandbox.faults.timeouts = 1;
    const deps = deliverDeps(db, tencent, clock);
    const before = (await db.budget.spent('2026-11')).spentFen;
    expect(await deliverSms(reminder(id), deps)).toBe('unknown-outcome');
    expect((await db.budget.spent('2026-11')).spentFen - before).toBe(4);
    expect(await deliverSms(reminder(id), deps)).toBe('duplicate');
    expect(sandbox.outbox).toHaveLength(0);
  });

  it('a message over the part limit is refused before anything is spent', async () => {
    const id = await smsSubscriber(db, nextPhone());
    const deps = deliverDeps(db, tencent, clock, { maxParts: 2 });
    const notice: SmsRecipient = {
      ...reminder(id, 'notice#long'),
      category: 'notice',
      values: { title: '交通管制', summary: '长'.repeat(200) },
    };
    expect(await deliverSms(notice, deps)).toBe('failed');
    expect(sandbox.outbox).toHaveLength(0);
    expect(await db.numberCap.sentOn(id, '2026-11-16')).toBe(0);
  });

  it('sends through the Aliyun SDK with named parameters and records the BizId', async () => {
    const id = await smsSubscriber(db, nextPhone());
    const aliyun = new AliyunSmsGateway({ accessKeyId: 'ak', accessKeySecret: 'sk', endpoint: server.url });
    const deps = deliverDeps(db, aliyun, clock);
    expect(await deliverSms(reminder(id), deps)).toBe('sent');
    const sent = sandbox.outbox[0]!;
    expect(sent).toMatchObject({
      provider: 'aliyun',
      templateId: 'SMS_480210001',
      params: { date: '11月16日(周一)', tails: '1和6', plates: '京A12341' },
    });
    expect(await db.messages.get('aliyun', sent.messageId)).toMatchObject({ subscriberId: id });
  });
});

describe('the monthly budget under 20 concurrent senders', () => {
  it.each([
    { ceilingFen: 1000, parts: 1, expectedSends: 250, expectedSpent: 1000 },
    { ceilingFen: 1000, parts: 3, expectedSends: 83, expectedSpent: 996 },
  ])(
    'ceiling $ceilingFen fen, $parts-part messages at 4 fen a part: exactly $expectedSends sent',
    async ({ ceilingFen, parts, expectedSends, expectedSpent }) => {
      // A month of its own so the ceiling starts from zero.
      const month = parts === 1 ? '2031-01' : '2031-02';
      const monthClock = fixedClock(`${month}-15T01:00:00Z`);
      const senders = await Promise.all(Array.from({ length: 20 }, () => smsSubscriber(db, nextPhone())));
      const deps = deliverDeps(db, tencent, monthClock, {
        budgetFen: ceilingFen,
        policy: generous,
        numberDailyCap: 1000,
      });
      const summary = parts === 1 ? '短。' : '长'.repeat(150);
      const outcomes = await Promise.all(
        senders.map(async (id, s) => {
          const mine: string[] = [];
          for (let i = 0; i < 20; i++)
            mine.push(
              await deliverSms(
                {
                  ...reminder(id, `notice#${s}#${i}`),
                  category: 'notice',
                  values: { title: '通知', summary },
                },
                deps,
              ),
            );
          return mine;
        }),
      );
      const all = outcomes.flat();
      const sent = all.filter((o) => o === 'sent').length;
      const budget = all.filter((o) => o === 'budget').length;
      const { spentFen, sends } = await db.budget.spent(month);
      console.info(
        `budget test: ${senders.length} senders × 20 = ${all.length} attempts, ${parts}-part messages, ceiling ${ceilingFen} fen → sent ${sent}, stopped at budget ${budget}, spent ${spentFen} fen, sandbox outbox ${sandbox.outbox.length}`,
      );
      expect(sent).toBe(expectedSends);
      expect(budget).toBe(all.length - expectedSends);
      expect(spentFen).toBe(expectedSpent);
      expect(sends).toBe(expectedSends);
      expect(sandbox.outbox).toHaveLength(expectedSends);
      expect(deps.metrics.filter((m) => m === 'SmsBudgetExhausted')).toHaveLength(all.length - expectedSends);
    },
  );
});
