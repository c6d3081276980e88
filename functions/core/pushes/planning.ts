/**
 * Planning the daily restriction push.
 *
 * Primary course of planRestrictionPush:
 *  1. the date: given, or from the slot (morning → today, evening → tomorrow, Asia/Shanghai);
 *  2. ask the engine; a day that is not restricted (or unknown) gets a run recorded as `skipped`
 *     with the reason — `unknown` also raises an alarm — and nothing is sent;
 *  3. create the run under its idempotent key, with its segments (a second trigger gets the existing
 *     run back);
 *  4. emit one segment per restricted tail × fan-out shard. Expansion is idempotent, so emitting
 *     again for an existing run (e.g. after a crash mid-emit) is safe.
 */
import type { SegmentMessage } from '../../../schemas/pushes.ts';
import type { RestrictionAnswer } from '../../../schemas/restrictions.ts';
import { type RestrictionBook, restrictionOn } from '../restrictions/engine.ts';
import { FANOUT_SHARDS } from '../subscribers/fanout.ts';
import { addDays, type Clock, today } from '../time.ts';
import type { NewRun, PlannedRun, RunRecorder } from './runs.ts';

export const restrictionRunKey = (city: string, date: string, slot: 'morning' | 'evening') =>
  `restriction#${city}#${date}#${slot}`;

/** One segment per restricted tail and fan-out shard. */
export function restrictionSegments(answer: RestrictionAnswer): Array<{ tail: number; shard: number }> {
  if (answer.status !== 'restricted') return [];
  return answer.tails.flatMap((tail) =>
    Array.from({ length: FANOUT_SHARDS }, (_, shard) => ({ tail, shard })),
  );
}

/** The day a reminder is for: given, or from the slot (morning: today; evening: tomorrow, Asia/Shanghai). */
export const reminderDate = (req: { date?: string | undefined; slot: 'morning' | 'evening' }, clock: Clock) =>
  req.date ?? (req.slot === 'morning' ? today(clock) : addDays(today(clock), 1));

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
  const date = reminderDate(req, deps.clock);
  const answer = restrictionOn(deps.book, req.city, date);
  const key = restrictionRunKey(req.city, date, req.slot);
  const segments = restrictionSegments(answer);
  if (answer.status === 'unknown') deps.unknownDay(req.city, date, answer.reason);
  const restricted = answer.status === 'restricted';
  const messages: SegmentMessage[] = segments.map((s) => ({
    runKey: key,
    category: 'restriction',
    city: req.city,
    date,
    slot: req.slot,
    tail: s.tail,
    shard: s.shard,
  }));
  const { created, run } = await deps.runs.createOrGet(
    {
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
    },
    messages,
  );
  if (run.status === 'running') await deps.publishSegments(messages);
  return { key, created, status: run.status, reason: run.reason, segments: run.segmentsTotal };
}
