/**
 * Interactive SMS (SMS_INTERACTIVE=true): replies go out as template SMS within the budget — the
 * opt-out confirmation once per opt-out, bind confirmations and restriction answers within the
 * per-number cap — against DynamoDB Local and the sandbox gateway.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { DynamoFallbackLinks } from '../../functions/adapters/dynamodb/fallback-links.ts';
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

const credentials = { secretId: 'AKIDsmsreplies', secretKey: 'sms-replies-secret-key' };
const sandbox = new SmsSandbox({ tencent: credentials });
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
      ...credentials,
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
    // The conversation's own answer: the slot the number chose, in a city this deployment pushes for.
    expect((sandbox.outbox[0]!.params as string[])[0]).toMatch(
      /^已绑定 京A·12345（北京，尾号5）。限行日当天限行开始前为您推送提醒。 /,
    );

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

  it('a bind confirmation promises only what will happen: no reminder for an unserved city, none for an exempt plate', async () => {
    const xian = '+8613900139004';
    expect(await handleSmsReply({ phone: xian, text: 'BD 陕A12345 西安' }, deps)).toBe('bind:reply-sent');
    expect((sandbox.outbox[0]!.params as string[])[0]).toContain('本号暂不推送西安的限行提醒');
    expect((sandbox.outbox[0]!.params as string[])[0]).not.toMatch(/07:00|20:00/);
    const nev = '+8613900139005';
    expect(await handleSmsReply({ phone: nev, text: 'BD 京AD12345' }, deps)).toBe('bind:reply-sent');
    expect((sandbox.outbox[1]!.params as string[])[0]).toContain('不受尾号限行');
    expect((sandbox.outbox[1]!.params as string[])[0]).not.toMatch(/07:00|20:00/);
  });

  it('WX <code> links the number and confirms it to the phone and to the follower, even without interactive SMS', async () => {
    const links = new DynamoFallbackLinks(db.doc, db.tables.inbound);
    const told: Array<{ follower: { openid: string; accountId: string }; key: string; text: string }> = [];
    const linking = {
      ...deps,
      settings: { ...deps.settings, interactive: false },
      fallbackLinks: links,
      followers: {
        tell: async (follower: { openid: string; accountId: string }, key: string, text: string) =>
          void told.push({ follower, key, text }),
      },
    };
    await db.subscribers.follow({ channel: 'wechat', id: 'o-linker' }, 'dev', '2026-11-16T00:58:00Z', null);
    const code = await links.start('o-linker', clock.now().getTime());
    const phone = '+8613900139006';
    expect(await handleSmsReply({ phone, text: `WX ${code}` }, linking)).toBe(
      'link-wechat:linked-reply-sent',
    );
    expect(sandbox.outbox.map((o) => o.templateId)).toEqual(['2210006']);
    expect(told).toEqual([
      {
        follower: { openid: 'o-linker', accountId: 'dev' },
        key: expect.stringMatching(/^sms-fallback#/),
        text: expect.stringContaining('+86 139****9006'),
      },
    ]);
    expect(told[0]!.text).toContain('短信备用提醒已开通');
    expect((await db.subscribers.get({ channel: 'wechat', id: 'o-linker' }))?.smsFallback).toBe(
      phoneId(pepper, phone),
    );
    // The code is spent: texting it again links nothing and tells no one.
    expect(await handleSmsReply({ phone, text: `WX ${code}` }, linking)).toBe('link-wechat:invalid-code');
    expect(told).toHaveLength(1);
    expect(sandbox.outbox).toHaveLength(1);
  });

  it('a number that sent TD is linked but sent nothing; the follower is told why the fallback will not reach it', async () => {
    const links = new DynamoFallbackLinks(db.doc, db.tables.inbound);
    const told: string[] = [];
    const linking = {
      ...deps,
      fallbackLinks: links,
      followers: { tell: async (_f: unknown, _k: string, text: string) => void told.push(text) },
    };
    const phone = '+8613900139007';
    expect(await handleSmsReply({ phone, text: 'BD 京A12345' }, linking)).toBe('bind:reply-sent');
    expect(await handleSmsReply({ phone, text: 'TD' }, linking)).toBe('unsubscribe:reply-sent');
    await db.subscribers.follow({ channel: 'wechat', id: 'o-refused' }, 'dev', '2026-11-16T00:58:00Z', null);
    const code = await links.start('o-refused', clock.now().getTime());
    expect(await handleSmsReply({ phone, text: `WX ${code}` }, linking)).toBe(
      'link-wechat:linked-number-opted-out',
    );
    expect(sandbox.outbox.map((o) => o.templateId)).toEqual(['2210004', '2210003']);
    expect(told).toEqual([expect.stringContaining('已退订短信')]);
  });

  it('without interactive SMS the intent is applied and nothing is sent', async () => {
    const phone = '+8613900139003';
    const quiet = { ...deps, settings: { ...deps.settings, interactive: false } };
    expect(await handleSmsReply({ phone, text: 'BD 京A12345' }, quiet)).toBe('bind:applied');
    expect(await handleSmsReply({ phone, text: 'TD' }, quiet)).toBe('unsubscribe:applied');
    expect(sandbox.outbox).toHaveLength(0);
  });
});
