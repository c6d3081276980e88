/**
 * The WeChat-side stores against DynamoDB Local: subscribers with the sparse fan-out index,
 * concurrent changes to one subscriber, the inbound de-duplication log, and the token manager
 * (50 cold instances, compare-and-expire) against the WeChat sandbox.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoInboundLog } from '../../functions/adapters/dynamodb/inbound-log.ts';
import { DynamoSubscriberRepository } from '../../functions/adapters/dynamodb/subscribers.ts';
import { WeChatApi } from '../../functions/adapters/wechat/api.ts';
import { WeChatApiError } from '../../functions/adapters/wechat/errors.ts';
import { DynamoTokenStore, StableTokenManager } from '../../functions/adapters/wechat/tokens.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { ensureTables, localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { WeChatSandbox } from '../../lib/local/wechat-sandbox.ts';
import { v1Account } from '../fixtures/wechat.ts';

const bp = defineBlueprint({ ...blueprintInput, service: `wx-${randomUUID().slice(0, 8)}` });
const client = localClient(inject('dynamodbEndpoint'));
const doc = DynamoDBDocumentClient.from(client);
const table = (id: string) => localTableName(bp.service, id);
const subscribers = new DynamoSubscriberRepository(doc, table('subscribers'));
const at = '2026-11-16T01:00:00.000Z';

beforeAll(async () => {
  await ensureTables(client, bp);
});

async function fanout(partition: string) {
  const res = await doc.send(
    new QueryCommand({
      TableName: table('subscribers'),
      IndexName: 'fanout',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': partition },
    }),
  );
  return (res.Items ?? []).map((i) => i.gsi1sk as string);
}

describe('DynamoSubscriberRepository', () => {
  it('keeps a binding in the fan-out index exactly while its subscriber may be pushed', async () => {
    const ref = { channel: 'wechat' as const, id: `o-${randomUUID()}` };
    await subscribers.follow(ref, 'dev', at, null);
    expect(
      await subscribers.bind(ref, { plate: '京A12345', city: 'beijing', tail: 5, nev: false, boundAt: at }),
    ).toBe('bound');
    const s = (await subscribers.get(ref))!;
    const { fanoutSegment } = await import('../../functions/core/subscribers/fanout.ts');
    const { keys } = await import('../../functions/adapters/dynamodb/keys.ts');
    const partition = keys.fanout(fanoutSegment(s, s.bindings[0]!)!);
    expect(await fanout(partition)).toContain(`wechat#${ref.id}#京A12345`);

    await subscribers.setStatus(ref, 'opted-out', at);
    expect(await fanout(partition)).not.toContain(`wechat#${ref.id}#京A12345`);
    await subscribers.setStatus(ref, 'active', at);
    expect(await fanout(partition)).toContain(`wechat#${ref.id}#京A12345`);

    await subscribers.unfollow(ref, at);
    expect(await fanout(partition)).not.toContain(`wechat#${ref.id}#京A12345`);
    const raw = await doc.send(
      new QueryCommand({
        TableName: table('subscribers'),
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': `SUB#wechat#${ref.id}` },
      }),
    );
    const binding = raw.Items?.find((i) => i.sk === 'BIND#京A12345');
    expect(binding?.expiresAt).toBe(Math.floor(Date.parse(at) / 1000) + 30 * 86_400); // purged after 30 days

    await subscribers.follow(ref, 'dev', at, null);
    expect(await fanout(partition)).toContain(`wechat#${ref.id}#京A12345`);
    expect(await subscribers.unbind(ref)).toEqual(['京A12345']);
    expect(await fanout(partition)).not.toContain(`wechat#${ref.id}#京A12345`);
  });

  it('loses no change when 10 plates are bound to one subscriber concurrently: exactly 3 stick', async () => {
    const ref = { channel: 'wechat' as const, id: `o-${randomUUID()}` };
    await subscribers.follow(ref, 'dev', at, null);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        subscribers.bind(ref, { plate: `京A1000${i}`, city: 'beijing', tail: i, nev: false, boundAt: at }),
      ),
    );
    expect(outcomes.filter((o) => o === 'bound')).toHaveLength(3);
    expect((await subscribers.get(ref))?.bindings).toHaveLength(3);
  });
});

describe('DynamoInboundLog', () => {
  const log = new DynamoInboundLog(doc, table('inbound'));

  it('lets one delivery claim a message; the others read its state; async and send flip once', async () => {
    const key = `dev#o1#${randomUUID()}`;
    const now = Date.now();
    const claims = await Promise.all(Array.from({ length: 5 }, () => log.claim(key, now)));
    expect(claims.filter((c) => c === 'claimed')).toHaveLength(1);
    expect(claims.find((c) => c !== 'claimed')).toMatchObject({ state: 'processing' });
    expect(await Promise.all([log.markAsync(key), log.markAsync(key)])).toEqual(
      expect.arrayContaining([true, false]),
    );
    expect(await log.claimAsyncSend(key)).toBe(false); // not done yet
    await log.complete(key, '<xml><Content><![CDATA[hi]]></Content></xml>');
    expect(await Promise.all([log.claimAsyncSend(key), log.claimAsyncSend(key)])).toEqual(
      expect.arrayContaining([true, false]),
    );
  });

  it('treats an expired record as new even before TTL deletes it', async () => {
    const key = `dev#o2#${randomUUID()}`;
    const t0 = Date.now();
    expect(await log.claim(key, t0)).toBe('claimed');
    expect(await log.claim(key, t0 + 5_000)).not.toBe('claimed');
    expect(await log.claim(key, t0 + 16 * 60_000)).toBe('claimed');
  });
});

describe('StableTokenManager against the sandbox', () => {
  const sandbox = new WeChatSandbox();
  const sandboxFetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const body = init?.body ? JSON.parse(String(init.body)) : {};
    return new Response(
      JSON.stringify(sandbox.handle(init?.method ?? 'GET', url.pathname, url.searchParams, body)),
    );
  };
  const account = v1Account({ id: `acct-${randomUUID().slice(0, 4)}` });

  it('50 cold instances at once make few stable_token calls and share one token', async () => {
    const store = new DynamoTokenStore(doc, table('operations'));
    const managers = Array.from(
      { length: 50 },
      () => new StableTokenManager({ baseUrl: 'http://sandbox', store, fetch: sandboxFetch }),
    );
    const tokens = await Promise.all(managers.map((m) => m.get(account)));
    expect(new Set(tokens).size).toBe(1);
    const calls = managers.reduce((n, m) => n + m.fetches, 0);
    expect(calls).toBe(1);
    // A second wave (warm containers) makes no call at all.
    await Promise.all(managers.map((m) => m.get(account)));
    expect(managers.reduce((n, m) => n + m.fetches, 0)).toBe(calls);
    // New cold instances read the shared copy instead of calling WeChat.
    const late = new StableTokenManager({ baseUrl: 'http://sandbox', store, fetch: sandboxFetch });
    expect(await late.get(account)).toBe(tokens[0]);
    expect(late.fetches).toBe(0);
  });

  it('on 40001 refreshes once (compare-and-expire) and retries the call once; never loops', async () => {
    const store = new DynamoTokenStore(doc, table('operations'));
    const tokens = new StableTokenManager({ baseUrl: 'http://sandbox', store, fetch: sandboxFetch });
    const api = new WeChatApi({ baseUrl: 'http://sandbox', tokens, fetch: sandboxFetch, baseDelayMs: 1 });
    sandbox.faults.invalidTokenOnce = true;
    await api.sendText(account, 'o-someone', 'hello');
    expect(sandbox.outbox.at(-1)).toMatchObject({
      kind: 'custom',
      touser: 'o-someone',
      body: { text: { content: 'hello' } },
    });

    // A token WeChat keeps rejecting: one retry, then a typed error (no storm).
    const before = sandbox.stableTokenCalls;
    const rejecting: typeof fetch = async (input, init) => {
      const url = new URL(String(input));
      if (url.pathname === '/cgi-bin/stable_token') return sandboxFetch(input, init);
      return new Response(JSON.stringify({ errcode: 40001, errmsg: 'invalid credential' }));
    };
    const api2 = new WeChatApi({
      baseUrl: 'http://sandbox',
      tokens: new StableTokenManager({ baseUrl: 'http://sandbox', store, fetch: rejecting }),
      fetch: rejecting,
      baseDelayMs: 1,
    });
    await expect(api2.sendText(account, 'o-x', 'hi')).rejects.toMatchObject({
      errcode: 40001,
      action: 'token',
    });
    expect(sandbox.stableTokenCalls - before).toBeLessThanOrEqual(1);
  });

  it('classifies recipient, window and quota errors without retrying them', async () => {
    const tokens = new StableTokenManager({
      baseUrl: 'http://sandbox',
      store: new DynamoTokenStore(doc, table('operations')),
      fetch: sandboxFetch,
    });
    const api = new WeChatApi({ baseUrl: 'http://sandbox', tokens, fetch: sandboxFetch, baseDelayMs: 1 });
    sandbox.faults.unfollowed = ['o-gone'];
    await expect(api.sendText(account, 'o-gone', 'x')).rejects.toMatchObject({
      errcode: 43004,
      action: 'recipient',
      subscriberStatus: 'unfollowed',
    });
    sandbox.faults.quotaRemaining = 0;
    const error = await api.sendText(account, 'o-y', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeChatApiError);
    expect(error).toMatchObject({ errcode: 45009, action: 'abort' });
    sandbox.faults.quotaRemaining = null;
  });
});
