import chineseDays from 'chinese-days';
import { describe, expect, it } from 'vitest';
import { indexCalendars } from '../../../functions/core/restrictions/calendar.ts';
import { civilDate, fixedClock, isoWeekday, today } from '../../../functions/core/time.ts';
import { shippedRestrictionData } from '../../../schemas/data/index.ts';
import { expandRange, HolidayCalendarSchema } from '../../../schemas/restrictions.ts';

const calendar = indexCalendars(shippedRestrictionData.calendars);

describe('shipped holiday calendars', () => {
  it('cover 2022 through 2026 and nothing else', () => {
    expect([...calendar.years].sort()).toEqual([2022, 2023, 2024, 2025, 2026]);
  });

  it.each([2022, 2023, 2024, 2025, 2026])(
    '%i agrees day by day with the independent chinese-days package on which days are working days',
    (year) => {
      const disagreements: string[] = [];
      for (const date of expandRange(`${year}-01-01`, `${year}-12-31`)) {
        const ours = calendar.dayKind(date);
        const oursWorking = ours.kind === 'workday' || ours.kind === 'makeup-workday';
        if (oursWorking !== chineseDays.isWorkday(date)) disagreements.push(`${date}: ours ${ours.kind}`);
      }
      expect(disagreements).toEqual([]);
    },
  );

  it('answers unknown for a year without a calendar, never a normal workday', () => {
    expect(calendar.dayKind('2027-03-03')).toEqual({ kind: 'unknown' });
    expect(calendar.dayKind('2021-06-01')).toEqual({ kind: 'unknown' });
  });

  it('knows a holiday range that starts in the previous year (元旦 2023 began 2022-12-31)', () => {
    expect(calendar.dayKind('2022-12-31')).toEqual({ kind: 'holiday', name: '元旦' });
  });

  it.each([
    ['2026-02-14', { kind: 'makeup-workday', name: '春节' }],
    ['2026-02-16', { kind: 'holiday', name: '春节' }],
    ['2026-02-24', { kind: 'workday' }],
    ['2026-02-21', { kind: 'holiday', name: '春节' }],
    ['2026-03-07', { kind: 'weekend' }],
  ])('%s → %j', (date, kind) => {
    expect(calendar.dayKind(date)).toEqual(kind);
  });

  it('rejects a calendar whose make-up workday is also a day off, naming the field', () => {
    const bad = {
      ...shippedRestrictionData.calendars[4]!,
      makeUpWorkdays: [{ date: '2026-02-16', for: '春节' }],
    };
    const result = HolidayCalendarSchema.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['makeUpWorkdays', 0, 'date'],
      message: 'a make-up workday cannot be a day off',
    });
  });
});

describe('civil dates in Asia/Shanghai', () => {
  it('take "today" from the clock in Shanghai, not UTC', () => {
    expect(today(fixedClock('2026-11-20T16:30:00Z'))).toBe('2026-11-21');
    expect(today(fixedClock('2026-11-20T15:59:59Z'))).toBe('2026-11-20');
    expect(civilDate(new Date('2026-11-20T16:00:00Z'))).toBe('2026-11-21');
  });

  it('numbers weekdays ISO-style', () => {
    expect(isoWeekday('2026-11-23')).toBe(1);
    expect(isoWeekday('2026-11-22')).toBe(7);
  });
});
