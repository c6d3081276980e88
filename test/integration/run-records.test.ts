/**
 * What a run knows about itself, against DynamoDB Local (issue #19): a run is recorded with its
 * segments' messages; each expanded page keeps its bundles in the transaction that counts it; a
 * bundle attempt's receipt and counts are one transaction, once per recipient however many copies of
 * the bundle record at once; `unfinished` lists exactly what is left (segments not expanded,
 * recipients their receipt lacks); and the ledger says what holds a push it already has.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoPushLedger } from '../../functions/adapters/dynamodb/push-ledger.ts';
import { DynamoPushRuns } from '../../functions/adapters/dynamodb/push-runs.ts';
import { frequencyBundle } from '../../functions/core/delivery/frequency.ts';
import { capRequest } from '../../functions/core/pushes/cap.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { ensureTables, localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { DEFAULT_POLICY, type DeliveryMessage, type RestrictionSegment } from '../../schemas/pushes.ts';

const bp = defineBlueprint({ ...blueprintInput, service: `runrec-${randomUUID().slice(0, 8)}` });
const client = localClient(inject('dynamodbEndpoint'));
const doc = DynamoDBDocumentClient.from(client);
const ledgerTable = localTableName(bp.service, 'ledger');
const runs = new DynamoPushRuns(doc, localTableName(bp.service, 'operations'), { receipts: ledgerTable });
const ledger = new DynamoPushLedger(doc, ledgerTable);
const AT = '2026-11-16T02:00:00.000Z';

beforeAll(async () => {
  await ensureTables(client, bp);
});

function newRun(key: string, segments: RestrictionSegment[]) {
  return runs.createOrGet(
    {
      key,
      kind: 'restriction',
      category: 'restriction',
      city: 'beijing',
      date: '2026-11-16',
      slot: 'morning',
      status: 'running',
      reason: null,
      segmentsTotal: segments.length,
      startedAt: AT,
      lastActivityAt: AT,
    },
    segments,
  );
}
const segment = (key: string, tail: number, shard: number): RestrictionSegment => ({
  runKey: key,
  category: 'restriction',
  city: 'beijing',
  date: '2026-11-16',
  slot: 'morning',
  tail,
  shard,
});
const bundleOf = (key: string, n: number, ids: string[]): DeliveryMessage => ({
  bundle: `${key}#0#${n}#0#wechat#dev#0`,
  runKey: key,
  pushKey: key,
  category: 'restriction',
  channel: 'wechat',
  account: 'dev',
  city: 'beijing',
  date: '2026-11-16',
  recipients: ids.map((id) => ({ id, plates: ['京A12340'] })),
});

describe('a run’s own records', () => {
  it('say what is unfinished: segments not expanded, recipients their bundle’s receipt lacks', async () => {
    const key = `restriction#t${randomUUID().slice(0, 8)}#2026-11-16#morning`;
    const segs = [segment(key, 0, 0), segment(key, 5, 0)];
    await newRun(key, segs);
    const b = bundleOf(key, 0, ['o-a', 'o-b', 'o-c']);
    const exempt = [{ id: 'o-nev', outcome: 'exempt' as const }];
    expect(
      await runs.advanceSegment(key, '0#0', 0, null, 4, AT, { exempt: 1 }, { bundles: [b], settled: exempt }),
    ).toBe(true);
    // A copy of the segment that expanded the same page later records nothing.
    expect(await runs.advanceSegment(key, '0#0', 0, null, 4, AT, {}, { bundles: [], settled: [] })).toBe(
      false,
    );
    await runs.record(key, b.bundle, [{ id: 'o-a', receipt: 'sent:1', count: 'sent' }], AT);
    const left = await runs.unfinished(key);
    expect(left.segments).toEqual([segs[1]]);
    expect(left.bundles).toEqual([{ ...b, recipients: b.recipients.slice(1) }]);
    expect((await runs.get(key))?.counts).toEqual({ planned: 4, exempt: 1, sent: 1 });
  });

  it('keep a page’s manifest gzipped, and still read a page written before as plain attributes', async () => {
    const key = `restriction#t${randomUUID().slice(0, 8)}#2026-11-16#morning`;
    await newRun(key, [segment(key, 0, 0), segment(key, 0, 1)]);
    // A full page: 500 recipients in bundles of 50, with ids as long and as random as WeChat's openids.
    const bundles = Array.from({ length: 10 }, (_, n) =>
      bundleOf(
        key,
        n,
        Array.from({ length: 50 }, () => `o${randomBytes(21).toString('base64url').slice(0, 27)}`),
      ),
    );
    await runs.advanceSegment(key, '0#0', 0, null, 500, AT, {}, { bundles, settled: [] });
    const operations = localTableName(bp.service, 'operations');
    const page = await doc.send(
      new GetCommand({ TableName: operations, Key: { pk: `RUN#${key}`, sk: 'PAGE#0#0#000000' } }),
    );
    expect(page.Item?.bundles).toBeUndefined();
    expect(page.Item?.z).toBeInstanceOf(Uint8Array);
    const plain = JSON.stringify({ bundles, settled: [] }).length;
    expect((page.Item!.z as Uint8Array).length).toBeLessThan(plain / 2);
    // A page of the other segment as stored before manifests were compressed.
    const legacy = bundleOf(key, 10, ['o-legacy']);
    await doc.send(
      new PutCommand({
        TableName: operations,
        Item: { pk: `RUN#${key}`, sk: 'PAGE#0#1#000000', bundles: [legacy], settled: [] },
      }),
    );
    const left = await runs.unfinished(key);
    expect(left.bundles).toEqual(expect.arrayContaining([...bundles, legacy]));
    expect(left.bundles).toHaveLength(11);
  });

  it('count each recipient once when copies of a bundle record at the same time, and end the run', async () => {
    const key = `restriction#t${randomUUID().slice(0, 8)}#2026-11-16#morning`;
    await newRun(key, [segment(key, 0, 0)]);
    const ids = Array.from({ length: 20 }, (_, i) => `o-${i}`);
    const b = bundleOf(key, 0, ids);
    await runs.advanceSegment(key, '0#0', 0, null, ids.length, AT, {}, { bundles: [b], settled: [] });
    const entries = ids.map((id) => ({ id, receipt: `sent:${id}`, count: 'sent' as const }));
    // Five copies, each with an overlapping share of the recipients.
    const copies = await Promise.all(
      Array.from({ length: 5 }, (_, c) => runs.record(key, b.bundle, entries.slice(c * 3, c * 3 + 10), AT)),
    );
    const counted = copies.reduce((n, c) => n + (c.sent ?? 0), 0);
    await runs.record(key, b.bundle, entries, AT);
    const run = await runs.get(key);
    expect(counted).toBeLessThanOrEqual(20);
    expect(run?.counts.sent).toBe(20);
    expect(run).toMatchObject({ status: 'completed', done: true });
    expect((await runs.unfinished(key)).bundles).toEqual([]);
  });

  it('record an unsent recipient without counting it', async () => {
    const key = `restriction#t${randomUUID().slice(0, 8)}#2026-11-16#morning`;
    await newRun(key, [segment(key, 0, 0)]);
    const b = bundleOf(key, 0, ['o-x']);
    await runs.advanceSegment(key, '0#0', 0, null, 1, AT, {}, { bundles: [b], settled: [] });
    expect(
      await runs.record(key, b.bundle, [{ id: 'o-x', receipt: 'unsent:run stopped', count: null }], AT),
    ).toEqual({});
    expect(await ledger.receipt(b.bundle)).toEqual(new Map([['o-x', 'unsent:run stopped']]));
    expect((await runs.unfinished(key)).bundles).toEqual([]);
  });

  it('hold a follower deferred alone after 43117 unfinished until the deferred bundle records them', async () => {
    const key = `restriction#t${randomUUID().slice(0, 8)}#2026-11-16#morning`;
    await newRun(key, [segment(key, 0, 0)]);
    const b = bundleOf(key, 0, ['o-busy', 'o-ok']);
    await runs.advanceSegment(key, '0#0', 0, null, 2, AT, {}, { bundles: [b], settled: [] });
    await runs.record(
      key,
      b.bundle,
      [
        { id: 'o-busy', receipt: 'deferred:43117#1', count: 'deferred-frequency' },
        { id: 'o-ok', receipt: 'sent:1', count: 'sent' },
      ],
      AT,
    );
    // The deferred push was lost: the resume emits it as its deferral would have gone, one follower.
    const first = frequencyBundle(b.bundle, 'o-busy', 1);
    expect((await runs.unfinished(key)).bundles).toEqual([
      { ...b, bundle: first, recipients: [b.recipients[0]], frequencyAttempt: 1 },
    ]);
    // Deferred again by that bundle, then sent by the next: finished, and the run ends.
    await runs.record(
      key,
      first,
      [{ id: 'o-busy', receipt: 'deferred:43117#2', count: 'deferred-frequency' }],
      AT,
    );
    const second = frequencyBundle(first, 'o-busy', 2);
    expect(second).toBe(`${b.bundle}#43117#o-busy#2`);
    expect((await runs.unfinished(key)).bundles.map((m) => m.bundle)).toEqual([second]);
    expect((await runs.get(key))?.status).toBe('running');
    await runs.record(key, second, [{ id: 'o-busy', receipt: 'sent:2', count: 'sent' }], AT);
    expect((await runs.unfinished(key)).bundles).toEqual([]);
    expect(await runs.get(key)).toMatchObject({
      status: 'completed',
      counts: { sent: 2, 'deferred-frequency': 2 },
    });
  });
});

describe('a run’s planned mass sends', () => {
  it('keep it running until each is recorded, once; a resume lists those never recorded', async () => {
    const key = `notice#m${randomUUID().slice(0, 8)}#v1`;
    const jobs = ['officers', 'press'].map((accountId) => ({
      runKey: key,
      noticeId: 'n',
      version: 1,
      accountId,
    }));
    await runs.createOrGet({
      key,
      kind: 'notice',
      category: 'notice',
      city: 'beijing',
      date: '2026-11-16',
      slot: null,
      status: 'running',
      reason: null,
      segmentsTotal: 0,
      startedAt: AT,
      lastActivityAt: AT,
      massSendJobs: jobs,
    });
    expect((await runs.unfinished(key)).massSends).toEqual(jobs);
    expect(await runs.recordMassSend(key, 'officers', 'sent', AT)).toBe(true);
    expect(await runs.recordMassSend(key, 'officers', 'sent', AT)).toBe(false); // a second copy
    expect(await runs.get(key)).toMatchObject({ status: 'running', counts: { 'mass-send:sent': 1 } });
    expect((await runs.unfinished(key)).massSends).toEqual([jobs[1]]);
    await runs.recordMassSend(key, 'press', 'held', AT);
    expect(await runs.get(key)).toMatchObject({
      status: 'completed',
      counts: { 'mass-send:sent': 1, 'mass-send:held': 1 },
      massSends: { officers: 'sent', press: 'held' },
    });
    expect((await runs.unfinished(key)).massSends).toEqual([]);
  });
});

describe('DynamoPushLedger.earlier', () => {
  it('tells an earlier attempt of this bundle, another entry of the push, and a copy still in flight apart', async () => {
    const key = `notice#${randomUUID()}`;
    const req = capRequest(DEFAULT_POLICY, 'wechat', 'notice', new Date(AT));
    const meta = (bundle: string) => ({ category: 'notice', runKey: key, bundle });
    const [settledHere, elsewhere, inFlight, skipped] = ['a', 'b', 'c', 'd'].map(
      (x) => `o-${x}-${randomUUID()}`,
    ) as [string, string, string, string];
    const generous = { ...req, weekLimit: null, dayLimit: 10 };
    await ledger.reserve('wechat', settledHere, key, generous, meta('B1'));
    await ledger.settle('wechat', settledHere, req.date, key, 'failed:43101');
    await ledger.reserve('wechat', elsewhere, key, generous, meta('B0'));
    await ledger.reserve('wechat', inFlight, key, generous, meta('B1'));
    await ledger.skip('wechat', skipped, req.date, key, 'opted-out');
    expect(await ledger.earlier('wechat', settledHere, req.date, key, 'B1')).toEqual({
      kind: 'this-bundle',
      value: 'failed:43101',
    });
    expect(await ledger.earlier('wechat', elsewhere, req.date, key, 'B1')).toEqual({ kind: 'elsewhere' });
    expect(await ledger.earlier('wechat', inFlight, req.date, key, 'B1')).toEqual({ kind: 'in-flight' });
    expect(await ledger.earlier('wechat', skipped, req.date, key, 'B1')).toEqual({
      kind: 'this-bundle',
      value: 'skipped:opted-out',
    });
  });
});
