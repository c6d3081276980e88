/**
 * Planning the daily restriction push.
 *
 * Primary course of planRestrictionPush:
 *  1. the date: given, or from the slot (morning → today, evening → tomorrow, Asia/Shanghai);
 *  2. ask the engine; a day that is not restricted (or unknown) gets a run recorded as `skipped`
 *     with the reason — `unknown` also raises an alarm — and nothing is sent;
 *  3. pace it for its deadline (./deadline.ts): the audience is the fan-out index's count, the rate
 *     per delivery invocation is raised within its limits so the run ends before restrictions begin;
 *  4. create the run under its idempotent key (a second trigger gets the existing run back) with the
 *     pace and its segments (so a resume can emit a lost one); a plan that cannot meet its deadline
 *     is reported (`lateRun`, alarmed);
 *  5. emit one segment per restricted tail × fan-out shard, carrying the planned rate. Expansion is
 *     idempotent, so emitting again for an existing run (e.g. after a crash mid-emit) is safe.
 */
import type { FrequencyPolicy, PacePlan, SegmentMessage } from '../../../schemas/pushes.ts';
import type { RestrictionAnswer } from '../../../schemas/restrictions.ts';
import { type RestrictionBook, restrictionOn } from '../restrictions/engine.ts';
import { FANOUT_SHARDS } from '../subscribers/fanout.ts';
import { addDays, type Clock, civilDate, today } from '../time.ts';
import { type PaceLimits, planPace, reminderDeadline } from './deadline.ts';
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
  policy: FrequencyPolicy;
  pacing: PaceLimits;
  /** How many the fan-out index lists for these tails of the city and slot (all shards). */
  audienceOf(city: string, slot: 'morning' | 'evening', tails: readonly number[]): Promise<number>;
  /** The plan cannot finish before the deadline within the limits. */
  lateRun(key: string, pace: PacePlan): void;
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
  const pace = restricted ? await paceOf(req.slot, answer, now, deps) : null;
  // Alarmed when the limits, not the hour, make it late (an operator's run after the deadline is late by choice).
  if (pace?.meetsDeadline === false && pace.finishBy && Date.parse(pace.finishBy) > now.getTime())
    deps.lateRun(key, pace);
  const messagesAt = (p: PacePlan | null | undefined): SegmentMessage[] =>
    segments.map((s) => ({
      runKey: key,
      category: 'restriction',
      city: req.city,
      date,
      slot: req.slot,
      tail: s.tail,
      shard: s.shard,
      ...(p ? { ratePerSecond: p.ratePerInvocation } : {}),
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
      pace,
    },
    messagesAt(pace),
  );
  // An existing run is emitted again at the pace it was planned with.
  if (run.status === 'running') await deps.publishSegments(messagesAt(run.pace));
  return {
    key,
    created,
    status: run.status,
    reason: run.reason,
    segments: run.segmentsTotal,
    pace: run.pace ?? null,
  };
}

/** The run's pace from now to its deadline, for the audience the fan-out index lists. */
async function paceOf(
  slot: 'morning' | 'evening',
  answer: RestrictionAnswer,
  now: Date,
  deps: Pick<PlanningDeps, 'audienceOf' | 'policy' | 'pacing'>,
): Promise<PacePlan> {
  const audience = await deps.audienceOf(answer.city, slot, answer.tails);
  const deadline = reminderDeadline(answer, slot, deps.policy, civilDate(now));
  return planPace(audience, now, deadline, deps.pacing);
}
