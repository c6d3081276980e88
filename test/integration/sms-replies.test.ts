/**
 * Interactive SMS (SMS_INTERACTIVE=true): replies go out as template SMS within the budget — the
 * opt-out confirmation once per opt-out, bind confirmations and restriction answers within the
 * per-number cap — against DynamoDB Local and the sandbox gateway.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { DynamoNoticeFeed } from '../../functions/adapters/dynamodb/notice-feed.ts';
import { TencentSmsGateway } from '../../functions/adapters/sms/tencent.ts';
import { bookOf } from '../../functions/core/restrictions/engine.ts';
import { phoneId } from '../../functions/core/sms/numbers.ts';
import { handleSmsReply, type SmsReplyDeps } from '../../functions/core/sms/replies.ts';
import { fixedClock } from '../../functions/core/time.ts';
import { SmsSandbox } from '../../lib/local/sms-sandbox.ts';
import { shippedRestrictionData } from '../../schemas/data/index.ts';
import keywordData from '../../schemas/data/keywords.json' with { type: 'json' };
import { KeywordRepliesSchema } from '../../schemas/wechat.ts';
import { catalogue, pepper, type SmsTables, smsTables, vault } from '../fixtures/sms.ts';

const sandbox = new SmsSandbox();
let server: Awaited<ReturnType<SmsSandbox['listen']>>;
let db: SmsTables;
let deps: SmsReplyDeps;
const clock = fixedClock('2026-11-16T01:00:00Z');

beforeAll(async () => {
  server = await sandbox.listen();
  db = await smsTables(inject('dynamodbEndpoint'), 'smsreply');
  const service = db.tables.subscribers.replace(/-subscribers$/, '');
  deps = {
    ...db,
    gateway: new TencentSmsGateway({
      secretId: 'i',
      secretKey: 'k',
      sdkAppId: '1400000000',
      region: 'ap-guangzhou',
      endpoint: server.url,
    }),
    vault,
    pepper,
    catalogue,
    clock,
    settings: { interactive: true, budgetFen: 10_000, pricePerPartFen: 4, maxParts: 3, numberDailyCap: 1 },
    log: () => {},
    metric: () => {},
    conversation: {
      subscribers: db.subscribers,
      restrictions: async () => bookOf(shippedRestrictionData),
      notices: new DynamoNoticeFeed(db.doc, `${service}-content`),
      clock,
      keywords: KeywordRepliesSchema.parse(keywordData),
      account: { id: 'sms', defaultCity: 'beijing' },
      reminderCities: new Set(['beijing']),
    },
  };
});
afterAll(async () => server.stop());
beforeEach(() => sandbox.reset());

describe('interactive SMS replies', () => {
  it('BD confirms the binding; TD is confirmed once, even beyond the day’s cap; after 订阅 a new TD is confirmed again', async () => {
    const phone = '+8613900139001';
    const id = phoneId(pepper, phone);
    expect(await handleSmsReply({ phone, text: 'BD 京A12345' }, deps)).toBe('bind:reply-sent');
    expect(sandbox.outbox.map((o) => o.templateId)).toEqual(['2210004']);
    expect(sandbox.outbox[0]!.params).toEqual(['京A12345', '5']);

    // The day's cap (1) is used; the opt-out confirmation still goes.
    expect(await handleSmsReply({ phone, text: 'TD' }, deps)).toBe('unsubscribe:reply-sent');
    expect(await handleSmsReply({ phone, text: '退订' }, deps)).toBe('unsubscribe:already-confirmed');
    expect(sandbox.outbox.map((o) => o.templateId)).toEqual(['2210004', '2210003']);
    expect((await db.subscribers.get({ channel: 'sms', id }))?.status).toBe('opted-out');

    expect(await handleSmsReply({ phone, text: '订阅' }, deps)).toBe('resubscribe:applied-no-sms-template');
    expect(await handleSmsReply({ phone, text: 'T' }, deps)).toBe('unsubscribe:reply-sent');
    expect(sandbox.outbox).toHaveLength(3);
  });

  it('限行 is answered within the per-number cap', async () => {
    const phone = '+8613900139002';
    expect(await handleSmsReply({ phone, text: 'BD 京A12345' }, deps)).toBe('bind:reply-sent');
    expect(await handleSmsReply({ phone, text: '限行' }, deps)).toBe('restriction:reply-capped');
    expect(sandbox.outbox).toHaveLength(1);
  });

  it('without interactive SMS the intent is applied and nothing is sent', async () => {
    const phone = '+8613900139003';
    const quiet = { ...deps, settings: { ...deps.settings, interactive: false } };
    expect(await handleSmsReply({ phone, text: 'BD 京A12345' }, quiet)).toBe('bind:applied');
    expect(await handleSmsReply({ phone, text: 'TD' }, quiet)).toBe('unsubscribe:applied');
    expect(sandbox.outbox).toHaveLength(0);
  });
});
