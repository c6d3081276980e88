/**
 * Planning the daily restriction push.
 *
 * Primary course of planRestrictionPush:
 *  1. the date: given, or from the slot (morning → today, evening → tomorrow, Asia/Shanghai);
 *  2. ask the engine; a day that is not restricted (or unknown) gets a run recorded as `skipped`
 *     with the reason — `unknown` also raises an alarm — and nothing is sent;
 *  3. create the run under its idempotent key (a second trigger gets the existing run back);
 *  4. emit one segment per restricted tail × fan-out shard. Expansion is idempotent, so emitting
 *     again for an existing run (e.g. after a crash mid-emit) is safe.
 */
import type { SegmentMessage } from '../../schemas/pushes.ts';
import { addDays, today } from './calendar.ts';
import type { Clock } from './clock.ts';
import { restrictionRunKey, restrictionSegments } from './pushes.ts';
import { type RestrictionBook, restrictionOn } from './restrictions.ts';

export interface PlannedRun {
  key: string;
  created: boolean;
  status: 'running' | 'skipped' | 'aborted';
  reason: string | null;
  segments: number;
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
}

/** The push-run store as planners use it: a second create under a key returns the existing run. */
export interface RunRecorder<Run> {
  createOrGet(run: Run): Promise<{
    created: boolean;
    run: { status: 'running' | 'skipped' | 'aborted'; reason: string | null; segmentsTotal: number };
  }>;
}

export interface PlanningDeps {
  book: RestrictionBook;
  clock: Clock;
  runs: RunRecorder<NewRun<'restriction', 'restriction', 'morning' | 'evening'>>;
  publishSegments(segments: SegmentMessage[]): Promise<void>;
  unknownDay(city: string, date: string, reason: string): void;
}

export async function planRestrictionPush(
  req: { city: string; date?: string | undefined; slot: 'morning' | 'evening' },
  deps: PlanningDeps,
): Promise<PlannedRun> {
  const now = deps.clock.now();
  const date = req.date ?? (req.slot === 'morning' ? today(deps.clock) : addDays(today(deps.clock), 1));
  const answer = restrictionOn(deps.book, req.city, date);
  const key = restrictionRunKey(req.city, date, req.slot);
  const segments = restrictionSegments(answer);
  if (answer.status === 'unknown') deps.unknownDay(req.city, date, answer.reason);
  const restricted = answer.status === 'restricted';
  const { created, run } = await deps.runs.createOrGet({
    key,
    kind: 'restriction',
    category: 'restriction',
    city: req.city,
    date,
    slot: req.slot,
    status: restricted ? 'running' : 'skipped',
    reason: restricted ? null : answer.reason,
    segmentsTotal: segments.length,
    startedAt: now.toISOString(),
    lastActivityAt: now.toISOString(),
  });
  if (run.status === 'running') {
    await deps.publishSegments(
      segments.map((s) => ({
        runKey: key,
        category: 'restriction',
        city: req.city,
        date,
        slot: req.slot,
        tail: s.tail,
        shard: s.shard,
      })),
    );
  }
  return { key, created, status: run.status, reason: run.reason, segments: run.segmentsTotal };
}
