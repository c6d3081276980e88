/**
 * A deadline, not just a start time: the morning reminder is planned to be delivered before the
 * city's restrictions begin.
 *
 * Primary course of planPace:
 *  1. the deadline is the restriction window's start on the day (morning slot) or the WeChat quiet
 *     hours' start (evening slot), less a margin; without one the run goes at the configured rate;
 *  2. at the configured rate per delivery invocation × the queue's maximum concurrency, a run that
 *     finishes by then is sent at that rate (nothing is sped up that does not need it);
 *  3. otherwise the rate per invocation is raised just enough, up to its configured maximum and
 *     under the account's total ceiling (WeChat's sending limit), so the run ends by the deadline;
 *  4. a run that cannot make it even so is sent at the most it may go, and the plan says it will be
 *     late (the planner alarms) — it never exceeds a limit to make a deadline.
 * The audience is the fan-out index's count of the run's segments (an upper bound: a subscriber
 * with plates of two restricted tails is counted in both).
 */
import type { FrequencyPolicy, PacePlan } from '../../../schemas/pushes.ts';
import type { RestrictionAnswer } from '../../../schemas/restrictions.ts';
import { addDays } from '../time.ts';

/** The planning settings (schemas/settings.ts PushPlanningSettingsSchema). */
export interface PushPacing extends PaceLimits {
  /** When each slot's schedule starts its run (Asia/Shanghai, HH:MM). */
  starts: { morning: string; evening: string };
}

export interface PaceLimits {
  /** Sends per second per delivery invocation, as configured (PUSH_RATE_PER_SECOND). */
  ratePerInvocation: number;
  /** The most a deadline may raise it to (PUSH_MAX_RATE_PER_SECOND). */
  maxRatePerInvocation: number;
  /** Delivery invocations in parallel: the delivery queue's maximum concurrency. */
  concurrency: number;
  /** Sends per second across all invocations the account may take (WeChat's limit for the account). */
  maxTotalRate: number;
  /** How long before the deadline the last send should be done. */
  marginMinutes: number;
}

/** China has kept UTC+8 all year since 1991: a civil time in Asia/Shanghai as an instant. */
const shanghai = (date: string, hhmm: string) => new Date(`${date}T${hhmm}:00.000+08:00`);

/**
 * When the reminder must have arrived: the morning reminder before the first restriction window of
 * the day begins; the evening one before the WeChat quiet hours begin that evening (the day before
 * the restriction). null: no deadline (not restricted, or no window, or no quiet hours).
 */
export function reminderDeadline(
  answer: RestrictionAnswer,
  slot: 'morning' | 'evening',
  policy: FrequencyPolicy,
  sendDate: string,
): Date | null {
  if (answer.status !== 'restricted') return null;
  if (slot === 'morning') {
    const first = [...answer.windows].sort((a, b) => a.from.localeCompare(b.from))[0];
    return first ? shanghai(answer.date, first.from) : null;
  }
  const quiet = policy.channels.wechat.quietHours;
  return quiet ? shanghai(sendDate, quiet.from) : null;
}

const ceilTo = (n: number) => Math.max(1, Math.ceil(n));

/**
 * When a run for this day and slot starts: its schedule's time on the day of sending (the day itself
 * for the morning, the day before for the evening), or now if that time has passed.
 */
export function plannedStart(
  date: string,
  slot: 'morning' | 'evening',
  starts: PushPacing['starts'],
  now: Date,
): Date {
  const sendDate = slot === 'morning' ? date : addDays(date, -1);
  const at = shanghai(sendDate, starts[slot]);
  return at.getTime() > now.getTime() ? at : now;
}

export function planPace(audience: number, start: Date, deadline: Date | null, limits: PaceLimits): PacePlan {
  const ceiling = Math.max(
    1,
    Math.min(limits.maxRatePerInvocation, Math.floor(limits.maxTotalRate / limits.concurrency)),
  );
  const base = Math.min(limits.ratePerInvocation, ceiling);
  const finishBy = deadline ? new Date(deadline.getTime() - limits.marginMinutes * 60_000) : null;
  let rate = base;
  if (finishBy && audience > 0) {
    const seconds = (finishBy.getTime() - start.getTime()) / 1000;
    const needed = seconds > 0 ? ceilTo(audience / seconds / limits.concurrency) : ceiling;
    rate = Math.min(Math.max(base, needed), ceiling);
  }
  const totalRate = rate * limits.concurrency;
  const plannedFinish = new Date(start.getTime() + Math.ceil((audience / totalRate) * 1000));
  return {
    audience,
    startAt: start.toISOString(),
    deadline: deadline?.toISOString() ?? null,
    finishBy: finishBy?.toISOString() ?? null,
    ratePerInvocation: rate,
    concurrency: limits.concurrency,
    totalRate,
    plannedFinish: plannedFinish.toISOString(),
    meetsDeadline: finishBy ? plannedFinish.getTime() <= finishBy.getTime() : null,
  };
}

/** Whether a finished run met its plan's deadline (null: no deadline, or not finished). */
export function metDeadline(pace: PacePlan | null, finishedAt: string | null): boolean | null {
  if (!pace?.deadline || !finishedAt) return null;
  return Date.parse(finishedAt) <= Date.parse(pace.deadline);
}
