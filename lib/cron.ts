/**
 * EventBridge Scheduler cron expressions — `cron(minutes hours day-of-month month day-of-week year)` —
 * parsed once and evaluated in an IANA time zone. Used by the blueprint (to reject an expression
 * at load) and by the local scheduler (to fire it), so both builders accept exactly the same set.
 *
 * Supported per field: `*`, `?` (day fields only), numbers, ranges `a-b`, steps `x/n`, lists `a,b`,
 * month names JAN–DEC and weekday names SUN–SAT (1 = SUN … 7 = SAT, as AWS counts).
 * Not supported (rejected with a message): `L`, `W`, `#`.
 */
import { zonedFormatter } from '../functions/core/time.ts';

export interface Cron {
  readonly expression: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number> | 'any';
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number> | 'any';
  readonly years: ReadonlySet<number> | 'any';
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  allowQuestion?: boolean;
}

const FIELDS: FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, allowQuestion: true },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS, allowQuestion: true },
  { name: 'year', min: 1970, max: 2199 },
];

export class CronError extends Error {
  override name = 'CronError';
}

function parseValue(raw: string, spec: FieldSpec, expression: string): number {
  const named = spec.names?.indexOf(raw.toUpperCase()) ?? -1;
  const value = named >= 0 ? named + spec.min : /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
    throw new CronError(
      `${expression}: '${raw}' is not a valid ${spec.name} (expected ${spec.min}-${spec.max}${
        spec.names ? ` or ${spec.names[0]}-${spec.names.at(-1)}` : ''
      })`,
    );
  }
  return value;
}

function parseField(raw: string, spec: FieldSpec, expression: string): Set<number> | 'any' {
  if (raw === '?') {
    if (!spec.allowQuestion) throw new CronError(`${expression}: '?' is only allowed in the day fields`);
    return 'any';
  }
  if (/[LW#]/i.test(raw.replace(/[A-Z]{3}/gi, (m) => (spec.names?.includes(m.toUpperCase()) ? '' : m)))) {
    throw new CronError(`${expression}: L, W and # are not supported in ${spec.name}`);
  }
  const values = new Set<number>();
  for (const part of raw.split(',')) {
    const [range, stepRaw] = part.split('/');
    if (range === undefined || range === '') throw new CronError(`${expression}: empty ${spec.name} field`);
    const step = stepRaw === undefined ? 1 : Number(stepRaw);
    if (!Number.isInteger(step) || step < 1) {
      throw new CronError(`${expression}: step '${stepRaw}' in ${spec.name} must be a positive integer`);
    }
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      from = parseValue(a ?? '', spec, expression);
      to = parseValue(b ?? '', spec, expression);
      if (to < from) throw new CronError(`${expression}: range '${range}' in ${spec.name} runs backwards`);
    } else {
      from = parseValue(range, spec, expression);
      to = stepRaw === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/** Parses `cron(...)`; throws CronError with a message naming the offending field. */
export function parseCron(expression: string): Cron {
  const match = /^cron\((.*)\)$/.exec(expression.trim());
  if (!match?.[1]) throw new CronError(`${expression}: expected the form cron(min hour dom month dow year)`);
  const parts = match[1].trim().split(/\s+/);
  if (parts.length !== 6) {
    throw new CronError(`${expression}: expected 6 fields (min hour day-of-month month day-of-week year)`);
  }
  const [min, hour, dom, month, dow, year] = parts.map((p, i) => parseField(p, FIELDS[i]!, expression));
  if ((dom === 'any') === (dow === 'any')) {
    throw new CronError(`${expression}: exactly one of day-of-month and day-of-week must be '?'`);
  }
  const all = (f: Set<number> | 'any' | undefined, name: string): Set<number> => {
    if (f === 'any' || f === undefined) throw new CronError(`${expression}: '?' is not allowed in ${name}`);
    return f;
  };
  return {
    expression,
    minutes: all(min, 'minutes'),
    hours: all(hour, 'hours'),
    daysOfMonth: dom!,
    months: all(month, 'month'),
    daysOfWeek: dow!,
    years: parts[5] === '*' ? 'any' : all(year, 'year'),
  };
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const WALL_CLOCK: Intl.DateTimeFormatOptions = {
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
};
const formatterFor = (timeZone: string) => zonedFormatter('en-US', WALL_CLOCK, timeZone);

/** The wall-clock time in `timeZone` at the instant `date`. */
export function wallTime(date: Date, timeZone: string): WallTime {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  };
}

/** The instant at which the wall clock in `timeZone` shows `t` (first such instant; undefined in a DST gap). */
function instantOf(t: WallTime, timeZone: string): Date | undefined {
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
  // Two refinements of the zone offset converge for every real zone.
  let guess = asUtc;
  for (let i = 0; i < 2; i++) {
    const w = wallTime(new Date(guess), timeZone);
    const shown = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
    guess += asUtc - shown;
  }
  const w = wallTime(new Date(guess), timeZone);
  const ok =
    w.year === t.year && w.month === t.month && w.day === t.day && w.hour === t.hour && w.minute === t.minute;
  return ok ? new Date(guess) : undefined;
}

function dayMatches(cron: Cron, year: number, month: number, day: number): boolean {
  if (!cron.months.has(month)) return false;
  if (cron.years !== 'any' && !cron.years.has(year)) return false;
  if (cron.daysOfMonth !== 'any') return cron.daysOfMonth.has(day);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1; // 1 = SUN
  return cron.daysOfWeek !== 'any' && cron.daysOfWeek.has(weekday);
}

/** The first instant strictly after `after` at which `cron` fires in `timeZone`, or undefined within ~5 years. */
export function nextFireTime(cron: Cron, after: Date, timeZone: string): Date | undefined {
  const start = wallTime(after, timeZone);
  const hours = [...cron.hours].sort((a, b) => a - b);
  const minutes = [...cron.minutes].sort((a, b) => a - b);
  const cursor = new Date(Date.UTC(start.year, start.month - 1, start.day));
  for (let i = 0; i < 366 * 5; i++, cursor.setUTCDate(cursor.getUTCDate() + 1)) {
    const year = cursor.getUTCFullYear();
    const month = cursor.getUTCMonth() + 1;
    const day = cursor.getUTCDate();
    if (!dayMatches(cron, year, month, day)) continue;
    for (const hour of hours) {
      for (const minute of minutes) {
        const at = instantOf({ year, month, day, hour, minute }, timeZone);
        if (at && at.getTime() > after.getTime()) return at;
      }
    }
  }
  return undefined;
}
