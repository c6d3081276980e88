/**
 * Push runs: what planners record (the idempotent run and its planned shape) and a run's life — it
 * is `running` until every segment is expanded, every planned recipient has an outcome and every
 * planned mass send (a notice for a subscription account) is recorded, then it ends `completed`, or
 * `completed-with-failures` when some recipient's outcome is a failure.
 */
import {
  OUTCOMES,
  type Outcome,
  type PacePlan,
  type RunStatus,
  type SegmentMessage,
} from '../../../schemas/pushes.ts';
import type { MassSendJob } from '../../../schemas/wechat.ts';

export interface PlannedRun {
  key: string;
  created: boolean;
  status: RunStatus;
  reason: string | null;
  segments: number;
  /** Restriction runs: how the run is paced for its deadline. */
  pace?: PacePlan | null;
}

/** A run as a planner records it; the store adds progress, counts and consumption. */
export interface NewRun<Kind extends string, Category extends string, Slot> {
  key: string;
  kind: Kind;
  category: Category;
  city: string;
  date: string;
  slot: Slot;
  status: 'running' | 'skipped';
  reason: string | null;
  segmentsTotal: number;
  startedAt: string;
  lastActivityAt: string;
  /** The article mass sends it makes (one per subscription account), each recorded once when done. */
  massSendJobs?: readonly MassSendJob[];
  /** Restriction runs: the pace planned for the deadline. */
  pace?: PacePlan | null;
}

/**
 * The push-run store as planners use it: a second create under a key returns the existing run. The
 * run is recorded with its segments' messages, so a resume can emit a segment that was lost.
 */
export interface RunRecorder<Run> {
  createOrGet(
    run: Run,
    segments: readonly SegmentMessage[],
  ): Promise<{
    created: boolean;
    run: { status: RunStatus; reason: string | null; segmentsTotal: number; pace?: PacePlan | null };
  }>;
}

/** Outcomes that end a recipient's part in a run; a duplicate is an extra delivery, a deferral ends later. */
export const SETTLING_OUTCOMES: readonly Outcome[] = OUTCOMES.filter(
  (o) => o !== 'duplicate' && o !== 'deferred-quiet',
);

/** Outcomes where someone the push was for did not get it through a fault (not a cap, choice or rule). */
export const FAILURE_OUTCOMES: readonly Outcome[] = [
  'failed',
  'provider-permanent',
  'unknown-outcome',
  'budget',
  'invalid-recipient',
];

export interface RunState {
  status: RunStatus;
  segmentsDone: number;
  segmentsTotal: number;
  counts: Readonly<Record<string, number>>;
  massSendJobs?: readonly Pick<MassSendJob, 'accountId'>[];
  /** Each planned mass send's result, by account, once recorded. */
  massSends?: Readonly<Record<string, string>>;
}

/** The planned mass sends no result is recorded for. */
export const pendingMassSends = <J extends Pick<MassSendJob, 'accountId'>>(
  run: Pick<RunState, 'massSends'> & { massSendJobs?: readonly J[] },
): J[] => (run.massSendJobs ?? []).filter((j) => run.massSends?.[j.accountId] === undefined);

/** Where a run stands, and the status it ends with once `finished`. */
export function runProgress(run: RunState) {
  const settled = SETTLING_OUTCOMES.reduce((n, o) => n + (run.counts[o] ?? 0), 0);
  const planned = run.counts.planned ?? 0;
  const finished =
    run.status === 'running' &&
    run.segmentsDone >= run.segmentsTotal &&
    settled >= planned &&
    pendingMassSends(run).length === 0;
  const failures = FAILURE_OUTCOMES.reduce((n, o) => n + (run.counts[o] ?? 0), 0);
  const ending: RunStatus = failures > 0 ? 'completed-with-failures' : 'completed';
  return { settled, planned, finished, ending };
}

/** What the stall rule reads of a run. */
export interface RunActivity extends RunState {
  lastActivityAt: string;
  /** Its routine bundles wait out quiet hours until then. */
  waitingUntil: string | null;
}

/**
 * A run has stalled when it is still running and nothing happened for `stallAfterMs` — counted from
 * the end of quiet hours when its bundles wait for them: some of its audience has no outcome (or a
 * segment is not expanded, or a mass send is not recorded), or everything has one but the write that
 * ends the run never came (its writer died right after the last count; the resume ends it). Returns
 * since when (the instant it would have been expected to move), or null.
 */
export function stalledSince(run: RunActivity, now: Date, stallAfterMs: number): string | null {
  if (run.status !== 'running') return null;
  const quiet = run.waitingUntil ? Date.parse(run.waitingUntil) : 0;
  const since = Math.max(Date.parse(run.lastActivityAt), quiet);
  return now.getTime() - since >= stallAfterMs ? new Date(since).toISOString() : null;
}

/** A run as operators read it: with since when it stalled (null: it has not). */
export const withStall = <R extends RunActivity>(run: R, now: Date, stallAfterMs: number) => ({
  ...run,
  stalledSince: stalledSince(run, now, stallAfterMs),
});
