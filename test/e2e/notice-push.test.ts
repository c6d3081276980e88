/**
 * Publishing a notice to people, end to end on the local stack: publish → announcement →
 * plan-notice-push → segments (parallel Scan) → expand-segment (audience) → deliver-wechat (the one
 * cap, quiet hours, dedupe) → the WeChat sandbox outbox. The functions' clock runs at 10:00 Shanghai
 * on a Wednesday, so quiet hours do not interfere unless a test moves it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { PushRun } from '../../functions/adapters/dynamodb/push-runs.ts';
import { noticeRunKey } from '../../functions/core/notices/planning.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { seed, seededSubscribers } from '../fixtures/seed.ts';
import { officersAccount } from '../fixtures/wechat.ts';

process.env.STAGE = 'local';
process.env.PUSH_RATE_PER_SECOND = '1000';
process.env.NOTICE_SCAN_SEGMENTS = '3';
process.env.PUSH_BUNDLE_SIZE = '7'; // several bundles per page, so bundling is exercised
process.env.EXPAND_PAGE_SIZE = '3'; // pages end inside subscribers' items
const setShanghaiTime = (shanghai: string) => {
  process.env.LOCAL_TIME_OFFSET_MS = String(Date.parse(`${shanghai}:00+08:00`) - Date.now());
};
const shifted = () => Date.now() + Number(process.env.LOCAL_TIME_OFFSET_MS);
setShanghaiTime('2026-11-18T10:00');
process.env.WECHAT_ACCOUNTS = JSON.stringify([
  officersAccount({ notice: 'officers-notice-template', emergency: 'officers-emergency-template' }),
]);
const bp = defineBlueprint({ ...blueprintInput, service: `npush-${Date.now().toString(36)}` });
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'notice-push-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
});
const doc = DynamoDBDocumentClient.from(localClient(inject('dynamodbEndpoint')));

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely in assertions
type Json = Record<string, any>;
async function call(method: string, path: string, roles: string[], body?: unknown, sub = roles[0]!) {
  const res = await fetch(`${stack.endpoint}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${stack.issueToken(sub, roles)}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

const notice = (over: Record<string, unknown> = {}) => ({
  kind: 'traffic-control',
  title: '长安街临时交通管制',
  body: '因重大活动，今天长安街（建国门至复兴门）实行临时交通管制，请提前绕行。',
  shortBody: '长安街临时交通管制，请绕行',
  city: 'beijing',
  areas: ['长安街'],
  effectiveFrom: new Date(shifted() - 3600_000).toISOString(),
  effectiveTo: new Date(shifted() + 4 * 3600_000).toISOString(),
  channels: ['feed', 'wechat'],
  audience: { type: 'bound-in-city' },
  ...over,
});

async function publish(over: Record<string, unknown> = {}, direct = false): Promise<Json> {
  const created = await call('POST', '/v1/admin/notices', ['editor'], notice(over));
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await call('POST', `/v1/admin/notices/${id}/submit`, ['editor'], {})).status).toBe(200);
  if (!direct)
    expect((await call('POST', `/v1/admin/notices/${id}/approve`, ['reviewer'], {})).status).toBe(200);
  const published = await call('POST', `/v1/admin/notices/${id}/publish`, ['reviewer'], {});
  expect(published.status).toBe(200);
  return published.body;
}

async function settledRun(key: string): Promise<PushRun> {
  let run: PushRun | undefined;
  await vi.waitFor(
    async () => {
      const res = await call('GET', `/v1/admin/pushes/${encodeURIComponent(key)}`, ['operator']);
      expect(res.status).toBe(200);
      run = res.body as PushRun;
      expect(run.done || run.status === 'skipped').toBe(true);
    },
    { timeout: 30_000, interval: 200 },
  );
  for (const q of ['notice-pushes', 'push-segments', 'push-deliveries-wechat'])
    await stack.queues.get(q)!.drained(30_000);
  return run!;
}

const sentWith = (title: string) =>
  stack.wechat.outbox.filter((o) => o.kind === 'template' && JSON.stringify(o.body).includes(title));

beforeAll(async () => {
  await stack.start();
  const table = localTableName(bp.service, 'subscribers');
  await seed(doc, table, seededSubscribers({ count: 30, city: 'beijing', tails: [1, 2, 3], prefix: 'o-bj' }));
  await seed(doc, table, seededSubscribers({ count: 20, city: 'tianjin', tails: [4, 5], prefix: 'o-tj' }));
  await seed(
    doc,
    table,
    seededSubscribers({ count: 5, city: 'beijing', tails: [6], prefix: 'o-off', account: 'officers' }),
  );
  const optedOut = seededSubscribers({ count: 2, city: 'beijing', tails: [1], prefix: 'o-quit' });
  for (const s of optedOut) s.status = 'opted-out';
  await seed(doc, table, optedOut);
}, 120_000);
afterAll(() => stack.stop());

describe('a restriction push whose fan-out pages end inside a subscriber’s plates', () => {
  it('sends each two-plate subscriber one reminder naming both plates', async () => {
    const day = (await (
      await fetch(`${stack.endpoint}/v1/cities/tianjin/restrictions?date=2026-11-18`)
    ).json()) as {
      tails: number[];
    };
    const tail = day.tails[0]!;
    const twoPlates = seededSubscribers({ count: 6, city: 'tianjin', tails: [tail], prefix: 'o-two' });
    for (const [i, s] of twoPlates.entries())
      s.bindings.push({ ...s.bindings[0]!, plate: `津B${String(i).padStart(4, '0')}${tail}` });
    await seed(doc, localTableName(bp.service, 'subscribers'), twoPlates);
    const started = await call('POST', '/v1/admin/pushes/restriction', ['operator'], {
      city: 'tianjin',
      force: true,
      date: '2026-11-18',
      slot: 'morning',
    });
    expect(started.status).toBe(201);
    const run = await settledRun('restriction#tianjin#2026-11-18#morning');
    const sends = stack.wechat.outbox.filter((o) => o.kind === 'template' && o.touser.startsWith('o-two'));
    expect(sends.map((o) => o.touser).sort()).toEqual(twoPlates.map((s) => s.id).sort()); // once each
    for (const o of sends) expect(JSON.stringify(o.body)).toMatch(/津B\d{5}/); // both plates named
    expect(run.done).toBe(true);
    expect(run.counts.duplicate ?? 0).toBe(0);
    expect(run.counts.sent).toBe(run.counts.planned);
  }, 60_000);
});

describe('publishing a notice to people', () => {
  it('reaches exactly its audience once, in bundles, and the run counts equal the outbox', async () => {
    const published = await publish();
    const run = await settledRun(noticeRunKey(published.id, published.version));
    const sends = sentWith('长安街临时交通管制');
    const recipients = sends.map((o) => o.touser).sort();
    // Bound in Beijing, active, public account: the 30; not Tianjin, not officers, not the opted-out.
    expect(recipients).toEqual(Array.from({ length: 30 }, (_, i) => `o-bj-${String(i).padStart(6, '0')}`));
    expect(sends.every((o) => o.body.template_id === 'dev-notice-template')).toBe(true);
    // Every recipient settled: the run has ended (issue #12: runs have a lifecycle).
    expect(run).toMatchObject({ kind: 'notice', category: 'notice', status: 'completed', done: true });
    expect(run.finishedAt).toEqual(expect.any(String));
    expect(run.counts.planned).toBe(30);
    expect(run.counts.sent).toBe(30);
    const values = (sends[0]!.body as { data: Record<string, { value: string }> }).data;
    expect(values.keyword1!.value).toBe('长安街临时交通管制');
    expect(values.keyword3!.value).toBe('长安街');

    // The announcement delivered again (the publisher's sweep re-sends unconfirmed ones): nothing new.
    stack.publish(
      'notice-pushes',
      JSON.stringify({
        noticeId: published.id,
        version: published.version,
        publishedAt: published.publishedAt,
      }),
    );
    const again = await settledRun(noticeRunKey(published.id, published.version));
    expect(again.counts.sent).toBe(30);
    expect(sentWith('长安街临时交通管制')).toHaveLength(30);
  }, 60_000);

  it('passes the one cap: a second routine notice the same day is held back, an emergency is not', async () => {
    const second = await publish({ title: '二环施工', audience: { type: 'tails', tails: [1] } });
    const capped = await settledRun(noticeRunKey(second.id, second.version));
    expect(capped.counts.planned).toBe(10); // tail 1 in Beijing, active
    expect(capped.counts.capped).toBe(10); // routine: 1 a day, already used by the first notice
    expect(sentWith('二环施工')).toHaveLength(0);

    const emergency = await publish(
      { title: '暴雨红色预警', priority: 'emergency', audience: { type: 'all-followers' } },
      true,
    );
    expect(emergency.directPublish).toBe(true);
    const run = await settledRun(noticeRunKey(emergency.id, emergency.version));
    const sends = sentWith('暴雨红色预警');
    expect(run.category).toBe('emergency');
    expect(sends).toHaveLength(56); // every public follower (30 Beijing, 20 + 6 Tianjin), not the officers
    expect(sends.every((o) => o.body.template_id === 'dev-emergency-template')).toBe(true);
    expect(sends.some((o) => o.touser.startsWith('o-off'))).toBe(false);
    expect(run.counts.sent).toBe(56);
  }, 60_000);

  it('an internal notice reaches only the officers, through their account', async () => {
    const briefing = await publish({
      kind: 'general',
      title: '早间勤务简报',
      channels: ['wechat'],
      audience: { type: 'internal' },
    });
    const run = await settledRun(noticeRunKey(briefing.id, briefing.version));
    const sends = sentWith('早间勤务简报');
    expect(sends.map((o) => o.touser).sort()).toEqual([
      'o-off-000000',
      'o-off-000001',
      'o-off-000002',
      'o-off-000003',
      'o-off-000004',
    ]);
    expect(sends.every((o) => o.body.template_id === 'officers-notice-template')).toBe(true);
    expect(run.counts.sent).toBe(5);
    // Not in the public feed: it was published to the officers' WeChat only.
    expect((await fetch(`${stack.endpoint}/v1/notices/${briefing.id}`)).status).toBe(404);
    const feed = (await (await fetch(`${stack.endpoint}/v1/notices?city=beijing`)).json()) as {
      notices: Array<{ id: string }>;
    };
    expect(feed.notices.map((n) => n.id)).not.toContain(briefing.id);
  }, 60_000);

  it('a withdrawn notice reaches nobody more: its deferred pushes stay unsent', async () => {
    setShanghaiTime('2026-11-20T23:00');
    try {
      const wrong = await publish({
        title: '错误通知',
        audience: { type: 'tails', tails: [5] },
        city: 'tianjin',
        areas: [],
        effectiveFrom: new Date(shifted()).toISOString(),
        effectiveTo: new Date(shifted() + 10 * 3600_000).toISOString(),
      });
      const key = noticeRunKey(wrong.id, wrong.version);
      await vi.waitFor(
        async () => {
          const run = (await call('GET', `/v1/admin/pushes/${encodeURIComponent(key)}`, ['operator'])).body;
          expect(run.counts['deferred-quiet']).toBe(10);
        },
        { timeout: 30_000, interval: 200 },
      );
      const withdrawn = await call('POST', `/v1/admin/notices/${wrong.id}/withdraw`, ['reviewer'], {
        reason: '内容有误',
      });
      expect(withdrawn.status).toBe(200);
      setShanghaiTime('2026-11-21T07:00');
      await stack.scheduler.fireNow('release-deferred-pushes');
      const run = await settledRun(key);
      expect(run.status).toBe('aborted');
      expect(run.reason).toContain('withdrawn');
      expect(sentWith('错误通知')).toHaveLength(0);
    } finally {
      setShanghaiTime('2026-11-18T10:00');
    }
  }, 60_000);

  it('a routine notice published at 23:00 waits for the end of quiet hours', async () => {
    setShanghaiTime('2026-11-19T23:00');
    try {
      const late = await publish({
        title: '夜间施工提示',
        audience: { type: 'tails', tails: [4] },
        city: 'tianjin',
        areas: [],
        effectiveFrom: new Date(shifted()).toISOString(),
        effectiveTo: new Date(shifted() + 10 * 3600_000).toISOString(),
      });
      const key = noticeRunKey(late.id, late.version);
      await vi.waitFor(
        async () => {
          const run = (await call('GET', `/v1/admin/pushes/${encodeURIComponent(key)}`, ['operator'])).body;
          expect(run.counts['deferred-quiet']).toBe(10); // tail 4 in Tianjin; deferred, not dropped
          expect(run.done).toBe(false);
        },
        { timeout: 30_000, interval: 200 },
      );
      expect(sentWith('夜间施工提示')).toHaveLength(0);
      setShanghaiTime('2026-11-20T07:00');
      await stack.scheduler.fireNow('release-deferred-pushes');
      const run = await settledRun(key);
      expect(run.counts.sent).toBe(10);
      expect(sentWith('夜间施工提示')).toHaveLength(10);
    } finally {
      setShanghaiTime('2026-11-18T10:00');
    }
  }, 60_000);
});
