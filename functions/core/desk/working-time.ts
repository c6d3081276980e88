/**
 * Deadlines in working time, from the same holiday calendar as the restriction engine
 * (../restrictions/calendar.ts): a working day is a workday or a make-up workday (调休上班), never a
 * weekend or a statutory holiday; working hours are the desk's configured hours of such a day, in
 * Asia/Shanghai. A year the calendar does not know is counted Monday to Friday (a deadline must still
 * be given; `calendarKnown` says the answer is provisional). Pure.
 */
import type { CalendarIndex } from '../restrictions/calendar.ts';
import { addDays, civilDate, isoWeekday } from '../time.ts';

export interface WorkingHours {
  from: string;
  to: string;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
/** The instant of a civil date's minute of the day in Shanghai (UTC+8 all year). */
const at = (date: string, minute: number) => new Date(Date.parse(`${date}T00:00:00+08:00`) + minute * 60_000);
const minuteOfDay = (instant: Date) => {
  const shanghai = new Date(instant.getTime() + 8 * 3600_000);
  return shanghai.getUTCHours() * 60 + shanghai.getUTCMinutes() + shanghai.getUTCSeconds() / 60;
};

/** Whether a civil date is a working day (unknown years: Monday to Friday). */
export function isWorkingDay(calendar: CalendarIndex, date: string): boolean {
  const kind = calendar.dayKind(date).kind;
  if (kind === 'unknown') return isoWeekday(date) <= 5;
  return kind === 'workday' || kind === 'makeup-workday';
}

function nextWorkingDay(calendar: CalendarIndex, date: string): string {
  let d = date;
  for (let i = 0; i < 400; i++) {
    d = addDays(d, 1);
    if (isWorkingDay(calendar, d)) return d;
  }
  throw new Error(`no working day within 400 days after ${date}`);
}

/** `hours` of working time after `start`: time outside working hours does not count. */
export function addWorkingHours(
  calendar: CalendarIndex,
  hours: WorkingHours,
  start: Date,
  workingHours: number,
): Date {
  const open = minutes(hours.from);
  const close = minutes(hours.to);
  let date = civilDate(start);
  let minute = minuteOfDay(start);
  if (!isWorkingDay(calendar, date) || minute >= close) {
    date = nextWorkingDay(calendar, date);
    minute = open;
  } else if (minute < open) minute = open;
  let left = workingHours * 60;
  for (;;) {
    const today = close - minute;
    if (left <= today) return at(date, minute + left);
    left -= today;
    date = nextWorkingDay(calendar, date);
    minute = open;
  }
}

/**
 * The end of the `days`-th working day after the one `start` falls on (a case written on a Saturday
 * counts from the next working day): the close of working hours that day.
 */
export function addWorkingDays(
  calendar: CalendarIndex,
  hours: WorkingHours,
  start: Date,
  days: number,
): Date {
  let date = civilDate(start);
  if (!isWorkingDay(calendar, date)) date = nextWorkingDay(calendar, date);
  for (let i = 0; i < days; i++) date = nextWorkingDay(calendar, date);
  return at(date, minutes(hours.to));
}

/** Whether the calendar knows the years a span touches (else the deadline is provisional). */
export const calendarKnown = (calendar: CalendarIndex, from: Date, to: Date) =>
  calendar.years.has(Number(civilDate(from).slice(0, 4))) &&
  calendar.years.has(Number(civilDate(to).slice(0, 4)));
