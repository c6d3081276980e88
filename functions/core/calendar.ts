/**
 * Statutory holidays and make-up workdays (调休) as data, one State Council notice per year. A date
 * whose year has no calendar is `unknown` — never silently a normal year.
 */
import { expandRange, type HolidayCalendar } from '../../schemas/restrictions.ts';
import type { Clock } from './clock.ts';

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

/** ISO weekday of a civil date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

const formatters = new WeakMap<Intl.DateTimeFormatOptions, Map<string, Intl.DateTimeFormat>>();
/**
 * One Intl.DateTimeFormat per (options, time zone), built once: they are costly to construct and
 * these run per push. `options` must be a module constant (it is the cache key, by identity).
 */
export function zonedFormatter(
  locale: string,
  options: Intl.DateTimeFormatOptions,
  timeZone: string,
): Intl.DateTimeFormat {
  let byZone = formatters.get(options);
  if (!byZone) {
    byZone = new Map();
    formatters.set(options, byZone);
  }
  let f = byZone.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    byZone.set(timeZone, f);
  }
  return f;
}

const CIVIL_DATE: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit' };
/** The civil date (YYYY-MM-DD) at `instant` in `timeZone`; "today" is `civilDate(clock.now())`. */
export function civilDate(instant: Date, timeZone = 'Asia/Shanghai'): string {
  return zonedFormatter('en-CA', CIVIL_DATE, timeZone).format(instant);
}

export const today = (clock: Clock, timeZone = 'Asia/Shanghai') => civilDate(clock.now(), timeZone);

const CIVIL_MINUTE: Intl.DateTimeFormatOptions = {
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};
/** "11/16 16:00": the month, day and time of `instant` in `timeZone`, as zh-CN writes them. */
export function civilMinute(instant: Date, timeZone = 'Asia/Shanghai'): string {
  return zonedFormatter('zh-CN', CIVIL_MINUTE, timeZone).format(instant);
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
