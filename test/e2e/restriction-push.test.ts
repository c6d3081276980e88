/**
 * The daily restriction push end to end on the local stack (real blueprint, DynamoDB Local, the
 * WeChat sandbox) with 2,000 subscribers and faults injected: workers that fail 10% of records
 * after doing their work, a worker "killed" between the ledger write and the send, a segment
 * delivered twice, the schedule fired twice, WeChat answering -1, 43004 for some users, and 45009
 * mid-run in a second run. Invariants: nobody receives a push twice, nobody exceeds the cap, every
 * planned subscriber ends in exactly one outcome, and the run's counts equal the outbox.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { DynamoPushLedger } from '../../functions/adapters/dynamodb/push-ledger.ts';
import type { PushRun } from '../../functions/adapters/dynamodb/push-runs.ts';
import { capRequest } from '../../functions/core/pushes/cap.ts';
import { restrictionRunKey } from '../../functions/core/pushes/planning.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { DEFAULT_POLICY } from '../../schemas/pushes.ts';
import { seed, seededSubscribers } from '../fixtures/seed.ts';

process.env.STAGE = 'local';
process.env.PUSH_RATE_PER_SECOND = '1000';
process.env.RESTRICTION_DATA_CACHE_SECONDS = '0';
// Run the functions' clock at 10:00 Shanghai today, whatever the real hour (quiet hours would defer).
const shanghaiToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
process.env.LOCAL_TIME_OFFSET_MS = String(Date.parse(`${shanghaiToday}T10:00:00+08:00`) - Date.now());
const shiftedNow = () => new Date(Date.now() + Number(process.env.LOCAL_TIME_OFFSET_MS));
const bp = defineBlueprint({ ...blueprintInput, service: `push-${Date.now().toString(36)}` });
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'push-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  timeScale: 0.02,
});
const doc = DynamoDBDocumentClient.from(localClient(inject('dynamodbEndpoint')));
const operator = () => stack.issueToken('ops', ['operator']);

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.endpoint}${path}`, {
    method,
    headers: { authorization: `Bearer ${operator()}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, never> };
}
const run = async (key: string) =>
  (await api('GET', `/v1/admin/pushes/${encodeURIComponent(key)}`)).body as unknown as PushRun;
async function settled(key: string): Promise<PushRun> {
  try {
    await vi.waitFor(async () => expect((await run(key)).done).toBe(true), {
      timeout: 90_000,
      interval: 250,
    });
  } catch (error) {
    console.error(
      'run did not finish',
      JSON.stringify(await run(key)),
      JSON.stringify([...stack.queues.values()].map((q) => q.stats())),
      JSON.stringify(stack.queues.get('push-deliveries-wechat')!.deadLetters[0]),
    );
    throw error;
  }
  for (const q of ['push-segments', 'push-deliveries-wechat']) await stack.queues.get(q)!.drained(90_000);
  return run(key);
}

beforeAll(async () => {
  await stack.start();
  // Monday 2026-11-16 restricts tails 0 and 5 in Beijing.
  await seed(
    doc,
    localTableName(bp.service, 'subscribers'),
    seededSubscribers({ count: 2000, city: 'beijing', tails: [0, 5], prefix: 'o-push' }),
  );
  await seed(
    doc,
    localTableName(bp.service, 'subscribers'),
    seededSubscribers({ count: 300, city: 'beijing', tails: [1, 2, 3], prefix: 'o-other' }),
  );
}, 120_000);
afterAll(() => stack.stop());

describe('the restriction push under faults', () => {
  it('sends each restricted subscriber exactly one reminder, and the counts equal the outbox', async () => {
    const key = restrictionRunKey('beijing', '2026-11-16', 'morning');
    // A worker "killed" between the ledger write and the send, before the run even starts.
    const ledger = new DynamoPushLedger(doc, localTableName(bp.service, 'ledger'));
    await ledger.reserve(
      'wechat',
      'o-push-000007',
      key,
      capRequest(DEFAULT_POLICY, 'wechat', 'restriction', shiftedNow()),
      { category: 'restriction', runKey: key, bundle: `${key}#crashed-worker` },
      shiftedNow().getTime() - 10 * 60_000,
    );
    // Workers that fail 10% of their records after doing the work (SQS redelivers those).
    const restore = stack.queues
      .get('push-deliveries-wechat')!
      .intercept((consume) => async (event: SQSEvent) => {
        const result = (await consume(event)) as SQSBatchResponse | undefined;
        const failures = [...(result?.batchItemFailures ?? [])];
        for (const r of event.Records)
          if (Math.random() < 0.1 && !failures.some((f) => f.itemIdentifier === r.messageId))
            failures.push({ itemIdentifier: r.messageId });
        return { batchItemFailures: failures };
      });
    stack.wechat.faults = {
      unfollowed: ['o-push-000011', 'o-push-000012'],
      quotaRemaining: null,
      busyRate: 0.05,
      invalidTokenOnce: true,
    };

    const first = await api('POST', '/v1/admin/pushes/restriction', {
      city: 'beijing',
      force: true,
      date: '2026-11-16',
      slot: 'morning',
    });
    expect(first.status).toBe(201);
    const again = await api('POST', '/v1/admin/pushes/restriction', {
      city: 'beijing',
      force: true,
      date: '2026-11-16',
      slot: 'morning',
    }); // fired twice
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ key, created: false });
    // A segment delivered twice.
    stack.publish(
      'push-segments',
      JSON.stringify({
        runKey: key,
        category: 'restriction',
        city: 'beijing',
        date: '2026-11-16',
        slot: 'morning',
        tail: 5,
        shard: 3,
      }),
    );

    const result = await settled(key);
    restore();
    const sends = stack.wechat.outbox.filter((o) => o.kind === 'template');
    const recipients = sends.map((o) => o.touser);
    expect(new Set(recipients).size).toBe(recipients.length); // nobody twice
    expect(recipients.every((r) => r.startsWith('o-push-'))).toBe(true); // only restricted tails
    expect(recipients).not.toContain('o-push-000007'); // reserved before a crash: never sent
    expect(recipients).not.toContain('o-push-000011'); // 43004
    expect(result.counts.planned).toBe(2000);
    expect(result.counts.sent).toBe(sends.length);
    expect(result.counts['unknown-outcome']).toBe(1);
    expect(result.counts.unfollowed).toBe(2);
    const settledOutcomes = Object.entries(result.counts)
      .filter(([k]) => k !== 'planned' && k !== 'duplicate')
      .reduce((n, [, v]) => n + v, 0);
    expect(settledOutcomes).toBe(2000); // every planned subscriber ends in exactly one outcome
    expect(result.counts.sent! + (result.counts.failed ?? 0)).toBe(2000 - 3);
    expect(result.consumed.write).toBeGreaterThan(0);
    const first5 = sends[0]!.body as { data: Record<string, { value: string }> };
    expect(first5.data.keyword1!.value).toBe('北京尾号0和5限行');
  }, 180_000);

  it('charges an unfollow within 24 h of the reminder to its category and run, and reports it per 1,000', async () => {
    const account = (await import('../../functions/adapters/wechat/accounts.ts')).accountsFromEnv({})[0]!;
    const { buildRequest, messageXml } = await import('../../lib/local/wechat-user.ts');
    const recipient = stack.wechat.outbox.find((o) => o.kind === 'template')!.touser;
    const req = buildRequest(
      account,
      messageXml({ kind: 'event', event: 'unsubscribe' }, recipient, 'gh', Math.floor(Date.now() / 1000)),
      { encrypted: true },
    );
    expect(
      (await fetch(`${stack.endpoint}/webhooks/wechat/dev?${req.query}`, { method: 'POST', body: req.body }))
        .status,
    ).toBe(200);
    const key = restrictionRunKey('beijing', '2026-11-16', 'morning');
    expect((await run(key)).counts['attributed-unfollows']).toBe(1);
    const report = (await api('GET', '/v1/admin/stats/pushes?weeks=1')).body as unknown as {
      weeks: Array<Record<string, number | string | null>>;
    };
    const restriction = report.weeks.find((w) => w.category === 'restriction')!;
    expect(restriction.unfollows).toBe(1);
    expect(restriction.pushes).toBe((await run(key)).counts.sent);
    expect(restriction.unfollowsPer1000).toBeCloseTo((1 / Number(restriction.pushes)) * 1000, 1);
  });

  it('a second push to the same people the same day is held by the cap', async () => {
    const key = restrictionRunKey('beijing', '2026-11-16', 'evening');
    const before = stack.wechat.outbox.length;
    await api('POST', '/v1/admin/pushes/restriction', {
      city: 'beijing',
      force: true,
      date: '2026-11-16',
      slot: 'evening',
    });
    const result = await settled(key);
    // Evening slot: only subscribers who chose evening are in that index — none here.
    expect(result.counts.planned ?? 0).toBe(0);
    expect(stack.wechat.outbox.length).toBe(before);
  }, 120_000);

  it('stops a run cleanly at WeChat’s daily quota (45009) instead of burning retries', async () => {
    await seed(
      doc,
      localTableName(bp.service, 'subscribers'),
      seededSubscribers({ count: 200, city: 'tianjin', tails: [0, 5], prefix: 'o-tj' }),
    );
    stack.wechat.faults = { unfollowed: [], quotaRemaining: 50, busyRate: 0, invalidTokenOnce: false };
    const key = restrictionRunKey('tianjin', '2026-11-16', 'morning');
    await api('POST', '/v1/admin/pushes/restriction', {
      city: 'tianjin',
      force: true,
      date: '2026-11-16',
      slot: 'morning',
    });
    const result = await settled(key);
    expect(result.status).toBe('aborted');
    expect(result.reason).toContain('45009');
    expect(stack.wechat.outbox.filter((o) => o.touser.startsWith('o-tj')).length).toBe(50);
    expect(result.counts.sent).toBe(50);
    // The sends in flight when WeChat answered 45009 fail (at most PUSH_CONCURRENCY per concurrent
    // invocation, each stopping at its first 45009); the run stops.
    const inFlight =
      bp.queues['push-deliveries-wechat']!.maxConcurrency *
      Number(bp.functions['deliver-wechat']!.environment.PUSH_CONCURRENCY);
    expect(result.counts.failed).toBeGreaterThanOrEqual(1);
    expect(result.counts.failed).toBeLessThanOrEqual(inFlight);
    expect(result.counts.sent! + result.counts.failed! + result.unsent).toBe(result.counts.planned); // the rest: unsent
  }, 120_000);

  it('sends nothing on a holiday, a make-up workday or a suspended day, and says why', async () => {
    for (const [date, reason] of [
      ['2026-10-01', 'holiday'],
      ['2026-10-10', 'makeup-workday'],
      ['2026-11-21', 'weekend'],
      ['2027-01-04', 'no-calendar'],
    ]) {
      const res = await api('POST', '/v1/admin/pushes/restriction', {
        city: 'beijing',
        date,
        slot: 'morning',
        force: true, // days that are over, with known answers
      });
      expect(res.body).toMatchObject({ status: 'skipped', reason, segments: 0 });
    }
    // Xi'an's suspension (2022-12-21 → 2023-01-29): a suspended weekday sends nothing either.
    const suspended = await api('POST', '/v1/admin/pushes/restriction', {
      city: 'xian',
      force: true,
      date: '2022-12-22',
      slot: 'morning',
    });
    expect(suspended.body).toMatchObject({ status: 'skipped', reason: 'suspended', segments: 0 });
  });

  it('lets operators read and change the frequency policy (audited, optimistic), and the cap follows it', async () => {
    const current = await api('GET', '/v1/admin/policies/frequency');
    expect(current.body).toMatchObject({ version: 0, policy: DEFAULT_POLICY });
    const policy = structuredClone(DEFAULT_POLICY);
    policy.channels.wechat.perDay.restriction = 2;
    const saved = await api('PUT', '/v1/admin/policies/frequency', { version: 0, policy });
    expect(saved.body).toMatchObject({ version: 1 });
    expect((await api('PUT', '/v1/admin/policies/frequency', { version: 0, policy })).status).toBe(409);
    const invalid = await api('PUT', '/v1/admin/policies/frequency', {
      version: 1,
      policy: { ...policy, timeZone: 'UTC' },
    });
    expect(invalid.status).toBe(400);
    const editor = await fetch(`${stack.endpoint}/v1/admin/policies/frequency`, {
      headers: { authorization: `Bearer ${stack.issueToken('ed', ['editor'])}` },
    });
    expect(editor.status).toBe(403);
    await api('PUT', '/v1/admin/policies/frequency', { version: 1, policy: DEFAULT_POLICY }); // restore for other tests
  });

  it('previews a push without sending (dry run)', async () => {
    const before = stack.wechat.outbox.length;
    const res = await api('POST', '/v1/admin/pushes/restriction', {
      city: 'beijing',
      force: true,
      date: '2026-11-16',
      slot: 'morning',
      dryRun: true,
    });
    expect(res.body).toMatchObject({ status: 'restricted', tails: [0, 5], audience: { wechat: 2000 - 3 } }); // two 43004s and one unfollow left the index
    expect((res.body as unknown as { wouldBe: { duplicate: number } }).wouldBe.duplicate).toBeGreaterThan(
      1900,
    );
    expect(stack.wechat.outbox.length).toBe(before);
  });
});
