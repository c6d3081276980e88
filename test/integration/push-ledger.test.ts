/**
 * The cap and the de-duplication as one conditional write, against DynamoDB Local — including
 * under concurrency (DynamoDB Local, not a fake).
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoPushLedger } from '../../functions/adapters/dynamodb/push-ledger.ts';
import { DynamoPushRuns } from '../../functions/adapters/dynamodb/push-runs.ts';
import { capRequest } from '../../functions/core/pushes/cap.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { ensureTables, localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { DEFAULT_POLICY } from '../../schemas/pushes.ts';

const bp = defineBlueprint({ ...blueprintInput, service: `ledger-${randomUUID().slice(0, 8)}` });
const client = localClient(inject('dynamodbEndpoint'));
const ledger = new DynamoPushLedger(
  DynamoDBDocumentClient.from(client),
  localTableName(bp.service, 'ledger'),
);
const at = (iso: string) => new Date(iso);
const meta = (key: string, bundle = `${key}#b0`) => ({ category: 'notice', runKey: key, bundle });

beforeAll(async () => {
  await ensureTables(client, bp);
});

describe('DynamoPushLedger', () => {
  it('20 concurrent different notices to one subscriber: exactly the cap (1 routine a day) gets through', async () => {
    const id = `o-${randomUUID()}`;
    const req = capRequest(DEFAULT_POLICY, 'wechat', 'notice', at('2026-11-16T02:00:00Z'));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ledger.reserve('wechat', id, `notice#n${i}`, req, meta(`notice#n${i}`)),
      ),
    );
    expect(results.filter((r) => r === 'reserved')).toHaveLength(1);
    expect(results.filter((r) => r === 'capped')).toHaveLength(19);
  });

  it('the same push twice: duplicate while in flight or once settled, unknown-outcome if never settled', async () => {
    const id = `o-${randomUUID()}`;
    const req = capRequest(DEFAULT_POLICY, 'wechat', 'restriction', at('2026-11-16T00:00:00Z'));
    const key = 'restriction#beijing#2026-11-16#morning';
    const t0 = Date.now();
    expect(await ledger.reserve('wechat', id, key, req, meta(key), t0)).toBe('reserved');
    // A second copy while the first may still be sending: a duplicate.
    expect(await ledger.reserve('wechat', id, key, req, meta(key), t0 + 1000)).toBe('duplicate');
    // Long after, still unsettled: the first crashed between reservation and send.
    expect(await ledger.reserve('wechat', id, key, req, meta(key), t0 + 10 * 60_000)).toBe('unknown-outcome');
    await ledger.settle('wechat', id, req.date, key, 'unknown-outcome');
    expect(await ledger.reserve('wechat', id, key, req, meta(key), t0 + 11 * 60_000)).toBe('duplicate');
  });

  it("a push its bundle's receipt records as done is a duplicate, however late the redelivery", async () => {
    const id = `o-${randomUUID()}`;
    const other = `o-${randomUUID()}`;
    const req = capRequest(DEFAULT_POLICY, 'wechat', 'restriction', at('2026-11-16T00:00:00Z'));
    const key = 'restriction#beijing#2026-11-16#morning';
    const bundle = `${key}#0#3#0#wechat#dev#${randomUUID()}`;
    const t0 = Date.now();
    expect(await ledger.reserve('wechat', id, key, req, meta(key, bundle), t0)).toBe('reserved');
    expect(await ledger.reserve('wechat', other, key, req, meta(key, bundle), t0)).toBe('reserved');
    // The attempt sent to `id` and then crashed before `other`'s send: only `id` is in the receipt.
    await ledger.recordReceipt(bundle, new Map([[id, 'sent:42']]), t0);
    expect(await ledger.receipt(bundle)).toEqual(new Map([[id, 'sent:42']]));
    expect(await ledger.reserve('wechat', id, key, req, meta(key, bundle), t0 + 10 * 60_000)).toBe(
      'duplicate',
    );
    expect(await ledger.reserve('wechat', other, key, req, meta(key, bundle), t0 + 10 * 60_000)).toBe(
      'unknown-outcome',
    );
    // One write per successful push: the reservation carries what attribution needs.
    expect(ledger.consumed.write).toBeGreaterThan(0);
  });

  it('restriction reminders have their own daily cap, separate from routine notices', async () => {
    const id = `o-${randomUUID()}`;
    const now = at('2026-11-16T02:00:00Z');
    expect(
      await ledger.reserve(
        'wechat',
        id,
        'r1',
        capRequest(DEFAULT_POLICY, 'wechat', 'restriction', now),
        meta('r1'),
      ),
    ).toBe('reserved');
    expect(
      await ledger.reserve(
        'wechat',
        id,
        'r2',
        capRequest(DEFAULT_POLICY, 'wechat', 'restriction', now),
        meta('r2'),
      ),
    ).toBe('capped');
    expect(
      await ledger.reserve(
        'wechat',
        id,
        'n1',
        capRequest(DEFAULT_POLICY, 'wechat', 'notice', now),
        meta('n1'),
      ),
    ).toBe('reserved');
  });

  it('allows at most 4 routine pushes over 7 days', async () => {
    const id = `o-${randomUUID()}`;
    const outcomes = [];
    for (let day = 10; day <= 16; day++) {
      const req = capRequest(DEFAULT_POLICY, 'wechat', 'notice', at(`2026-11-${day}T02:00:00Z`));
      outcomes.push(await ledger.reserve('wechat', id, `n-${day}`, req, meta(`n-${day}`)));
    }
    expect(outcomes).toEqual(['reserved', 'reserved', 'reserved', 'reserved', 'capped', 'capped', 'capped']);
    // The 10th drops out of the window on the 17th.
    expect(
      await ledger.reserve(
        'wechat',
        id,
        'n-17',
        capRequest(DEFAULT_POLICY, 'wechat', 'notice', at('2026-11-17T02:00:00Z')),
        meta('n-17'),
      ),
    ).toBe('reserved');
  });

  it('emergencies bypass routine limits but are counted and have their own ceiling', async () => {
    const id = `o-${randomUUID()}`;
    const now = at('2026-11-16T15:00:00Z'); // 23:00 in Shanghai
    await ledger.reserve('wechat', id, 'n1', capRequest(DEFAULT_POLICY, 'wechat', 'notice', now), meta('n1'));
    const e = capRequest(DEFAULT_POLICY, 'wechat', 'emergency', now);
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await ledger.reserve('wechat', id, `e${i}`, e, meta(`e${i}`)));
    expect(results).toEqual(['reserved', 'reserved', 'reserved', 'capped', 'capped']);
  });

  it('counts the civil day in Asia/Shanghai: 23:30 UTC is already tomorrow', async () => {
    const id = `o-${randomUUID()}`;
    const late = capRequest(DEFAULT_POLICY, 'wechat', 'notice', at('2026-11-16T15:30:00Z'));
    const next = capRequest(DEFAULT_POLICY, 'wechat', 'notice', at('2026-11-16T16:30:00Z'));
    expect([late.date, next.date]).toEqual(['2026-11-16', '2026-11-17']);
    expect(await ledger.reserve('wechat', id, 'a', late, meta('a'))).toBe('reserved');
    expect(await ledger.reserve('wechat', id, 'b', next, meta('b'))).toBe('reserved');
  });
});

describe('DynamoDailyQuota', () => {
  it('hands out a day’s quota in batches and never past it, even to concurrent takers', async () => {
    const { DynamoDailyQuota } = await import('../../functions/adapters/dynamodb/quota.ts');
    const quota = new DynamoDailyQuota(
      DynamoDBDocumentClient.from(client),
      localTableName(bp.service, 'operations'),
    );
    const app = `wx${randomUUID().slice(0, 8)}`;
    const takes = await Promise.all(Array.from({ length: 10 }, () => quota.take(app, '2026-11-16', 10, 45)));
    expect(takes.filter(Boolean)).toHaveLength(4); // 40 of 45
    expect(await quota.take(app, '2026-11-16', 10, 45)).toBe(false);
    expect(await quota.take(app, '2026-11-16', 1, 45)).toBe(true); // the rest one by one
    expect(await quota.take(app, '2026-11-17', 10, 45)).toBe(true); // a new day
  });
});

describe('DynamoDeferredPushes', () => {
  it('releases a deferred bundle once, whenever the release runs after its time (quiet hours may change)', async () => {
    const { DynamoDeferredPushes } = await import('../../functions/adapters/dynamodb/deferred-pushes.ts');
    const deferred = new DynamoDeferredPushes(
      DynamoDBDocumentClient.from(client),
      localTableName(bp.service, 'ledger'),
    );
    const key = `notice#${randomUUID()}`;
    const message = {
      bundle: `${key}#b0`,
      runKey: key,
      pushKey: key,
      category: 'notice' as const,
      channel: 'wechat' as const,
      account: 'dev',
      city: 'beijing',
      date: '2026-11-16',
      recipients: [{ id: 'o-1', plates: [] }],
    };
    const releaseAt = at('2026-11-16T23:00:00Z'); // 07:00 Shanghai
    expect(await deferred.defer(message, releaseAt, 3)).toBe(true);
    expect(await deferred.defer(message, releaseAt, 3)).toBe(false); // a redelivered bundle: once
    const released: unknown[] = [];
    const collect = async (m: unknown[]) => {
      released.push(...m);
    };
    expect(await deferred.release(at('2026-11-16T22:59:00Z'), collect)).toBe(0);
    // An hour late (say the quiet hours now end at 08:00): still released, once.
    expect(await deferred.release(at('2026-11-17T00:00:00Z'), collect)).toBe(1);
    expect(await deferred.release(at('2026-11-17T00:05:00Z'), collect)).toBe(0);
    expect(released).toEqual([{ ...message, deferred: true }]);
  });
});

describe('DynamoPushRuns.haltChannel', () => {
  const doc = DynamoDBDocumentClient.from(client);
  const runs = new DynamoPushRuns(doc, localTableName(bp.service, 'operations'));
  const run = (key: string) => ({
    key,
    kind: 'restriction' as const,
    category: 'restriction',
    city: 'beijing',
    date: '2026-11-18',
    slot: 'morning',
    status: 'running' as const,
    reason: null,
    segmentsTotal: 1,
    startedAt: '2026-11-17T23:00:00Z',
    lastActivityAt: '2026-11-17T23:00:00Z',
  });

  it('records the first reason per channel; the run goes on', async () => {
    await runs.createOrGet(run('halt#1'));
    await runs.haltChannel('halt#1', 'sms', 'SMS tencent AuthFailure', '2026-11-17T23:01:00Z');
    await runs.haltChannel('halt#1', 'sms', 'a later reason', '2026-11-17T23:02:00Z');
    expect(await runs.get('halt#1')).toMatchObject({
      status: 'running',
      halts: { sms: 'SMS tencent AuthFailure' },
    });
  });

  it('halts a run stored before runs carried the halts map; a missing run is left alone', async () => {
    await runs.createOrGet(run('halt#2'));
    await doc.send(
      new UpdateCommand({
        TableName: localTableName(bp.service, 'operations'),
        Key: { pk: 'RUN#halt#2', sk: 'RUN' },
        UpdateExpression: 'REMOVE halts',
      }),
    );
    expect((await runs.get('halt#2'))?.halts).toEqual({});
    await runs.haltChannel('halt#2', 'sms', 'SMS aliyun isv.SMS_TEMPLATE_ILLEGAL', '2026-11-17T23:01:00Z');
    expect((await runs.get('halt#2'))?.halts).toEqual({ sms: 'SMS aliyun isv.SMS_TEMPLATE_ILLEGAL' });
    await runs.haltChannel('no-such-run', 'sms', 'x', '2026-11-17T23:01:00Z');
    expect(await runs.get('no-such-run')).toBeUndefined();
  });
});
