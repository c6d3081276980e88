import { describe, expect, it } from 'vitest';
import {
  metDeadline,
  type PaceLimits,
  plannedStart,
  planPace,
  reminderDeadline,
} from '../../../functions/core/pushes/deadline.ts';
import { openBook, restrictionOn } from '../../../functions/core/restrictions/engine.ts';
import { shippedRestrictionData } from '../../../schemas/data/index.ts';
import { DEFAULT_POLICY } from '../../../schemas/pushes.ts';

const book = openBook(shippedRestrictionData);
// The blueprint's defaults: 40/s per invocation, raised to 60 at most, 6 invocations, 360/s ceiling.
const limits: PaceLimits = {
  ratePerInvocation: 40,
  maxRatePerInvocation: 60,
  concurrency: 6,
  maxTotalRate: 360,
  marginMinutes: 5,
};
const at = (iso: string) => new Date(iso);
const start = at('2026-11-16T06:30:00+08:00');
const deadline = at('2026-11-16T07:00:00+08:00');

describe('reminderDeadline', () => {
  it('is the first restriction window’s start for the morning, in Asia/Shanghai', () => {
    const answer = restrictionOn(book, 'beijing', '2026-11-16');
    expect(reminderDeadline(answer, 'morning', DEFAULT_POLICY, '2026-11-16')?.toISOString()).toBe(
      '2026-11-15T23:00:00.000Z',
    );
  });

  it('is the start of quiet hours on the evening before, for the evening slot', () => {
    const answer = restrictionOn(book, 'beijing', '2026-11-16');
    expect(reminderDeadline(answer, 'evening', DEFAULT_POLICY, '2026-11-15')?.toISOString()).toBe(
      '2026-11-15T13:30:00.000Z',
    );
  });

  it('is none on a day without restrictions', () => {
    const answer = restrictionOn(book, 'beijing', '2026-11-21'); // a Saturday
    expect(answer.status).not.toBe('restricted');
    expect(reminderDeadline(answer, 'morning', DEFAULT_POLICY, '2026-11-21')).toBeNull();
  });
});

describe('planPace', () => {
  it('keeps the configured rate when it finishes in time', () => {
    const plan = planPace(100_000, start, deadline, limits);
    // 100,000 at 40 × 6 = 240/s: 416.7 s, done 06:36:57, well before 06:55.
    expect(plan).toMatchObject({ ratePerInvocation: 40, totalRate: 240, meetsDeadline: true });
    expect(plan.finishBy).toBe('2026-11-15T22:55:00.000Z');
    expect(plan.plannedFinish).toBe('2026-11-15T22:36:56.667Z'); // 06:36:57 +08:00
  });

  it('raises the rate just enough to finish by the deadline less the margin', () => {
    // 360,000 in the 25 minutes from 06:30 to 06:55 is 240/s, the configured 40 × 6 exactly; 432,000 is not.
    const plan = planPace(432_000, start, deadline, limits);
    // 432,000 / 1,500 s = 288/s → 48 per invocation.
    expect(plan).toMatchObject({ ratePerInvocation: 48, totalRate: 288, meetsDeadline: true });
    expect(Date.parse(plan.plannedFinish)).toBeLessThanOrEqual(Date.parse(plan.finishBy!));
  });

  it('never exceeds the per-invocation maximum or the account’s ceiling, and says it will be late', () => {
    const plan = planPace(1_000_000, start, deadline, limits);
    expect(plan.ratePerInvocation).toBe(60);
    expect(plan.totalRate).toBe(360);
    expect(plan.meetsDeadline).toBe(false);
    const capped = planPace(1_000_000, start, deadline, { ...limits, maxTotalRate: 300 });
    expect(capped.ratePerInvocation).toBe(50); // 300 / 6
  });

  it('with a deadline already past (an operator’s late run): the most it may go, late', () => {
    const plan = planPace(1_000, at('2026-11-16T10:00:00+08:00'), deadline, limits);
    expect(plan).toMatchObject({ ratePerInvocation: 60, meetsDeadline: false });
  });

  it('without a deadline: the configured rate, no verdict', () => {
    expect(planPace(5_000, start, null, limits)).toMatchObject({
      ratePerInvocation: 40,
      deadline: null,
      finishBy: null,
      meetsDeadline: null,
    });
  });
});

describe('plannedStart and metDeadline', () => {
  const starts = { morning: '06:30', evening: '20:00' };
  it('starts at the slot’s schedule on the day of sending, or now once that has passed', () => {
    const before = at('2026-11-15T12:00:00+08:00');
    expect(plannedStart('2026-11-16', 'morning', starts, before).toISOString()).toBe(
      '2026-11-15T22:30:00.000Z',
    );
    expect(plannedStart('2026-11-16', 'evening', starts, before).toISOString()).toBe(
      '2026-11-15T12:00:00.000Z',
    );
    const later = at('2026-11-16T08:00:00+08:00');
    expect(plannedStart('2026-11-16', 'morning', starts, later)).toEqual(later);
  });

  it('compares the finish with the deadline itself (the margin is the plan’s, not the verdict’s)', () => {
    const plan = planPace(1_000, start, deadline, limits);
    expect(metDeadline(plan, '2026-11-15T22:58:00.000Z')).toBe(true);
    expect(metDeadline(plan, '2026-11-15T23:00:01.000Z')).toBe(false);
    expect(metDeadline(plan, null)).toBeNull();
    expect(metDeadline(null, '2026-11-15T22:58:00.000Z')).toBeNull();
  });
});
