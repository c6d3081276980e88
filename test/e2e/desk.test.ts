/**
 * The service desk end to end on the local stack (real blueprint, DynamoDB Local, the WeChat, SMS and
 * 12345 sandboxes, S3 as files), over the real webhook:
 *  - "投诉 …" opens a case and is acknowledged with its number and answer time; a photo and a voice
 *    message attach to it (the photo copied from WeChat's temporary media into storage);
 *  - an officer's answer reaches the outbox as a customer-service message; after the window, as the
 *    desk notice whose link opens the case page (and a forged link does not);
 *  - two officers answering at once: one wins, the other gets a 409 saying why;
 *  - an SMS case (LY …), acknowledged and answered by SMS; a 12345 ticket with a forged HMAC refused,
 *    a good one accepted (once), its answer returned through the platform sandbox;
 *  - escalation of an overdue case, shown in the 督办 list.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { replyCallback } from '../../lib/local/sms-user.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import type { SimulatedMessage } from '../../lib/local/wechat-user.ts';
import { declaredRoutes, isJsonRoute } from '../../schemas/routes.ts';
import { sayOnWeChat } from '../fixtures/follower.ts';
import { signedTicket } from '../fixtures/platform-12345.ts';

process.env.STAGE = 'local';
// Monday 2026-11-23 10:00 in Shanghai: a working day, so the deadlines are a few hours away.
process.env.LOCAL_TIME_OFFSET_MS = String(Date.parse('2026-11-23T10:00:00+08:00') - Date.now());
const DESK_TEMPLATE = {
  id: 'tpl-desk',
  fields: { character_string1: '{number}', thing2: '{subject}', thing3: '{summary}', time4: '{answered}' },
  url: 'case-page',
};
process.env.WECHAT_TEMPLATES = JSON.stringify({ desk: DESK_TEMPLATE });

const bp = defineBlueprint({ ...blueprintInput, service: `desk-${Date.now().toString(36)}` });
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'desk-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  timeScale: 0.02,
});
const doc = DynamoDBDocumentClient.from(localClient(inject('dynamodbEndpoint')));
const citizen = 'o-desk-citizen-1';
/** The smallest PNG (1×1), and an AMR recording's header. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const AMR = Buffer.concat([Buffer.from('#!AMR\n'), randomBytes(64)]);

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely in assertions
type Json = Record<string, any>;
/** The declared success schema of the JSON route a call reaches (the console's types come from it). */
function declaredSchema(method: string, path: string) {
  const bare = path.split('?')[0]!;
  const found = declaredRoutes.find(({ key }) => {
    const [m, p] = key.split(' ');
    return m === method && new RegExp(`^${p!.replace(/\{\w+\}/g, '[^/]+')}$`).test(bare);
  });
  return found && isJsonRoute(found.route) ? found.route.response.schema : undefined;
}
async function call(method: string, path: string, sub: string, roles: string[], body?: unknown) {
  const res = await fetch(`${stack.endpoint}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.issueToken(sub, roles)}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Json;
  // Every answer the desk gives is what its route declares (strict: no field undeclared, none missing).
  if (res.ok) {
    const checked = declaredSchema(method, path)?.safeParse(json);
    expect(checked?.success, `${method} ${path}: ${checked?.error?.message}`).toBe(true);
  }
  return { status: res.status, body: json };
}
const tom = (method: string, path: string, body?: unknown) => call(method, path, 'tom', ['officer'], body);
const sam = (method: string, path: string, body?: unknown) => call(method, path, 'sam', ['supervisor'], body);

const say = (m: SimulatedMessage, openid = citizen) => sayOnWeChat(stack, m, openid);

const drained = async () => {
  for (const q of ['desk-answers', 'desk-media']) await stack.queues.get(q)!.drained(30_000);
};
/** A citizen's SMS reply as Tencent posts it. */
async function smsReply(endpoint: string, from: string, text: string) {
  const c = replyCallback('tencent', from, text);
  return fetch(`${endpoint}${c.path}?${c.query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: c.body,
  });
}
const outbox = (kind: string, touser: string) =>
  stack.wechat.outbox.filter((e) => e.kind === kind && e.touser === touser);

beforeAll(async () => {
  await stack.start();
  stack.wechat.faults.templates = {
    [DESK_TEMPLATE.id]: Object.fromEntries(Object.keys(DESK_TEMPLATE.fields).map((k) => [k, null])),
  };
}, 120_000);
afterAll(() => stack.stop());

describe('a citizen’s case over WeChat', () => {
  let number = '';

  it('“投诉 …” opens a case, acknowledged with its number and the expected answer time', async () => {
    await say({ kind: 'event', event: 'subscribe' });
    const ack = await say({ kind: 'text', text: '投诉 幸福路与和平街路口每天早上违停严重，公交车过不去' });
    const m = /编号 (\d{10})/.exec(ack);
    expect(m, ack).not.toBeNull();
    number = m![1]!;
    expect(ack).toContain('11月24日 10:00 前答复'); // a complaint: 8 working hours
    const got = await tom('GET', `/v1/admin/desk/cases/${number}`);
    expect(got.status).toBe(200);
    expect(got.body.case).toMatchObject({
      status: 'new',
      unit: 'traffic-order',
      category: 'complaint',
      channel: 'wechat',
    });
    // "你好" from someone without a case opens none: the menu, with how to reach an officer.
    const hello = await say({ kind: 'text', text: '你好' }, 'o-desk-citizen-3');
    expect(hello).not.toContain('编号');
    expect(hello).toContain('留言 + 内容');
    expect((await sam('GET', '/v1/admin/desk/cases?view=new')).body.cases).toHaveLength(1);
  });

  it('a photo and a voice message attach to it; the photo is kept from WeChat’s temporary media', async () => {
    stack.wechat.putMedia('m-photo-1', PNG, 'image/jpeg');
    stack.wechat.putMedia('m-voice-1', AMR, 'audio/amr');
    const photo = await say({
      kind: 'message',
      msgType: 'image',
      fields: { PicUrl: 'https://mmbiz.example/p', MediaId: 'm-photo-1' },
    });
    expect(photo).toContain(`已附加到您的留言（编号 ${number}）`);
    const voice = await say({
      kind: 'message',
      msgType: 'voice',
      fields: { MediaId: 'm-voice-1', Format: 'amr', Recognition: '早上七点到九点最严重' },
    });
    expect(voice).toContain(`已补充到您的留言（编号 ${number}）`);
    await drained();
    const { body } = await tom('GET', `/v1/admin/desk/cases/${number}`);
    const attachments = body.messages.filter((m: Json) => m.attachment).map((m: Json) => m.attachment);
    expect(attachments).toMatchObject([
      { type: 'image', state: 'stored', contentType: 'image/png', bytes: PNG.length },
      { type: 'voice', state: 'stored', contentType: 'audio/amr', recognition: '早上七点到九点最严重' },
    ]);
    const content = await tom('GET', `/v1/admin/desk/cases/${number}/attachments/${attachments[0].id}`);
    expect(Buffer.from(content.body.base64, 'base64').equals(PNG)).toBe(true);
    // Only staff who may see the case: an officer of another unit may not.
    expect(
      (
        await call('GET', `/v1/admin/desk/cases/${number}/attachments/${attachments[0].id}`, 'olga', [
          'officer',
        ])
      ).status,
    ).toBe(403);
  });

  it('two officers answering at once: one wins, the other gets a 409 that says why', async () => {
    const { version } = (await tom('GET', `/v1/admin/desk/cases/${number}`)).body.case;
    const [a, b] = await Promise.all([
      tom('POST', `/v1/admin/desk/cases/${number}/answer`, {
        version,
        text: '已安排民警早高峰到该路口巡查，违停车辆将依法处理。',
      }),
      sam('POST', `/v1/admin/desk/cases/${number}/answer`, { version, text: '收到，我们会处理。' }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const lost = a.status === 409 ? a : b;
    expect(lost.body.detail).toMatch(/changed after you read it .*answer/);
    expect(lost.body.currentVersion).toBe(version + 1);
  });

  it('the answer reaches the outbox as a customer-service message within the window', async () => {
    await drained();
    const sent = outbox('custom', citizen);
    expect(sent).toHaveLength(1);
    expect((sent[0]!.body.text as { content: string }).content).toContain(
      `您的留言（编号 ${number}）答复如下`,
    );
    const { body } = await tom('GET', `/v1/admin/desk/cases/${number}`);
    expect(body.case.status).toBe('replied');
    expect(body.messages.find((m: Json) => m.from === 'officer').delivery).toMatchObject({
      via: 'customer-service',
      status: 'sent',
    });
  });

  it('after the window, the answer reaches it as the desk notice whose link opens the case page', async () => {
    await doc.send(
      new DeleteCommand({
        TableName: localTableName(bp.service, 'subscribers'),
        Key: keys.customerServiceWindow(citizen),
      }),
    );
    const { version } = (await tom('GET', `/v1/admin/desk/cases/${number}`)).body.case;
    const again = await tom('POST', `/v1/admin/desk/cases/${number}/answer`, {
      version,
      text: '本周起该路口已设置违停抓拍。',
    });
    expect(again.status).toBe(200);
    await drained();
    const [notice] = outbox('template', citizen);
    expect(notice?.body).toMatchObject({ template_id: 'tpl-desk' });
    expect((notice!.body.data as Json).character_string1.value).toBe(number);
    const url = String(notice!.body.url);
    expect(url).toMatch(new RegExp(`/c/${number}\\?e=\\d+&t=[A-Za-z0-9_-]{43}$`));
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('本周起该路口已设置违停抓拍。');
    expect(html).toContain('［图片］');
    const forged = await fetch(url.replace(/t=[^&]+$/, `t=${'A'.repeat(43)}`));
    expect(forged.status).toBe(403);
  });

  it('when WeChat says the window is closed (45015) though we counted it open, the answer becomes the notice', async () => {
    const other = 'o-desk-citizen-4';
    const ack = await say({ kind: 'text', text: '咨询 二环路夜间施工到什么时候' }, other);
    const theirs = /编号 (\d{10})/.exec(ack)![1]!;
    stack.wechat.faults = { ...stack.wechat.faults, windowClosed: [other] };
    const { version } = (await sam('GET', `/v1/admin/desk/cases/${theirs}`)).body.case;
    await sam('POST', `/v1/admin/desk/cases/${theirs}/answer`, { version, text: '施工至本月底。' });
    await drained();
    expect(outbox('custom', other)).toEqual([]);
    const [notice] = outbox('template', other);
    expect((notice!.body.data as Json).character_string1.value).toBe(theirs);
    expect(String(notice!.body.url)).toMatch(new RegExp(`/c/${theirs}\\?e=\\d+&t=`));
    const answer = (await sam('GET', `/v1/admin/desk/cases/${theirs}`)).body.messages.find(
      (m: Json) => m.from === 'officer',
    );
    expect(answer.delivery).toMatchObject({ via: 'template', status: 'sent' });
    stack.wechat.faults = { ...stack.wechat.faults, windowClosed: [] };
  });

  it('“查询留言” lists the case; closing asks for satisfaction, and 1–3 records it', async () => {
    expect(await say({ kind: 'text', text: '查询留言' })).toContain(`${number} 投诉 已答复`);
    const { version } = (await tom('GET', `/v1/admin/desk/cases/${number}`)).body.case;
    expect((await tom('POST', `/v1/admin/desk/cases/${number}/close`, { version })).status).toBe(200);
    await drained();
    expect(await say({ kind: 'text', text: '1' })).toContain('评价已记录');
    expect((await tom('GET', `/v1/admin/desk/cases/${number}`)).body.case.satisfaction).toBe(1);
  });
});

describe('an SMS case', () => {
  it('“LY …” opens a case acknowledged by SMS; the officer’s answer goes by SMS; a reply attaches', async () => {
    const before = stack.sms.outbox.length;
    const res = await smsReply(stack.endpoint, '13800138123', 'LY 请问驾驶证到期了怎么换证');
    expect(res.status).toBe(200);
    await drained();
    const sent = () => stack.sms.outbox.slice(before);
    const ack = sent().find((m) => m.reference === 'desk:desk-acknowledgement');
    expect(ack, JSON.stringify(sent())).toMatchObject({
      phone: '13800138123',
      params: [expect.any(String), '11月23日 14:00'],
    });
    const number = (ack!.params as string[])[0]!;
    const c = (await sam('GET', `/v1/admin/desk/cases/${number}`)).body.case;
    expect(c).toMatchObject({ channel: 'sms', unit: 'vehicle-admin', category: 'consultation' });
    expect(JSON.stringify(c)).not.toContain('13800138123'); // stored sealed
    await smsReply(stack.endpoint, '13800138123', '我的驾驶证是C1');
    const thread = (await sam('GET', `/v1/admin/desk/cases/${number}`)).body.messages;
    expect(thread.some((m: Json) => m.text === '我的驾驶证是C1')).toBe(true);
    const version = (await sam('GET', `/v1/admin/desk/cases/${number}`)).body.case.version;
    await sam('POST', `/v1/admin/desk/cases/${number}/answer`, {
      version,
      text: '可在交管12123申请期满换证。',
    });
    await drained();
    expect(sent().find((m) => m.reference === 'desk:desk-answer')?.params).toEqual([
      number,
      '可在交管12123申请期满换证。',
    ]);
  });
});

describe('the 12345 platform', () => {
  const post = (body: string, over: Record<string, string> = {}) => {
    const call = signedTicket(body);
    return fetch(`${stack.endpoint}${call.path}`, {
      method: 'POST',
      headers: { ...call.headers, ...over },
      body,
    });
  };
  const ticket = JSON.stringify({
    ticketId: 'GD20261123-0042',
    category: 'complaint',
    text: '市民反映建设路红绿灯故障',
  });

  it('refuses a forged HMAC and a replayed call, accepts a good one once per ticket', async () => {
    const forged = await post(ticket, { 'x-platform-signature': 'f'.repeat(64) });
    expect(forged.status).toBe(401);
    const good = await post(ticket);
    expect(good.status).toBe(201);
    const accepted = (await good.json()) as Json;
    expect(accepted).toMatchObject({ ticketId: 'GD20261123-0042', duplicate: false });
    const again = await post(ticket);
    expect(again.status).toBe(200);
    expect(((await again.json()) as Json).caseNumber).toBe(accepted.caseNumber);
    // The same signed call again: a replay.
    const { headers } = signedTicket(ticket, { nonce: 'replayreplayreplay01' });
    expect((await post(ticket, headers)).status).toBe(200);
    const replay = await post(ticket, headers);
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as Json).error).toContain('replay');
  });

  it('returns the answer to the platform through the sandbox', async () => {
    const number = (await sam('GET', '/v1/admin/desk/cases?view=new')).body.cases.find(
      (c: Json) => c.channel === '12345',
    ).number;
    const { version } = (await sam('GET', `/v1/admin/desk/cases/${number}`)).body.case;
    await sam('POST', `/v1/admin/desk/cases/${number}/answer`, {
      version,
      text: '已通知信号灯维护单位，今日修复。',
    });
    await drained();
    expect(stack.platform12345.outbox.at(-1)).toMatchObject({
      verified: true,
      body: { ticketId: 'GD20261123-0042', caseNumber: number, text: '已通知信号灯维护单位，今日修复。' },
    });
    // Two people closing it at once: one closes it, the other is told who did.
    const { version: v } = (await sam('GET', `/v1/admin/desk/cases/${number}`)).body.case;
    const [a, b] = await Promise.all([
      sam('POST', `/v1/admin/desk/cases/${number}/close`, { version: v }),
      call('POST', `/v1/admin/desk/cases/${number}/close`, 'ada', ['admin'], { version: v }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const lost = a.status === 409 ? a : b;
    const winner = a.status === 409 ? 'ada' : 'sam';
    expect(lost.body.detail).toMatch(
      new RegExp(`changed after you read it .*: the last change was “close” by ${winner}`),
    );
    expect(lost.body).toMatchObject({ currentStatus: 'closed', lastChange: { action: 'close' } });
  });
});

describe('supervision', () => {
  it('an overdue case is escalated to its unit’s supervisors and shown in the 督办 list', async () => {
    await say({ kind: 'text', text: '求助 车坏在二环路上了' }, 'o-desk-citizen-2');
    // Two working hours later (help: 2 h), the schedule runs.
    process.env.LOCAL_TIME_OFFSET_MS = String(Date.parse('2026-11-23T13:30:00+08:00') - Date.now());
    await stack.scheduler.fireNow('escalate-overdue-cases');
    const overdue = await sam('GET', '/v1/admin/desk/overdue');
    const help = overdue.body.cases.find((c: Json) => c.category === 'help');
    expect(help).toMatchObject({ overdue: 'first-answer', escalation: 'first-answer' });
    const { body } = await sam('GET', `/v1/admin/desk/cases/${help.number}`);
    expect(body.history.at(-1)).toMatchObject({
      action: 'escalate',
      actor: 'schedule:escalate-overdue-cases',
    });
    await vi.waitFor(() => expect(body.history.at(-1).detail.supervisors).toEqual(['sam']));
    const measures = await sam('GET', '/v1/admin/desk/measures?weeks=1');
    expect(measures.body.weeks[0]).toMatchObject({ byChannel: { wechat: 3, sms: 1, '12345': 1 } });
    expect(measures.body.weeks[0].overdue).toBeGreaterThanOrEqual(1);
  });
});
