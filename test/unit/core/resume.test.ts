/**
 * Runs always finish (issue #19): when a run is stalled (running, something unfinished, no activity
 * for the configured time, quiet-hour waits excepted), and what resuming it does — emit again only
 * what the run's own records say is unfinished, record the resume (audited for an operator), end a
 * run whose last writer died before ending it — and the sweep that finds and resumes stalled runs,
 * within its limit.
 */
import { describe, expect, it } from 'vitest';
import {
  type ResumableRun,
  type ResumeDeps,
  resumeRun,
  sweepStalledRuns,
} from '../../../functions/core/pushes/resume.ts';
import { runProgress, stalledSince } from '../../../functions/core/pushes/runs.ts';
import { fixedClock } from '../../../functions/core/time.ts';
import type { DeliveryMessage, SegmentMessage } from '../../../schemas/pushes.ts';
import type { MassSendJob } from '../../../schemas/wechat.ts';

const NOW = '2026-11-16T03:00:00.000Z';
const minutesAgo = (m: number) => new Date(Date.parse(NOW) - m * 60_000).toISOString();
const TEN_MINUTES = 600_000;

function run(over: Partial<ResumableRun> = {}): ResumableRun {
  return {
    key: 'restriction#beijing#2026-11-16#morning',
    status: 'running',
    segmentsDone: 32,
    segmentsTotal: 32,
    counts: { planned: 600, sent: 201 },
    lastActivityAt: minutesAgo(30),
    waitingUntil: null,
    resumes: 0,
    ...over,
  };
}

describe('stalledSince', () => {
  const at = new Date(NOW);
  it('a running run with recipients unsettled and no activity for the stall time has stalled', () => {
    expect(stalledSince(run(), at, TEN_MINUTES)).toBe(minutesAgo(30));
    expect(
      stalledSince(run({ counts: { planned: 600, sent: 600 }, segmentsDone: 31 }), at, TEN_MINUTES),
    ).toBe(minutesAgo(30)); // a segment not expanded
  });
  it('not while it moves, nor once it has ended', () => {
    expect(stalledSince(run({ lastActivityAt: minutesAgo(5) }), at, TEN_MINUTES)).toBeNull();
    for (const status of ['completed', 'aborted', 'skipped', 'completed-with-failures'] as const)
      expect(stalledSince(run({ status }), at, TEN_MINUTES)).toBeNull();
  });
  it('everyone with an outcome but the run never ended (its last writer died): stalled, for the resume to end it', () => {
    const finished = run({ counts: { planned: 600, sent: 599, failed: 1 } });
    expect(stalledSince(finished, at, TEN_MINUTES)).toBe(minutesAgo(30));
    expect(stalledSince({ ...finished, lastActivityAt: minutesAgo(1) }, at, TEN_MINUTES)).toBeNull();
  });
  it('not while its bundles wait out quiet hours, and only the stall time after they end', () => {
    expect(stalledSince(run({ waitingUntil: '2026-11-16T23:00:00.000Z' }), at, TEN_MINUTES)).toBeNull();
    expect(stalledSince(run({ waitingUntil: minutesAgo(5) }), at, TEN_MINUTES)).toBeNull();
    expect(stalledSince(run({ waitingUntil: minutesAgo(20) }), at, TEN_MINUTES)).toBe(minutesAgo(20));
  });
});

function harness(
  runs: ResumableRun[],
  left: { segments: SegmentMessage[]; bundles: DeliveryMessage[]; massSends?: MassSendJob[] },
) {
  const unfinished = { massSends: [], ...left };
  const published = {
    segments: [] as SegmentMessage[],
    bundles: [] as DeliveryMessage[],
    massSends: [] as MassSendJob[],
  };
  const audit: unknown[] = [];
  const resumed: string[] = [];
  const finished: string[] = [];
  const metrics: string[] = [];
  const deps: ResumeDeps = {
    runs: {
      get: async (key) => runs.find((r) => r.key === key),
      unfinished: async () => unfinished,
      markResumed: async (key) => void resumed.push(key),
      finish: async (key) => void finished.push(key),
      running: async () => runs.filter((r) => r.status === 'running'),
    },
    publishSegments: async (s) => void published.segments.push(...s),
    publishBundles: async (b) => void published.bundles.push(...b),
    publishMassSends: async (j) => void published.massSends.push(...j),
    audit: { append: async (e) => void audit.push(e) },
    clock: fixedClock(NOW),
    newId: () => 'id-1',
    telemetry: { log: () => {}, metric: (name) => void metrics.push(name) },
    settings: { stallAfterMs: TEN_MINUTES, maxAutoResumes: 3 },
  };
  return { deps, published, audit, resumed, finished, metrics };
}

const lostBundle = {
  bundle: 'restriction#beijing#2026-11-16#morning#0#3#0#wechat#dev#0',
  runKey: 'restriction#beijing#2026-11-16#morning',
  pushKey: 'restriction#beijing#2026-11-16#morning',
  category: 'restriction',
  channel: 'wechat',
  account: 'dev',
  city: 'beijing',
  date: '2026-11-16',
  recipients: [
    { id: 'o-a', plates: ['京A12340'] },
    { id: 'o-b', plates: ['京A12345'] },
  ],
} satisfies DeliveryMessage;

describe('resumeRun', () => {
  it('emits again what the run has not finished, records the resume and audits the operator', async () => {
    const segment = {
      runKey: lostBundle.runKey,
      category: 'restriction',
      city: 'beijing',
      date: '2026-11-16',
      slot: 'morning',
      tail: 0,
      shard: 9,
    } satisfies SegmentMessage;
    const h = harness([run()], { segments: [segment], bundles: [lostBundle] });
    const report = await resumeRun(lostBundle.runKey, { sub: 'olga', roles: ['operator'] }, h.deps);
    expect(report).toEqual({
      key: lostBundle.runKey,
      stalledSince: minutesAgo(30),
      resumed: { segments: 1, bundles: 1, recipients: 2, massSends: 0 },
    });
    expect(h.published).toEqual({ segments: [segment], bundles: [lostBundle], massSends: [] });
    expect(h.resumed).toEqual([lostBundle.runKey]);
    expect(h.audit).toEqual([
      expect.objectContaining({ actor: 'olga', action: 'push.resume', entity: `run:${lostBundle.runKey}` }),
    ]);
    expect(h.finished).toEqual([]);
  });

  it('ends a run with nothing left to emit (its last writer died before ending it)', async () => {
    const h = harness([run({ counts: { planned: 2, sent: 2 } })], { segments: [], bundles: [] });
    await resumeRun(lostBundle.runKey, null, h.deps);
    expect(h.finished).toEqual([lostBundle.runKey]);
    expect(h.audit).toEqual([]); // the sweep is not an operator
  });

  it('refuses a run that is not running (409) or does not exist (404)', async () => {
    const h = harness([run({ status: 'completed' })], { segments: [], bundles: [] });
    await expect(resumeRun(lostBundle.runKey, null, h.deps)).rejects.toMatchObject({ kind: 'conflict' });
    await expect(resumeRun('no#such#run', null, h.deps)).rejects.toMatchObject({ kind: 'not-found' });
    expect(h.published).toEqual({ segments: [], bundles: [], massSends: [] });
  });

  it('sends for a planned mass send again when its result was never recorded', async () => {
    const key = 'notice#n1#v2';
    const job = { runKey: key, noticeId: 'n1', version: 2, accountId: 'officers' };
    const waiting = run({
      key,
      segmentsDone: 0,
      segmentsTotal: 0,
      counts: {},
      massSendJobs: [job],
      massSends: {},
    });
    // Nothing else planned: the run has not finished until the mass send is recorded, and it stalls.
    expect(runProgress(waiting).finished).toBe(false);
    expect(runProgress({ ...waiting, massSends: { officers: 'sent' } }).finished).toBe(true);
    expect(stalledSince(waiting, new Date(NOW), TEN_MINUTES)).toBe(minutesAgo(30));
    const h = harness([waiting], { segments: [], bundles: [], massSends: [job] });
    const report = await resumeRun(key, null, h.deps);
    expect(report.resumed).toEqual({ segments: 0, bundles: 0, recipients: 0, massSends: 1 });
    expect(h.published.massSends).toEqual([job]);
    expect(h.finished).toEqual([]);
  });
});

describe('sweepStalledRuns', () => {
  it('resumes the stalled runs, counts them for the alarm, and leaves one resumed too often to an operator', async () => {
    const runs = [
      run({ key: 'a' }),
      run({ key: 'moving', lastActivityAt: minutesAgo(1) }),
      run({ key: 'hopeless', resumes: 3 }),
      run({ key: 'done', status: 'completed' }),
    ];
    const h = harness(runs, { segments: [], bundles: [lostBundle] });
    const report = await sweepStalledRuns(h.deps);
    expect(report).toMatchObject({ running: 3, stalled: 2, leftToOperators: ['hopeless'] });
    expect(report.resumed.map((r) => r.key)).toEqual(['a']);
    expect(h.metrics.filter((m) => m === 'StalledPushRuns')).toHaveLength(2);
    expect(h.published.bundles).toHaveLength(1);
  });
});
