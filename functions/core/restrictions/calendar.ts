/**
 * Statutory holidays and make-up workdays (调休) as data, one State Council notice per year. A date
 * whose year has no calendar is `unknown` — never silently a normal year.
 */
import { expandRange, type HolidayCalendar } from '../../../schemas/restrictions.ts';
import { isoWeekday } from '../time.ts';

export type DayKind =
  | { kind: 'unknown' }
  | { kind: 'holiday'; name: string }
  | { kind: 'makeup-workday'; name: string }
  | { kind: 'weekend' }
  | { kind: 'workday' };

export interface CalendarIndex {
  years: ReadonlySet<number>;
  dayKind(date: string): DayKind;
}

/** Indexes calendars; a later upload for the same year replaces the earlier one. */
export function indexCalendars(calendars: readonly HolidayCalendar[]): CalendarIndex {
  const byYear = new Map<number, HolidayCalendar>();
  for (const c of calendars) byYear.set(c.year, c);
  const off = new Map<string, string>();
  const makeUp = new Map<string, string>();
  for (const c of byYear.values()) {
    for (const h of c.holidays) for (const d of expandRange(h.from, h.to)) off.set(d, h.name);
    for (const m of c.makeUpWorkdays) makeUp.set(m.date, m.for);
  }
  const years = new Set(byYear.keys());
  return {
    years,
    dayKind(date: string): DayKind {
      if (!years.has(Number(date.slice(0, 4)))) return { kind: 'unknown' };
      const holiday = off.get(date);
      if (holiday) return { kind: 'holiday', name: holiday };
      const mu = makeUp.get(date);
      if (mu) return { kind: 'makeup-workday', name: mu };
      return isoWeekday(date) >= 6 ? { kind: 'weekend' } : { kind: 'workday' };
    },
  };
}
