import { describe, expect, it } from 'vitest';
import { CronError, nextFireTime, parseCron } from '../../lib/cron.ts';

const next = (expr: string, after: string, tz = 'Asia/Shanghai') =>
  nextFireTime(parseCron(expr), new Date(after), tz)?.toISOString();

describe('parseCron', () => {
  it('reads AWS weekday numbering (1 = SUN) and names', () => {
    const c = parseCron('cron(0 7 ? * MON-FRI *)');
    expect([...(c.daysOfWeek as Set<number>)]).toEqual([2, 3, 4, 5, 6]);
    expect(c.daysOfMonth).toBe('any');
    expect(c.years).toBe('any');
  });

  it('expands steps, lists and ranges', () => {
    const c = parseCron('cron(0/15 8-10,20 1 JAN,JUL ? 2027)');
    expect([...c.minutes]).toEqual([0, 15, 30, 45]);
    expect([...c.hours]).toEqual([8, 9, 10, 20]);
    expect([...c.months]).toEqual([1, 7]);
    expect([...(c.years as Set<number>)]).toEqual([2027]);
  });

  it.each([
    ['cron(0 7 * * * *)', 'exactly one of day-of-month and day-of-week'],
    ['cron(0 7 ? * ? *)', 'exactly one of day-of-month and day-of-week'],
    ['cron(0 25 * * ? *)', "'25' is not a valid hours"],
    ['cron(0 7 * * ?)', 'expected 6 fields'],
    ['rate(5 minutes)', 'expected the form cron('],
    ['cron(0 7 L * ? *)', 'L, W and # are not supported'],
    ['cron(0 7 ? * MON#2 *)', 'L, W and # are not supported'],
    ['cron(0 7 ? * FRI-MON *)', 'runs backwards'],
  ])('rejects %s with a message that names the problem', (expr, message) => {
    expect(() => parseCron(expr)).toThrow(CronError);
    expect(() => parseCron(expr)).toThrow(message);
  });
});

describe('nextFireTime', () => {
  it('fires cron(0 7 ? * MON-FRI *) at 07:00 Shanghai, which is 23:00 UTC the day before', () => {
    // Friday 2026-11-20 06:59 in Shanghai is Thursday 22:59 UTC.
    expect(next('cron(0 7 ? * MON-FRI *)', '2026-11-19T22:59:00Z')).toBe('2026-11-19T23:00:00.000Z');
  });

  it('skips the weekend across the UTC day boundary', () => {
    // Friday 07:30 Shanghai → next is Monday 2026-11-23 07:00 Shanghai = Sunday 23:00 UTC.
    expect(next('cron(0 7 ? * MON-FRI *)', '2026-11-19T23:30:00Z')).toBe('2026-11-22T23:00:00.000Z');
  });

  it('is strictly after the given instant', () => {
    expect(next('cron(0 7 ? * MON-FRI *)', '2026-11-19T23:00:00Z')).toBe('2026-11-22T23:00:00.000Z');
  });

  it('evaluates the evening slot on the Shanghai date, not the UTC date', () => {
    // 2026-11-21T11:59Z is Saturday 19:59 in Shanghai; 20:00 Saturday fires daily.
    expect(next('cron(0 20 * * ? *)', '2026-11-21T11:59:00Z')).toBe('2026-11-21T12:00:00.000Z');
  });

  it('handles a zone with daylight saving (New York, spring forward skips 02:30)', () => {
    expect(next('cron(30 2 * * ? *)', '2026-03-08T05:00:00Z', 'America/New_York')).toBe(
      '2026-03-09T06:30:00.000Z',
    );
  });

  it('returns undefined for a year that has passed', () => {
    expect(next('cron(0 7 * * ? 2020)', '2026-01-01T00:00:00Z')).toBeUndefined();
  });
});
