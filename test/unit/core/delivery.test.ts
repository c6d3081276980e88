/**
 * Push delivery's decisions with fake ports, fast: the bundle loop (aborted and halted runs, quiet
 * hours, receipts, counts) and WeChat delivery (statuses, the quota, the ledger's verdicts, WeChat's
 * refusals, SMS fallback). The same code runs against DynamoDB and the sandbox in test/e2e.
 */
import { describe, expect, it } from 'vitest';
import type { WeChatSendResult } from '../../../functions/core/delivery/ports.ts';
import { clientMsgId } from '../../../functions/core/delivery/wechat.ts';
import { fixedClock } from '../../../functions/core/time.ts';
import { noticePlaceholders } from '../../../functions/core/wechat/placeholders.ts';
import type { DeliveryMessage } from '../../../schemas/pushes.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { account, bundle, night, world } from '../../fixtures/delivery.ts';

describe('WeChat delivery, with fake ports', () => {
  it('sends to active followers once; skips opted-out, unfollowed and blocked ones, marking the ledger', async () => {
    const w = world({ statuses: { 'o-out': 'opted-out', 'o-gone': 'unfollowed', 'o-blk': 'blocked' } });
    const d = w.loop();
    await d.deliver(bundle(['o-a', 'o-out', 'o-gone', 'o-blk', 'o-b']));
    await d.finish();
    expect(w.sent.sort()).toEqual(['o-a', 'o-b']);
    expect(w.ledger.skipped.sort()).toEqual(['o-blk', 'o-gone', 'o-out']);
    expect(w.counts.get('run#1')).toMatchObject({ sent: 2, 'opted-out': 1, unfollowed: 1, blocked: 1 });
  });

  it('a redelivered bundle touches nobody its receipt finished', async () => {
    const w = world();
    await w.loop().deliver(bundle(['o-a', 'o-b']));
    await w.loop().deliver(bundle(['o-a', 'o-b']));
    expect(w.sent).toEqual(['o-a', 'o-b']);
    expect(w.counts.get('run#1')).toMatchObject({ sent: 2, duplicate: 2 });
  });

  it('counts what the ledger decides: capped, duplicate, and a reservation never confirmed is not sent again', async () => {
    const w = world();
    w.ledger.verdicts.set('o-cap', 'capped').set('o-dup', 'duplicate').set('o-lost', 'unknown-outcome');
    await w.loop().deliver(bundle(['o-cap', 'o-dup', 'o-lost', 'o-ok']));
    expect(w.sent).toEqual(['o-ok']);
    expect(w.ledger.settled).toEqual([['o-lost', 'unknown-outcome']]);
    expect(w.counts.get('run#1')).toMatchObject({ capped: 1, duplicate: 1, 'unknown-outcome': 1, sent: 1 });
  });

  it('a follower who left (43004) is marked unfollowed and, with a linked number, gets the push by SMS', async () => {
    const w = world();
    const left = {
      status: 'refused' as const,
      refusal: {
        errcode: 43004,
        action: 'recipient' as const,
        subscriberStatus: 'unfollowed' as const,
        message: 'x',
      },
    };
    w.answers.set('o-left', left);
    await w.loop().deliver(bundle(['o-left', 'o-stay']));
    expect(w.statusChanges).toEqual([['o-left', 'unfollowed']]);
    expect(w.ledger.settled).toEqual([['o-left', 'failed:43004']]);
    expect(w.published).toHaveLength(1);
    expect(w.published[0]).toMatchObject({
      channel: 'sms',
      fallback: true,
      recipients: [{ id: 'sms-hmac-of-left', plates: ['京A12341'] }],
    });
  });

  it('a configuration refusal (40164) aborts the run: nothing more is sent, the alarm metric counts it', async () => {
    const w = world();
    w.answers.set('o-a', {
      status: 'refused',
      refusal: {
        errcode: 40164,
        action: 'abort',
        subscriberStatus: undefined,
        message: 'IP not whitelisted',
      },
    });
    const d = w.loop();
    await d.deliver(bundle(['o-a']));
    await d.deliver(bundle(['o-b', 'o-c']));
    expect(w.aborts[0]).toMatch(/40164/);
    expect(w.sent).toEqual([]);
    expect(w.metrics).toContain('WeChatConfigErrors');
  });

  it('a send that did not complete is recorded unknown-outcome and never retried', async () => {
    const w = world();
    w.answers.set('o-a', { status: 'unknown', message: 'socket hang up' });
    await w.loop().deliver(bundle(['o-a']));
    expect(w.ledger.settled).toEqual([['o-a', 'unknown-outcome']]);
    expect(w.counts.get('run#1')).toMatchObject({ 'unknown-outcome': 1 });
  });

  it('stops the run at the daily template quota instead of meeting 45009', async () => {
    const w = world({ quota: 1 });
    await w.loop().deliver(bundle(['o-a', 'o-b', 'o-c']));
    expect(w.sent).toHaveLength(1);
    expect(w.aborts).toEqual(['daily WeChat template quota reached']);
    expect(w.metrics).toContain('WeChatQuotaExhausted');
  });

  it('an account without the category’s template aborts the run before any send', async () => {
    const w = world();
    await w.loop().deliver(bundle(['o-a'], { category: 'transactional' }));
    expect(w.sent).toEqual([]);
    expect(w.aborts[0]).toMatch(/no template for category 'transactional'/);
  });

  it('defers a routine bundle in quiet hours whole, and sends an emergency at once', async () => {
    const w = world({ at: night });
    await w.loop().deliver(bundle(['o-a', 'o-b'], { category: 'notice', values: { keyword1: 'x' } }));
    expect(w.deferred).toHaveLength(1);
    expect(w.counts.get('run#1')).toMatchObject({ 'deferred-quiet': 2 });
    const e = world({ at: night });
    await e.loop().deliver(bundle(['o-a'], { category: 'emergency', values: { keyword1: 'x' } }));
    expect(e.deferred).toHaveLength(0);
    expect(e.sent).toEqual(['o-a']);
  });

  it('renders the reminder from the engine with the category’s template: city, tails, day, plate', async () => {
    const w = world();
    await w.loop().deliver(bundle(['o-a'], { recipients: [{ id: 'o-a', plates: ['京A12345'] }] }));
    expect(w.messages).toHaveLength(1);
    expect(w.messages[0]!.templateId).toBe('tpl-restriction');
    expect(w.messages[0]!.data.keyword1).toEqual({ value: '北京尾号0和5限行' });
    expect(w.messages[0]!.data.keyword2!.value).toMatch(/^11月16日周一 /);
    expect(w.messages[0]!.data.keyword3).toEqual({ value: '京A12345' });
  });
});

describe('typed templates, subscription notices and WeChat’s limits', () => {
  const page = 'https://wx.example.gov.cn';
  const typedAccount = (over: Partial<WeChatAccount> = {}): WeChatAccount => ({
    ...account,
    pageBaseUrl: page,
    templates: {
      notice: {
        id: 'tpl-typed-notice',
        fields: { thing1: '{title}', time2: '{window}', thing3: '{areas|全市}', phrase4: '{kind}' },
        url: 'notice-page',
        consts: {},
      },
      restriction: {
        id: 'tpl-typed-restriction',
        fields: {
          thing1: '{city}尾号{tails}限行',
          date2: '{date}',
          car_number3: '{plate}',
          thing4: '{area|全市}',
        },
        url: null,
        consts: {},
      },
    },
    ...over,
  });
  const noticeValues = (title = '长安街临时交通管制') =>
    noticePlaceholders(
      {
        id: '3f2b1c4d-0000-4000-8000-000000000001',
        kind: 'traffic-control',
        title,
        shortBody: '请绕行',
        areas: [],
        effectiveFrom: '2026-11-16T06:00:00Z',
        effectiveTo: '2026-11-16T10:00:00Z',
        publishedAt: '2026-11-16T02:00:00Z',
      },
      '北京',
    );
  const notice = (ids: string[], over: Partial<DeliveryMessage> = {}) =>
    bundle(ids, { category: 'notice', pushKey: 'notice#n1', values: noticeValues(), ...over });

  it('fills the account’s typed keys from the notice, with its page as the url and a deterministic client_msg_id', async () => {
    const w = world({ account: typedAccount() });
    await w.loop().deliver(notice(['o-a']));
    expect(w.messages).toEqual([
      {
        touser: 'o-a',
        templateId: 'tpl-typed-notice',
        clientMsgId: clientMsgId('notice#n1', 'o-a'),
        data: {
          thing1: { value: '长安街临时交通管制' },
          time2: { value: '2026年11月16日 14:00~18:00' },
          thing3: { value: '全市' },
          phrase4: { value: '交通管制' },
        },
        url: `${page}/n/3f2b1c4d-0000-4000-8000-000000000001`,
      },
    ]);
    expect(clientMsgId('notice#n1', 'o-a')).toBe(clientMsgId('notice#n1', 'o-a'));
    expect(clientMsgId('notice#n1', 'o-a')).not.toBe(clientMsgId('notice#n1', 'o-b'));
  });

  it('fills a typed restriction reminder from the engine: the plate into car_number, the day into date', async () => {
    const w = world({ account: typedAccount() });
    await w.loop().deliver(bundle(['o-a'], { recipients: [{ id: 'o-a', plates: ['京AD12345'] }] }));
    expect(w.messages[0]!.data).toEqual({
      thing1: { value: '北京尾号0和5限行' },
      date2: { value: '2026年11月16日' },
      car_number3: { value: '京AD12345' },
      thing4: { value: '五环路以内道路（不含五环路）' },
    });
  });

  it('values that cannot be made valid are never sent (no 47003): nothing reserved, the notice’s run stops', async () => {
    const w = world({ account: typedAccount() });
    await w.loop().deliver(notice(['o-a', 'o-b'], { values: noticeValues('🚧🚧') }));
    expect(w.messages).toEqual([]);
    expect(w.ledger.reserved).toEqual([]);
    expect(w.aborts[0]).toMatch(
      /template tpl-typed-notice cannot be filled: thing1: nothing WeChat can show/,
    );
    expect(w.metrics).toContain('WeChatTemplateValuesRefused');
  });

  it('the daily template quota is the account’s own configuration', async () => {
    const w = world({ account: typedAccount({ dailyTemplateQuota: 1 }) });
    await w.loop().deliver(notice(['o-a', 'o-b']));
    expect(w.sent).toHaveLength(1);
    expect(w.aborts).toEqual(['daily WeChat template quota reached']);
  });

  it('followers who accepted the subscription template get it (bizsend), the others the template message', async () => {
    const subscription = {
      id: 'sub-notice',
      fields: { thing1: '{title}', time2: '{window}' },
      url: 'notice-page',
      consts: {},
    };
    const w = world({ account: typedAccount({ subscriptions: { notice: subscription } }) });
    w.consents.set('o-yes', ['sub-notice']);
    await w.loop().deliver(notice(['o-yes', 'o-no']));
    expect(w.subscriptionMessages).toEqual([
      {
        touser: 'o-yes',
        templateId: 'sub-notice',
        data: { thing1: { value: '长安街临时交通管制' }, time2: { value: '2026年11月16日 14:00~18:00' } },
        page: `${page}/n/3f2b1c4d-0000-4000-8000-000000000001`,
      },
    ]);
    expect(w.messages.map((m) => m.touser)).toEqual(['o-no']);
    expect(w.counts.get('run#1')).toMatchObject({ sent: 2 });
    expect(w.ledger.reserved.sort()).toEqual(['o-no', 'o-yes']); // both through the one cap
  });

  it('only a subscription template: followers who did not accept are not sent to; 43101 takes the consent back', async () => {
    const w = world({
      account: typedAccount({
        templates: {},
        subscriptions: { notice: { id: 'sub-notice', fields: { thing1: '{title}' }, url: null, consts: {} } },
      }),
    });
    w.consents.set('o-yes', ['sub-notice']);
    w.consents.set('o-changed', ['sub-notice']);
    w.answers.set('o-changed', {
      status: 'refused',
      refusal: { errcode: 43101, action: 'recipient', subscriberStatus: undefined, message: 'refused' },
    });
    await w.loop().deliver(notice(['o-yes', 'o-no', 'o-changed']));
    expect(w.subscriptionMessages.map((m) => m.touser).sort()).toEqual(['o-changed', 'o-yes']);
    expect(w.messages).toEqual([]);
    expect(w.ledger.skipped).toEqual(['o-no']);
    expect(w.counts.get('run#1')).toMatchObject({ sent: 1, 'not-subscribed': 1, 'provider-permanent': 1 });
    expect(w.consents.get('o-changed')).toEqual([]);
  });

  it('43117 (this follower messaged too often) defers that follower alone, not the run', async () => {
    const w = world();
    const tooFrequent: WeChatSendResult = {
      status: 'refused',
      refusal: { errcode: 43117, action: 'bug', subscriberStatus: undefined, message: 'too frequently' },
    };
    w.answers.set('o-busy', tooFrequent);
    await w.loop().deliver(bundle(['o-a', 'o-busy', 'o-b']));
    expect(w.sent.sort()).toEqual(['o-a', 'o-b']);
    expect(w.aborts).toEqual([]);
    expect(w.ledger.released).toEqual(['o-busy']); // it certainly did not go out: the cap is given back
    expect(w.counts.get('run#1')).toEqual({ sent: 2, 'deferred-frequency': 1 });
    expect(w.frequencyDeferred).toHaveLength(1);
    const [{ message, releaseAt }] = w.frequencyDeferred as [(typeof w.frequencyDeferred)[number]];
    expect(message).toMatchObject({ recipients: [{ id: 'o-busy' }], frequencyAttempt: 1, deferred: true });
    expect(releaseAt.toISOString()).toBe('2026-11-16T02:30:00.000Z');
    // The run waits for it meanwhile: not reported stalled before the follower's turn comes.
    expect(w.waiting).toEqual(['2026-11-16T02:30:00.000Z']);
    // Released and refused again up to three times, then it is a failure.
    const last = { ...message, frequencyAttempt: 3 };
    await w.loop().deliver(last);
    expect(w.ledger.settled).toContainEqual(['o-busy', 'failed:43117']);
  });

  it('43117 late in the evening: the follower waits for the end of quiet hours, not into them', async () => {
    const w = world({ at: fixedClock('2026-11-16T13:15:00Z') }); // 21:15 Shanghai
    w.answers.set('o-busy', {
      status: 'refused',
      refusal: { errcode: 43117, action: 'bug', subscriberStatus: undefined, message: 'too frequently' },
    });
    await w.loop().deliver(bundle(['o-busy']));
    expect(w.frequencyDeferred[0]!.releaseAt.toISOString()).toBe('2026-11-16T23:00:00.000Z'); // 07:00
  });

  it('an account that cannot send template messages: its followers were reached by its mass send', async () => {
    const w = world({ account: typedAccount({ kind: 'subscription', templates: {} }) });
    await w.loop().deliver(notice(['o-a', 'o-b']));
    expect(w.messages).toEqual([]);
    expect(w.counts.get('run#1')).toEqual({ 'mass-send': 2 });
  });
});
