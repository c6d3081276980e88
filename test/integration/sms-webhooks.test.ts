/**
 * receive-sms in process (the handler module with the environment the local stack gives it) against
 * DynamoDB Local: replies through the conversation, receipts onto delivery records, and the bad
 * input of issue #5 — none of it a 500, duplicates changing nothing.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEV_SMS_DEFAULTS } from '../../functions/adapters/sms/settings.ts';
import { phoneId } from '../../functions/core/sms/numbers.ts';
import { blueprint } from '../../lib/blueprint.ts';
import { SmsSandbox } from '../../lib/local/sms-sandbox.ts';
import { envNames } from '../../schemas/resource-env.ts';
import { httpEvent, lambdaContext } from '../fixtures/api-gateway.ts';
import { type SmsTables, smsTables } from '../fixtures/sms.ts';

const sandbox = new SmsSandbox();
let server: Awaited<ReturnType<SmsSandbox['listen']>>;
let db: SmsTables;
let handler: (e: unknown, c: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
const pepper = Buffer.from(DEV_SMS_DEFAULTS.SMS_PEPPER, 'base64');
const TOKEN = DEV_SMS_DEFAULTS.SMS_CALLBACK_SECRET_TENCENT;
const ALI_TOKEN = DEV_SMS_DEFAULTS.SMS_CALLBACK_SECRET_ALIYUN;
let t = 1_795_300_000;

function post(path: string, body: unknown, query: Record<string, string> = { token: TOKEN }) {
  const provider = path.split('/')[3]!;
  const event = httpEvent({
    method: 'POST',
    path,
    rawQueryString: new URLSearchParams(query).toString(),
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(path.endsWith('/receipts') ? { pathParameters: { provider } } : {}),
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return handler(event, lambdaContext);
}
const tencentReply = (mobile: string, text: string) => ({
  extend: '',
  mobile,
  nationcode: '86',
  sign: '城市交警',
  text,
  time: ++t,
});
const ref = (mobile: string) => ({ channel: 'sms' as const, id: phoneId(pepper, `+86${mobile}`) });

beforeAll(async () => {
  server = await sandbox.listen();
  db = await smsTables(inject('dynamodbEndpoint'), 'smshook');
  const service = Object.values(db.tables)[0]!.replace(/-subscribers$/, '');
  // Every table its blueprint entry grants (the desk's too: an SMS citizen's case words reach it).
  for (const id of Object.keys(blueprint.functions['receive-sms']!.tables))
    process.env[envNames.table(id)] = `${service}-${id}`;
  // The topics it may publish to (nothing here publishes: no WX <code> link in these tests).
  for (const topic of blueprint.functions['receive-sms']!.publishes ?? [])
    process.env[envNames.topic(topic)] = `arn:aws:sns:cn-north-1:000000000000:${topic}`;
  Object.assign(process.env, blueprint.functions['receive-sms']!.environment, {
    STAGE: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamodbEndpoint'),
    SMS_API_ENDPOINT: server.url,
  });
  handler = (await import('../../functions/receive-sms/handler.ts')).handler as typeof handler;
});
afterAll(async () => server.stop());

describe('SMS replies', () => {
  it('TD from a subscriber opts the number out at once and answers Tencent so it does not retry', async () => {
    const mobile = '13800138001';
    await db.subscribers.touch(ref(mobile), 'sms', '2026-11-15T08:00:00Z');
    const res = await post('/webhooks/sms/tencent/replies', tencentReply(mobile, 'TD'));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(String(res.body))).toEqual({ result: 0, errmsg: 'OK' });
    expect((await db.subscribers.get(ref(mobile)))?.status).toBe('opted-out');
    // Interactive SMS is off in this deployment: applied and recorded, nothing sent.
    expect(sandbox.outbox).toHaveLength(0);
  });

  it.each(['T', 'R', 'N', '退订', 'ｔｄ'])('%s opts out as well', async (text) => {
    const mobile = `1390000${String(text.codePointAt(0)).padStart(4, '0').slice(-4)}`;
    await db.subscribers.touch(ref(mobile), 'sms', '2026-11-15T08:00:00Z');
    expect((await post('/webhooks/sms/tencent/replies', tencentReply(mobile, text))).statusCode).toBe(200);
    expect((await db.subscribers.get(ref(mobile)))?.status).toBe('opted-out');
  });

  it('a number never seen: TD and 限行 create nothing; BD <plate> creates the subscriber with its number encrypted', async () => {
    const mobile = '13700137002';
    await post('/webhooks/sms/tencent/replies', tencentReply(mobile, 'TD'));
    await post('/webhooks/sms/tencent/replies', tencentReply(mobile, '限行'));
    expect(await db.subscribers.get(ref(mobile))).toBeUndefined();

    const res = await post('/webhooks/sms/tencent/replies', tencentReply(mobile, 'BD 京A12345'));
    expect(res.statusCode).toBe(200);
    const s = await db.subscribers.get(ref(mobile));
    expect(s).toMatchObject({ channel: 'sms', status: 'active' });
    expect(s?.bindings.map((b) => b.plate)).toEqual(['京A12345']);
    const contact = await db.contacts.get(ref(mobile).id);
    expect(contact?.phone).toMatch(/^v1\./);
    expect(JSON.stringify(contact)).not.toContain(mobile);
  });

  it('Aliyun replies, as a batch, answered {"code":0,"msg":"接收成功"}', async () => {
    const a = '13600136003';
    const b = '13600136004';
    for (const m of [a, b]) await db.subscribers.touch(ref(m), 'sms', '2026-11-15T08:00:00Z');
    const res = await post(
      '/webhooks/sms/aliyun/replies',
      [a, b].map((m, i) => ({
        phone_number: m,
        content: '退订',
        send_time: '2026-11-16 09:00:00',
        dest_code: '1234',
        sequence_id: 9000 + i,
      })),
      { token: ALI_TOKEN },
    );
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(String(res.body))).toEqual({ code: 0, msg: '接收成功' });
    for (const m of [a, b]) expect((await db.subscribers.get(ref(m)))?.status).toBe('opted-out');
  });

  it('a duplicate callback changes nothing', async () => {
    const mobile = '13500135005';
    await db.subscribers.touch(ref(mobile), 'sms', '2026-11-15T08:00:00Z');
    const td = tencentReply(mobile, 'TD');
    expect((await post('/webhooks/sms/tencent/replies', td)).statusCode).toBe(200);
    await db.subscribers.setStatus(ref(mobile), 'active', '2026-11-16T09:10:00Z'); // resubscribed meanwhile
    const again = await post('/webhooks/sms/tencent/replies', td);
    expect(again.statusCode).toBe(200);
    expect((await db.subscribers.get(ref(mobile)))?.status).toBe('active');
  });
});

describe('SMS receipts', () => {
  it('update the delivery record by message id; a duplicate changes nothing', async () => {
    await db.messages.record({
      provider: 'tencent',
      messageId: 'sid-known-1',
      subscriberId: 'x',
      kind: 'restriction-reminder',
      pushKey: 'p',
      runKey: 'r',
      parts: 1,
      costFen: 4,
      sentAt: '2026-11-16T01:00:00Z',
    });
    const receipt = {
      user_receive_time: '2026-11-16 09:00:05',
      nationcode: '86',
      mobile: '13800138000',
      report_status: 'SUCCESS',
      errmsg: 'DELIVRD',
      description: '用户短信接收成功',
      sid: 'sid-known-1',
    };
    const res = await post('/webhooks/sms/tencent/receipts', [receipt]);
    expect(res.statusCode).toBe(200);
    const after = await db.messages.get('tencent', 'sid-known-1');
    expect(after).toMatchObject({
      status: 'delivered',
      reportCode: 'DELIVRD',
      reportedAt: '2026-11-16T01:00:05.000Z', // Beijing 09:00:05, as an instant
    });
    expect((await post('/webhooks/sms/tencent/receipts', [receipt])).statusCode).toBe(200);
    expect(await db.messages.get('tencent', 'sid-known-1')).toEqual(after);
  });

  it('an Aliyun receipt for an unknown message id is accepted (so it is not retried) and creates nothing', async () => {
    const res = await post(
      '/webhooks/sms/aliyun/receipts',
      {
        phone_number: '13800138000',
        send_time: '2026-11-16 09:00:00',
        report_time: '2026-11-16 09:00:05',
        success: false,
        err_code: 'MK:0001',
        err_msg: '用户关机',
        sms_size: '1',
        biz_id: 'no-such-biz-id',
        out_id: null,
      },
      { token: ALI_TOKEN },
    );
    expect(res.statusCode).toBe(200);
    expect(await db.messages.get('aliyun', 'no-such-biz-id')).toBeUndefined();
  });
});

describe('bad input: never a 500', () => {
  const mobile = '13300133006';
  it.each([
    ['no token', {}, 401],
    ['a wrong token', { token: 'local-tencent-callback-secreT' }, 401],
    ["the other provider's token", { token: ALI_TOKEN }, 401],
  ])('%s → 401 in Tencent’s shape', async (_, query, status) => {
    const res = await post('/webhooks/sms/tencent/replies', tencentReply(mobile, 'BD 京A12345'), query);
    expect(res.statusCode).toBe(status);
    expect(JSON.parse(String(res.body))).toMatchObject({ result: 1 });
    expect(await db.subscribers.get(ref(mobile))).toBeUndefined();
  });

  it('an unknown provider → 404', async () => {
    const res = await post('/webhooks/sms/huawei/receipts', [], { token: TOKEN });
    expect(res.statusCode).toBe(404);
  });

  it.each([
    ['malformed JSON', '{"mobile": "1380013'],
    ['a missing field', { mobile, nationcode: '86', text: 'TD' }],
    ['an empty batch', []],
    ['a 10,000-character text', { ...tencentReply(mobile, 'x'.repeat(10_000)) }],
  ])('%s → 400', async (_, body) => {
    const res = await post('/webhooks/sms/tencent/replies', body);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(String(res.body))).toMatchObject({ result: 1 });
  });

  it('a reply from a number outside mainland China is accepted and ignored', async () => {
    const res = await post('/webhooks/sms/tencent/replies', {
      ...tencentReply('2025550123', 'BD 京A12345'),
      nationcode: '1',
    });
    expect(res.statusCode).toBe(200);
  });
});
