/**
 * Time, as the domain sees it: a Clock is a dependency (the domain never calls Date.now()), and
 * civil dates (YYYY-MM-DD) are what people mean by "today" — in Asia/Shanghai unless said otherwise.
 */

/** Time is a dependency: the domain never calls Date.now(). */
export interface Clock {
  now(): Date;
}

/** A clock stopped at one instant (tests, replays). */
export const fixedClock = (at: Date | string): Clock => {
  const d = typeof at === 'string' ? new Date(at) : at;
  return { now: () => new Date(d.getTime()) };
};

/**
 * Instants compared as instants: `2026-11-16T14:00:00+08:00` is before `2026-11-16T06:30:00Z`, which
 * text comparison gets wrong. Every comparison of stored timestamps goes through Date.parse, this or
 * `civilDayBounds`; only sort keys the system writes itself (toISOString: UTC, milliseconds) are
 * compared as text, by DynamoDB.
 */
export const byInstant = (a: string, b: string): number => Date.parse(a) - Date.parse(b);

/**
 * The first and last millisecond of a civil date in Asia/Shanghai, as UTC instants: what a person in
 * China means by "on 2026-11-16". China has kept UTC+8 all year since 1991.
 */
export function civilDayBounds(date: string): { start: string; end: string } {
  return {
    start: new Date(`${date}T00:00:00.000+08:00`).toISOString(),
    end: new Date(`${date}T23:59:59.999+08:00`).toISOString(),
  };
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

/** ISO week of a civil date, e.g. 2026-W47 (weeks start on Monday; week 1 holds the first Thursday). */
export function isoWeek(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
