/**
 * WeChat end to end on the local stack (real blueprint, DynamoDB Local): a follower plays the
 * account through the simulator — follow, bind, 限行, TD — over HTTP with safe-mode encryption;
 * WeChat's retries with identical bodies; the asynchronous reply path through SNS → SQS →
 * send-wechat-reply → the sandbox outbox; and a customer-service send to an unfollowed user.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { accountsFromEnv } from '../../functions/adapters/wechat/accounts.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { buildRequest, messageXml, openReply, type SimulatedMessage } from '../../lib/local/wechat-user.ts';

const bp = defineBlueprint({ ...blueprintInput, service: `wxe-${Date.now().toString(36)}` });
process.env.STAGE = 'local';
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'wx-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  timeScale: 0.02,
});
const account = accountsFromEnv({})[0]!;
const doc = DynamoDBDocumentClient.from(localClient(inject('dynamodbEndpoint')));

beforeAll(() => stack.start());

/** The state the webhook leaves behind for a message it handed to the asynchronous path. */
async function handedOff(
  openid: string,
  state: 'done' | 'processing',
  content: string | null,
): Promise<string> {
  const dedupeKey = `dev#${openid}#${randomUUID()}`;
  await doc.send(
    new PutCommand({
      TableName: localTableName(bp.service, 'inbound'),
      Item: {
        pk: `IN#${dedupeKey}`,
        state,
        reply:
          content === null
            ? null
            : `<xml><ToUserName><![CDATA[${openid}]]></ToUserName><Content><![CDATA[${content}]]></Content></xml>`,
        async: true,
        asyncSent: false,
        claimedAt: Date.now(),
        expiresAt: Math.floor(Date.now() / 1000) + 900,
      },
    }),
  );
  return dedupeKey;
}
afterAll(() => stack.stop());

async function post(
  openid: string,
  m: SimulatedMessage,
  request = buildRequest(account, messageXml(m, openid, 'gh_local', Math.floor(Date.now() / 1000)), {
    encrypted: true,
  }),
) {
  const res = await fetch(`${stack.endpoint}/webhooks/wechat/dev?${request.query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: request.body,
  });
  return { status: res.status, reply: openReply(account, await res.text()).content, request };
}

describe('a follower on the local stack', () => {
  it('follows, binds, asks 限行, unsubscribes', async () => {
    const me = `o-${randomUUID()}`;
    expect(
      (await post(me, { kind: 'event', event: 'subscribe', eventKey: 'qrscene_poster' })).reply,
    ).toContain('感谢关注');
    expect((await post(me, { kind: 'text', text: '绑定 京A12345' })).reply).toContain('已绑定 京A·12345');
    expect((await post(me, { kind: 'text', text: '限行' })).reply).toMatch(/北京/);
    expect((await post(me, { kind: 'text', text: 'TD' })).reply).toContain('您已退订');
    const { reply, status } = await post(me, { kind: 'event', event: 'unsubscribe' });
    expect(status).toBe(200);
    expect(reply).toBeNull();
  });

  it('records a template job’s outcome by msgid and marks a citizen who blocked the account', async () => {
    const me = `o-${randomUUID()}`;
    await post(me, { kind: 'event', event: 'subscribe' });
    const { status } = await post(me, {
      kind: 'event',
      event: 'TEMPLATESENDJOBFINISH',
      extra: { MsgID: '1700827132819554304', Status: 'failed:user block' },
    });
    expect(status).toBe(200);
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const outcome = await doc.send(
      new GetCommand({
        TableName: localTableName(bp.service, 'operations'),
        Key: { pk: `WXMSG#${account.appId}#1700827132819554304`, sk: 'OUTCOME' },
      }),
    );
    expect(outcome.Item).toMatchObject({
      openid: me,
      status: 'failed:user block',
      msgId: '1700827132819554304',
    });
    const { DynamoSubscriberRepository } = await import('../../functions/adapters/dynamodb/subscribers.ts');
    const s = await new DynamoSubscriberRepository(doc, localTableName(bp.service, 'subscribers')).get({
      channel: 'wechat',
      id: me,
    });
    expect(s?.status).toBe('blocked');
  });

  it('answers URL verification with echostr', async () => {
    const q = buildRequest(account, messageXml({ kind: 'text', text: 'x' }, 'o', 'gh', 1), {
      encrypted: false,
    }).query;
    const res = await fetch(`${stack.endpoint}/webhooks/wechat/dev?${q}&echostr=hello-wechat`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('hello-wechat');
  });

  it('a message retried at 5 s and 10 s with identical bodies binds once and gets the same reply', async () => {
    const me = `o-${randomUUID()}`;
    const first = await post(me, { kind: 'text', text: '绑定 京B54321' });
    const again = await post(me, { kind: 'text', text: 'ignored' }, first.request);
    const third = await post(me, { kind: 'text', text: 'ignored' }, first.request);
    expect([again.reply, third.reply]).toEqual([first.reply, first.reply]);
    expect(first.reply).toContain('已绑定 京B·54321');
  });

  it('bad signatures are 401 and unknown accounts 404, over HTTP too', async () => {
    const req = buildRequest(
      account,
      messageXml({ kind: 'text', text: 'x' }, 'o', 'gh', Math.floor(Date.now() / 1000)),
      { encrypted: true },
    );
    const forged = req.query.replace(/msg_signature=[0-9a-f]{40}/, `msg_signature=${'0'.repeat(40)}`);
    expect(
      (await fetch(`${stack.endpoint}/webhooks/wechat/dev?${forged}`, { method: 'POST', body: req.body }))
        .status,
    ).toBe(401);
    expect(
      (await fetch(`${stack.endpoint}/webhooks/wechat/nope?${req.query}`, { method: 'POST', body: req.body }))
        .status,
    ).toBe(404);
  });
});

describe('asynchronous replies', () => {
  it('sends the stored reply of a slow message through the customer-service API exactly once', async () => {
    const openid = `o-${randomUUID()}`;
    await post(openid, { kind: 'event', event: 'subscribe' }); // the citizen wrote to us just now
    const dedupeKey = await handedOff(openid, 'done', '迟到的回复');
    const job = { accountId: 'dev', openid, dedupeKey, inbound: { kind: 'text', text: '限行' } };
    stack.publish('wechat-replies', JSON.stringify(job));
    stack.publish('wechat-replies', JSON.stringify(job)); // a duplicate job changes nothing
    await vi.waitFor(() => expect(stack.wechat.outbox.filter((o) => o.touser === openid)).toHaveLength(1), {
      timeout: 10_000,
    });
    await stack.queues.get('wechat-replies')!.drained();
    expect(stack.wechat.outbox.filter((o) => o.touser === openid)).toHaveLength(1);
    expect(stack.wechat.outbox.find((o) => o.touser === openid)?.body).toEqual({
      touser: openid,
      msgtype: 'text',
      text: { content: '迟到的回复' },
    });
  });

  it('tells the citizen, once, when a message’s first attempt never finished (never re-runs it)', async () => {
    const openid = `o-${randomUUID()}`;
    await post(openid, { kind: 'event', event: 'subscribe' });
    const dedupeKey = await handedOff(openid, 'processing', null);
    stack.publish(
      'wechat-replies',
      JSON.stringify({ accountId: 'dev', openid, dedupeKey, inbound: { kind: 'text', text: '4' } }),
    );
    await vi.waitFor(() => expect(stack.wechat.outbox.some((o) => o.touser === openid)).toBe(true), {
      timeout: 15_000,
    });
    expect(JSON.stringify(stack.wechat.outbox.find((o) => o.touser === openid)?.body)).toContain(
      '请稍后重新发送',
    );
  });

  it('drops a reply whose 48-hour customer-service window has closed, without calling WeChat', async () => {
    const openid = `o-${randomUUID()}`;
    const { DynamoSubscriberRepository } = await import('../../functions/adapters/dynamodb/subscribers.ts');
    await new DynamoSubscriberRepository(doc, localTableName(bp.service, 'subscribers')).follow(
      { channel: 'wechat', id: openid },
      'dev',
      new Date(Date.now() - 49 * 3600_000).toISOString(),
      null,
    );
    const dedupeKey = await handedOff(openid, 'done', 'too late');
    stack.publish(
      'wechat-replies',
      JSON.stringify({ accountId: 'dev', openid, dedupeKey, inbound: { kind: 'text', text: 'x' } }),
    );
    await stack.queues.get('wechat-replies')!.drained();
    expect(stack.wechat.outbox.filter((o) => o.touser === openid)).toEqual([]);
  });

  it('marks a subscriber unfollowed when the customer-service API says 43004, and does not retry', async () => {
    const openid = `o-${randomUUID()}`;
    await post(openid, { kind: 'event', event: 'subscribe' });
    stack.wechat.faults.unfollowed = [openid];
    const dedupeKey = await handedOff(openid, 'done', 'hi');
    stack.publish(
      'wechat-replies',
      JSON.stringify({ accountId: 'dev', openid, dedupeKey, inbound: { kind: 'text', text: 'x' } }),
    );
    await stack.queues.get('wechat-replies')!.drained();
    expect(stack.queues.get('wechat-replies')!.deadLetters).toHaveLength(0);
    const { DynamoSubscriberRepository } = await import('../../functions/adapters/dynamodb/subscribers.ts');
    const s = await new DynamoSubscriberRepository(doc, localTableName(bp.service, 'subscribers')).get({
      channel: 'wechat',
      id: openid,
    });
    expect(s?.status).toBe('unfollowed');
  });
});
