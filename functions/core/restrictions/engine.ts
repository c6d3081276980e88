/**
 * The one answer the daily push and every "限行" reply depend on: what is restricted in city C on
 * civil date D (Asia/Shanghai), and if nothing, why. Exactly right on the data it has; `unknown`
 * where it has none.
 *
 * Primary course of restrictionOn:
 *  1. the rule record whose validity covers D (latest validFrom wins) — none: unknown / no-rule;
 *  2. the holiday calendar of D's year — none: unknown / no-calendar;
 *  3. a statutory day off: unrestricted / holiday;
 *  4. Saturday or Sunday: unrestricted / weekend, or makeup-workday when it is a 调休 working day
 *     (every published city rule leaves make-up weekends unrestricted);
 *  5. an active suspension: unrestricted / suspended, with its notice;
 *  6. otherwise the weekday's tail pair (fixed map, or the rotation's published period table, or
 *     its formula), with the rule's hours and area: restricted / rule.
 */
import type {
  HolidayCalendar,
  PlateRestrictionAnswer,
  RestrictionAnswer,
  RestrictionRule,
  Suspension,
} from '../../../schemas/restrictions.ts';
import { NotFoundError } from '../errors.ts';
import { daysBetween, isoWeekday } from '../time.ts';
import { type CalendarIndex, indexCalendars } from './calendar.ts';
import { type Plate, parsePlate, tailDigit } from './plates.ts';

export interface RestrictionDataset {
  rules: readonly RestrictionRule[];
  suspensions: readonly Suspension[];
  calendars: readonly HolidayCalendar[];
}

/** A dataset prepared for many questions (calendar index built once). */
export interface RestrictionBook {
  rules: readonly RestrictionRule[];
  suspensions: readonly Suspension[];
  calendar: CalendarIndex;
  cities: ReadonlyMap<string, { name: string; rules: RestrictionRule[] }>;
}

const books = new WeakMap<RestrictionDataset, RestrictionBook>();

/** openBook, memoised per dataset object (repositories hand out the same object while it is cached). */
export function bookOf(data: RestrictionDataset): RestrictionBook {
  let book = books.get(data);
  if (!book) {
    book = openBook(data);
    books.set(data, book);
  }
  return book;
}

export function openBook(data: RestrictionDataset): RestrictionBook {
  const cities = new Map<string, { name: string; rules: RestrictionRule[] }>();
  for (const r of data.rules) {
    const c = cities.get(r.city) ?? { name: r.cityName, rules: [] };
    c.rules.push(r);
    cities.set(r.city, c);
  }
  for (const c of cities.values()) c.rules.sort((a, b) => a.validFrom.localeCompare(b.validFrom));
  return {
    rules: data.rules,
    suspensions: data.suspensions,
    calendar: indexCalendars(data.calendars),
    cities,
  };
}

export function ruleOn(book: RestrictionBook, city: string, date: string): RestrictionRule | undefined {
  const rules = book.cities.get(city)?.rules ?? [];
  let found: RestrictionRule | undefined;
  for (const r of rules) if (r.validFrom <= date && (r.validTo === null || date <= r.validTo)) found = r;
  return found;
}

/** The suspension in force on `date` (a lifted one ends the day before it was lifted). */
export function suspensionOn(book: RestrictionBook, city: string, date: string): Suspension | undefined {
  return book.suspensions.find((s) => {
    if (s.city !== city || date < s.from) return false;
    if (s.liftedOn !== null && date >= s.liftedOn) return false;
    return s.to === null || date <= s.to;
  });
}

const mod = (n: number, m: number) => ((n % m) + m) % m;

/** Index into `rule.pairs` for a weekday (1..5) on `date`. */
export function pairIndex(rule: RestrictionRule, date: string, weekday: number): number {
  if (rule.scheme === 'fixed-weekday') return rule.weekdayMap![weekday - 1]!;
  const rot = rule.rotation!;
  const period = rot.periods.find((p) => p.from <= date && date <= p.to);
  if (period) return period.weekdayMap[weekday - 1]!;
  const k = Math.floor(daysBetween(rot.anchorMonday, date) / rot.periodDays);
  return mod(rot.anchorMap[weekday - 1]! + rot.shiftPerPeriod * k, rule.pairs.length);
}

export function requireCity(book: RestrictionBook, city: string): void {
  if (!book.cities.has(city)) {
    throw new NotFoundError(
      `No restriction data for city '${city}'. Known cities: ${[...book.cities.keys()].join(', ')}.`,
    );
  }
}

export function restrictionOn(book: RestrictionBook, city: string, date: string): RestrictionAnswer {
  requireCity(book, city);
  const base = {
    city,
    date,
    status: 'unknown' as RestrictionAnswer['status'],
    reason: 'no-rule' as RestrictionAnswer['reason'],
    tails: [] as number[],
    windows: [] as RestrictionAnswer['windows'],
    area: null as string | null,
    ruleId: null as string | null,
    notice: null as RestrictionAnswer['notice'],
    holiday: null as string | null,
  };
  const rule = ruleOn(book, city, date);
  if (!rule) return { ...base, status: 'unknown', reason: 'no-rule' };
  const withRule = { ...base, ruleId: rule.id, area: rule.area };
  const day = book.calendar.dayKind(date);
  switch (day.kind) {
    case 'unknown':
      return { ...withRule, status: 'unknown', reason: 'no-calendar' };
    case 'holiday':
      return { ...withRule, status: 'unrestricted', reason: 'holiday', holiday: day.name };
    case 'makeup-workday':
      return { ...withRule, status: 'unrestricted', reason: 'makeup-workday', holiday: day.name };
    case 'weekend':
      return { ...withRule, status: 'unrestricted', reason: 'weekend' };
    case 'workday':
      break;
  }
  const suspension = suspensionOn(book, city, date);
  if (suspension) {
    return {
      ...withRule,
      status: 'unrestricted',
      reason: 'suspended',
      notice: { id: suspension.noticeId, reason: suspension.reason },
    };
  }
  const pair = rule.pairs[pairIndex(rule, date, isoWeekday(date))]!;
  return {
    ...withRule,
    status: 'restricted',
    reason: 'rule',
    tails: [...pair].sort((a, b) => a - b),
    windows: rule.windows,
  };
}

function exemptionFor(rule: RestrictionRule, plate: Plate): { reason: string } | null {
  for (const e of rule.exemptions) {
    if (e === 'nev-all' && plate.nev) return { reason: 'new-energy plate (新能源号牌)' };
    if (
      e === 'nev-local-pure-electric' &&
      plate.nev === 'pure-electric' &&
      plate.province === rule.province
    ) {
      return { reason: `pure-electric car registered in ${rule.cityName} (本市核发号牌的纯电动小客车)` };
    }
    if (e === 'police' && plate.type === 'police') return { reason: 'police plate (警用号牌)' };
    if (e === 'emergency' && plate.type === 'emergency')
      return { reason: 'emergency-rescue plate (应急救援专用号牌)' };
  }
  return null;
}

/** The day's answer for one plate: its tail under the city's letter rule, exemptions, and whether it may not drive. */
export function plateRestrictionOn(
  book: RestrictionBook,
  plateInput: string,
  city: string,
  date: string,
): PlateRestrictionAnswer {
  const plate = parsePlate(plateInput);
  const answer = restrictionOn(book, city, date);
  const rule = answer.ruleId ? ruleOn(book, city, date) : undefined;
  const tail = rule ? tailDigit(plate, rule.letterTail) : null;
  const exemption = rule ? exemptionFor(rule, plate) : null;
  return {
    ...answer,
    plate: plate.canonical,
    plateDisplay: plate.display,
    plateType: plate.type,
    tail,
    exemption,
    restricted:
      answer.status === 'restricted' && tail !== null && answer.tails.includes(tail) && exemption === null,
  };
}
