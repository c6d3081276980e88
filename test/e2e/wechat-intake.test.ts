/**
 * What the WeChat webhook lets in and how it answers under contention, on the local stack over
 * HTTP (issue #19): a follower's 30 messages at once each get their own answer in the synchronous
 * reply (optimistic conflicts on the profile are retried, bounded and jittered); a signed message
 * whose sender is not an openid (missing, 2,100 characters) is answered `success` and creates no
 * subscriber, no inbound record, nothing a push could reach.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { accountsFromEnv } from '../../functions/adapters/wechat/accounts.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { buildRequest, messageXml, openReply, type SimulatedMessage } from '../../lib/local/wechat-user.ts';

process.env.STAGE = 'local';
const bp = defineBlueprint({ ...blueprintInput, service: `wxin-${Date.now().toString(36)}` });
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'wxin-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  timeScale: 0.02,
});
const account = accountsFromEnv({})[0]!;
const doc = DynamoDBDocumentClient.from(localClient(inject('dynamodbEndpoint')));

beforeAll(() => stack.start());
afterAll(() => stack.stop());

async function send(openid: string, m: SimulatedMessage) {
  const req = buildRequest(account, messageXml(m, openid, 'gh_local', Math.floor(Date.now() / 1000)), {
    encrypted: true,
  });
  const res = await fetch(`${stack.endpoint}/webhooks/wechat/dev?${req.query}`, {
    method: 'POST',
    body: req.body,
  });
  return { status: res.status, body: await res.text() };
}

const items = async (table: 'subscribers' | 'inbound') =>
  (await doc.send(new ScanCommand({ TableName: localTableName(bp.service, table) }))).Items ?? [];

describe('a follower’s concurrent messages', () => {
  it('30 at once: each is answered in its own synchronous reply, none "系统繁忙"', async () => {
    const openid = 'oConcurrent0000000000000000A';
    await send(openid, { kind: 'event', event: 'subscribe' });
    const messages = [
      ...Array.from({ length: 27 }, (_, i) => `尾号${i % 10}`),
      '绑定 京A12340',
      '绑定 京A12341',
      '绑定 京A12342',
    ];
    const began = performance.now();
    const replies = await Promise.all(messages.map((text) => send(openid, { kind: 'text', text })));
    const elapsed = performance.now() - began;
    replies.forEach((r, i) => {
      expect(r.status).toBe(200);
      const { content } = openReply(account, r.body);
      expect(content, `${messages[i]} was answered ${r.body}`).not.toBeNull();
      expect(content).not.toContain('系统繁忙');
      const text = messages[i]!;
      if (text.startsWith('尾号')) expect(content).toContain(`尾号 ${text.slice(2)}：`);
      else expect(content).toContain(`已绑定 京A·${text.slice(5)}`);
    });
    expect(elapsed).toBeLessThan(3500 * 2);
    const bindings = (await items('subscribers')).filter(
      (i) => i.pk === `SUB#wechat#${openid}` && String(i.sk).startsWith('BIND#'),
    );
    expect(bindings.map((b) => b.plate).sort()).toEqual(['京A12340', '京A12341', '京A12342']);
  }, 30_000);
});

describe('senders that are not openids', () => {
  it.each([
    ['no FromUserName', ''],
    ['a 2,100-character FromUserName', `o${'x'.repeat(2099)}`],
    ['a FromUserName with a space', 'o has space'],
  ])('%s: answered success, nothing stored', async (_name, from) => {
    const before = {
      subscribers: (await items('subscribers')).length,
      inbound: (await items('inbound')).length,
    };
    const res = await send(from, { kind: 'text', text: '绑定 京A12345' });
    expect(res).toEqual({ status: 200, body: 'success' });
    expect((await items('subscribers')).length).toBe(before.subscribers);
    expect((await items('inbound')).length).toBe(before.inbound);
  });
});
