/**
 * What a restriction push says is true (issue #12), on the local stack through the admin API and the
 * real webhook: reminders go only to the plates the engine says are restricted (new-energy, police
 * and letter-tail plates in Beijing and Xi'an, each under its own rule), the rest are counted
 * `exempt`, and the dry run says the same; a run ends `completed` or `completed-with-failures` with
 * `finishedAt`; WeChat's receipts reach the run; runs are listed newest first; a day that is over is
 * refused unless forced, and forcing it is audited.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { accountsFromEnv } from '../../functions/adapters/wechat/accounts.ts';
import { bookOf, plateRestrictionOn, ruleOn } from '../../functions/core/restrictions/engine.ts';
import { parsePlate, tailDigit } from '../../functions/core/restrictions/plates.ts';
import { newSubscriber } from '../../functions/core/subscribers/subscriber.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { buildRequest, messageXml } from '../../lib/local/wechat-user.ts';
import { shippedRestrictionData } from '../../schemas/data/index.ts';
import { seed } from '../fixtures/seed.ts';

process.env.STAGE = 'local';
process.env.PUSH_RATE_PER_SECOND = '1000';
const shanghaiToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
process.env.LOCAL_TIME_OFFSET_MS = String(Date.parse(`${shanghaiToday}T10:00:00+08:00`) - Date.now());

const bp = defineBlueprint({ ...blueprintInput, service: `truth-${Date.now().toString(36)}` });
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'truth-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  timeScale: 0.02,
});
const doc = DynamoDBDocumentClient.from(localClient(inject('dynamodbEndpoint')));
const book = bookOf(shippedRestrictionData);
const account = accountsFromEnv(process.env)[0]!;

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.endpoint}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${stack.issueToken('ops', ['operator'])}`,
      'content-type': 'application/json',
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
type Run = { status: string; finishedAt: string | null; counts: Record<string, number>; key: string };
const run = async (key: string) =>
  (await api('GET', `/v1/admin/pushes/${encodeURIComponent(key)}`)).body as unknown as Run;
async function ended(key: string): Promise<Run> {
  await vi.waitFor(async () => expect((await run(key)).status).not.toBe('running'), {
    timeout: 60_000,
    interval: 200,
  });
  return run(key);
}

/** A follower with one plate bound in a city, under the tail the city's rule gives it on `date`. */
function follower(id: string, plate: string, city: string, date: string) {
  const s = newSubscriber({ channel: 'wechat', id }, 'dev', '2026-11-01T00:00:00.000Z');
  let tail: number;
  try {
    tail = tailDigit(parsePlate(plate), ruleOn(book, city, date)!.letterTail);
  } catch {
    tail = 5; // a plate stored under an older rule that the engine no longer reads
  }
  s.bindings = [{ plate, city, tail, nev: false, boundAt: '2026-11-01T00:00:00.000Z' }];
  return s;
}

const BEIJING = { city: 'beijing', date: '2026-11-16' }; // a Monday: tails 0 and 5
const XIAN = { city: 'xian', date: '2026-11-02' }; // a Monday under Xi'an's 2025-26 rule: tails 1 and 6
const plates = {
  beijing: ['京A12345', '京AD12345', '京A1235警', '京A1234B', '京AF12340'],
  xian: ['陕A12346', '陕AD12346', '陕A1236警', '陕A1231X', '陕AF12346'],
};
const restricted = (city: 'beijing' | 'xian', date: string) =>
  plates[city].filter((p) => plateRestrictionOn(book, p, city, date).restricted);

beforeAll(async () => {
  await stack.start();
  const people = [
    ...plates.beijing.map((p, i) => follower(`o-bj-${i}`, p, BEIJING.city, BEIJING.date)),
    ...plates.xian.map((p, i) => follower(`o-xa-${i}`, p, XIAN.city, XIAN.date)),
    // Bound under an older plate rule (I is not used on plates any more): nothing true can be said.
    follower('o-bj-old', '京I12345', BEIJING.city, BEIJING.date),
  ];
  await seed(doc, localTableName(bp.service, 'subscribers'), people);
}, 120_000);
afterAll(() => stack.stop());

describe('a restriction push tells only the truth', () => {
  it('reminds only restricted plates, counts the rest exempt, and the dry run says the same', async () => {
    expect(restricted('beijing', BEIJING.date)).toEqual(['京A12345', '京A1234B', '京AF12340']);
    expect(restricted('xian', XIAN.date)).toEqual(['陕A12346', '陕A1231X']);
    const preview = await api('POST', '/v1/admin/pushes/restriction', { ...BEIJING, dryRun: true });
    expect(preview.body.wouldBe).toEqual({
      send: 3,
      capped: 0,
      duplicate: 0,
      exempt: 2,
      'invalid-recipient': 1,
    });

    const started = await api('POST', '/v1/admin/pushes/restriction', { ...BEIJING, force: true });
    expect(started.status).toBe(201);
    const beijing = await ended(String(started.body.key));
    expect(beijing.counts).toMatchObject({ planned: 6, sent: 3, exempt: 2, 'invalid-recipient': 1 });
    // An unreadable plate is a failure someone must look at; the run says so, and that it ended.
    expect(beijing.status).toBe('completed-with-failures');
    expect(beijing.finishedAt).toEqual(expect.any(String));

    const xianPreview = await api('POST', '/v1/admin/pushes/restriction', { ...XIAN, dryRun: true });
    expect(xianPreview.body.wouldBe).toMatchObject({ send: 2, exempt: 3 });
    const xian = await ended(
      String((await api('POST', '/v1/admin/pushes/restriction', { ...XIAN, force: true })).body.key),
    );
    expect(xian).toMatchObject({ status: 'completed', counts: { planned: 5, sent: 2, exempt: 3 } });

    const sentTo = stack.wechat.outbox
      .filter((m) => m.kind === 'template')
      .map((m) => m.touser)
      .sort();
    expect(sentTo).toEqual(['o-bj-0', 'o-bj-3', 'o-bj-4', 'o-xa-0', 'o-xa-3']);
    const named = stack.wechat.outbox.map((m) => JSON.stringify(m.body));
    expect(named.some((b) => b.includes('京AD12345') || b.includes('陕A1236警'))).toBe(false);
  });

  it('counts WeChat’s receipts on the run that sent the message', async () => {
    const key = `restriction#beijing#${BEIJING.date}#morning`;
    const sent = stack.wechat.outbox.filter((m) => m.kind === 'template' && m.touser.startsWith('o-bj-'));
    const report = async (openid: string, msgid: number, status: string) => {
      const xml = messageXml(
        { kind: 'event', event: 'TEMPLATESENDJOBFINISH', extra: { MsgID: String(msgid), Status: status } },
        openid,
        'gh_local_account',
        Math.floor(Date.now() / 1000),
      );
      const req = buildRequest(account, xml, { encrypted: true });
      const res = await fetch(`${stack.endpoint}/webhooks/wechat/dev?${req.query}`, {
        method: 'POST',
        body: req.body,
      });
      expect(res.status).toBe(200);
    };
    await report(sent[0]!.touser, sent[0]!.msgid, 'success');
    await report(sent[1]!.touser, sent[1]!.msgid, 'success');
    await report(sent[2]!.touser, sent[2]!.msgid, 'failed:user block');
    expect((await run(key)).counts).toMatchObject({ sent: 3, delivered: 2, 'failed:user block': 1 });
  });

  it('lists runs newest first across months, a page at a time, and keeps one month when asked', async () => {
    const first = await api('GET', '/v1/admin/pushes?limit=1');
    const runs = first.body.runs as Run[];
    expect(runs.map((r) => r.key)).toEqual([`restriction#xian#${XIAN.date}#morning`]);
    const second = await api('GET', `/v1/admin/pushes?limit=5&cursor=${first.body.cursor}`);
    expect((second.body.runs as Run[]).map((r) => r.key)).toContain(
      `restriction#beijing#${BEIJING.date}#morning`,
    );
    const month = shanghaiToday.slice(0, 7);
    expect(((await api('GET', `/v1/admin/pushes?month=${month}`)).body.runs as Run[]).length).toBe(2);
    expect(((await api('GET', '/v1/admin/pushes?month=2020-01')).body.runs as Run[]).length).toBe(0);
    expect((await api('GET', '/v1/admin/pushes?cursor=forged')).status).toBe(400);
  });

  it('refuses a day that is over unless forced, and forcing it is in the audit trail', async () => {
    const refused = await api('POST', '/v1/admin/pushes/restriction', {
      city: 'beijing',
      date: '2026-11-17',
    });
    expect(refused.status).toBe(409);
    expect(String(refused.body.detail)).toMatch(/before today .* force: true/);
    const forced = await api('POST', '/v1/admin/pushes/restriction', {
      city: 'beijing',
      date: '2026-11-17',
      force: true,
    });
    expect(forced.status).toBe(201);
    const audit = await api('GET', '/v1/admin/audit?actor=ops');
    expect(audit.body.entries).toContainEqual(
      expect.objectContaining({
        action: 'push.restriction.force-past-date',
        entity: 'run:restriction#beijing#2026-11-17#morning',
        actor: 'ops',
      }),
    );
  });

  it('a dead letter keeps the error that failed it', async () => {
    const queue = stack.queues.get('push-deliveries-wechat')!;
    stack.publish('push-deliveries', JSON.stringify({ bundle: 'not-a-bundle' }), { channel: 'wechat' });
    await vi.waitFor(() => expect(queue.deadLetters).toHaveLength(1), { timeout: 30_000, interval: 200 });
    expect(queue.deadLetters[0]!.lastError).toMatch(/runKey|recipients|Invalid/);
  }, 40_000);
});
