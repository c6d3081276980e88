/**
 * The morning reminder meets its deadline, at reduced scale, on the local stack (real blueprint,
 * DynamoDB Local, the WeChat sandbox): the functions' clock stands at 06:54:30 on Monday 2026-11-16
 * (Beijing restricts tails 0 and 5 from 07:00), 600 followers are due a reminder, and the configured
 * rate (1 send per second per invocation × 6 invocations) would take 100 s — past 06:55, the
 * deadline less its margin. The planner raises the rate within its limits (4/s per invocation), the
 * reminder class goes inside quiet hours (restrictionFrom 06:30), and the run records that it
 * finished before restrictions began. The 360,000-reminder model is test/bench/morning-deadline.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { PushRun } from '../../functions/adapters/dynamodb/push-runs.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import type { PacePlan } from '../../schemas/pushes.ts';
import { seed, seededSubscribers } from '../fixtures/seed.ts';

process.env.STAGE = 'local';
process.env.PUSH_RATE_PER_SECOND = '1';
process.env.PUSH_MAX_RATE_PER_SECOND = '10';
process.env.RESTRICTION_DATA_CACHE_SECONDS = '0';
const NOW = Date.parse('2026-11-16T06:54:30+08:00');
/** The functions read the offset on every call: the clock stands at 06:54:30 from now on. */
const standAtNow = () => {
  process.env.LOCAL_TIME_OFFSET_MS = String(NOW - Date.now());
};
standAtNow();
const bp = defineBlueprint({ ...blueprintInput, service: `deadline-${Date.now().toString(36)}` });
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'deadline-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  timeScale: 0.02,
});
const doc = DynamoDBDocumentClient.from(localClient(inject('dynamodbEndpoint')));

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
const run = async (key: string) =>
  (await api('GET', `/v1/admin/pushes/${encodeURIComponent(key)}`)).body as unknown as PushRun;

beforeAll(async () => {
  await stack.start();
  await seed(
    doc,
    localTableName(bp.service, 'subscribers'),
    seededSubscribers({ count: 600, city: 'beijing', tails: [0, 5], prefix: 'o-dawn' }),
  );
}, 120_000);
afterAll(() => stack.stop());

describe('the morning reminder, planned for its deadline', () => {
  it('the dry run shows the planned start, finish and rate', async () => {
    standAtNow();
    const res = await api('POST', '/v1/admin/pushes/restriction', {
      city: 'beijing',
      slot: 'morning',
      dryRun: true,
    });
    expect(res.status).toBe(200);
    const pace = res.body.pace as PacePlan;
    expect(pace).toMatchObject({
      audience: 600,
      deadline: '2026-11-15T23:00:00.000Z', // 07:00 Shanghai
      finishBy: '2026-11-15T22:55:00.000Z',
      ratePerInvocation: 4, // 600 in 30 s over 6 invocations: 3.3 → 4, not the configured 1
      concurrency: 6,
      totalRate: 24,
      meetsDeadline: true,
    });
    expect(Math.abs(Date.parse(pace.startAt) - NOW)).toBeLessThan(20_000); // 06:30 has passed: now
  });

  it('raises the rate within its limits and finishes before restrictions begin', async () => {
    standAtNow();
    const started = await api('POST', '/v1/admin/pushes/restriction', { city: 'beijing', slot: 'morning' });
    expect(started.status).toBe(201);
    const key = String((started.body as { key: string }).key);
    await vi.waitFor(async () => expect((await run(key)).done).toBe(true), {
      timeout: 110_000,
      interval: 500,
    });
    const done = await run(key);
    expect(done.counts.sent).toBe(600);
    expect(done.pace).toMatchObject({ ratePerInvocation: 4, meetsDeadline: true });
    expect(done.metDeadline).toBe(true);
    expect(Date.parse(done.finishedAt!)).toBeLessThan(Date.parse('2026-11-16T07:00:00+08:00'));
    // Paced, not flat out: 600 at 24/s take 25 s (more than 15 s even if the sends bunch up).
    expect(Date.parse(done.finishedAt!) - Date.parse(done.startedAt)).toBeGreaterThan(15_000);
    // Inside quiet hours, and nothing waited for 07:00.
    expect(done.counts['deferred-quiet'] ?? 0).toBe(0);
    expect(stack.wechat.outbox.length).toBe(600);
  }, 120_000);
});
