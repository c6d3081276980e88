/**
 * The day a citizen means: "今天", "明天", "后天", "周五", "下周一", "6月1日", "12月5号", "2026-12-05",
 * "12-5", "12/5", "5号" — found in free text by `findDate`, resolved against today (Asia/Shanghai) by
 * `resolveDate`. Pure: today is an input, never read from a clock here.
 *
 * Primary course:
 *  1. findDate: the first date expression in the text, as a `When` (relative, weekday or calendar
 *     date), and the text with it removed;
 *  2. resolveDate: the civil date it names, within today … today + MAX_DAYS_AHEAD; a date that
 *     does not exist, has passed, or lies further ahead is refused with the reason.
 */
import { addDays, daysBetween, isoWeekday } from '../time.ts';

/** How far ahead a restriction question is answered (rules and calendars are published in advance, but not far). */
export const MAX_DAYS_AHEAD = 30;

export type When =
  | { kind: 'offset'; days: number }
  /**
   * `week`: `coming` = the next such day from today (today included), `this` = of this ISO week,
   * `next` / `last` = of next / last week.
   */
  | { kind: 'weekday'; weekday: number; week: 'coming' | 'this' | 'next' | 'last' }
  /** "周末": today on a weekend, else the coming Saturday. */
  | { kind: 'weekend' }
  | { kind: 'calendar'; year: number | null; month: number | null; day: number };

export type ResolvedDate =
  | { ok: true; date: string; offset: number }
  | { ok: false; reason: 'invalid'; when: When }
  | { ok: false; reason: 'past' | 'too-far'; date: string };

const DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** 1–99 written in digits or Chinese numerals (五, 十二, 二十一, 三十); NaN otherwise. */
export function numberOf(text: string): number {
  if (/^\d{1,4}$/.test(text)) return Number(text);
  const m = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(text);
  if (!m || text === '') return Number.NaN;
  const [, tens, ten, ones] = m;
  if (!ten) return tens && !ones ? DIGITS[tens]! : Number.NaN;
  return (tens ? DIGITS[tens]! : 1) * 10 + (ones ? DIGITS[ones]! : 0);
}

const WEEKDAY_CHARS: Record<string, number> = {
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  日: 7,
  天: 7,
  '1': 1,
  '2': 2,
  '3': 3,
  '4': 4,
  '5': 5,
  '6': 6,
  '7': 7,
};

const N = '[0-9]{1,2}|[一二两三四五六七八九十]{1,3}';

/** Tried in order; each returns a When for its match (or null when the match is not a date after all). */
const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => When | null]> = [
  [
    /(?<![0-9])(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*[日号]?(?![0-9])/,
    (m) => ({ kind: 'calendar', year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }),
  ],
  [
    new RegExp(`(?<![0-9])(${N})\\s*月\\s*(${N})\\s*[日号]?`),
    (m) => calendar(null, numberOf(m[1]!), numberOf(m[2]!)),
  ],
  [
    /(?<![0-9A-Za-z])(\d{1,2})\s*[-/]\s*(\d{1,2})(?![0-9A-Za-z])/,
    (m) => calendar(null, Number(m[1]), Number(m[2])),
  ],
  [/大后天/, () => ({ kind: 'offset', days: 3 })],
  [/后天/, () => ({ kind: 'offset', days: 2 })],
  [/明天|明日|明儿/, () => ({ kind: 'offset', days: 1 })],
  [/今天|今日|今儿|当天/, () => ({ kind: 'offset', days: 0 })],
  [
    /(下个?|上个?|本|这个?)?\s*(?:周|星期|礼拜)\s*([一二三四五六日天1-7])/,
    (m) => ({
      kind: 'weekday',
      weekday: WEEKDAY_CHARS[m[2]!]!,
      week: m[1]?.startsWith('下') ? 'next' : m[1]?.startsWith('上') ? 'last' : m[1] ? 'this' : 'coming',
    }),
  ],
  [/周末/, () => ({ kind: 'weekend' })],
  // "5号", "20日": a day of this month (or the next, when it has passed). Not "尾号5" (no digit before 号).
  [new RegExp(`(?<![0-9月])(${N})\\s*[日号](?![0-9])`), (m) => calendar(null, null, numberOf(m[1]!))],
];

function calendar(year: number | null, month: number | null, day: number): When | null {
  if (!Number.isFinite(day) || (month !== null && !Number.isFinite(month))) return null;
  return { kind: 'calendar', year, month, day };
}

/** The first date expression in `text` and the text without it; null when there is none. */
export function findDate(text: string): { when: When; rest: string } | null {
  for (const [re, build] of PATTERNS) {
    const m = re.exec(text);
    if (!m) continue;
    const when = build(m);
    if (!when) continue;
    return { when, rest: `${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}` };
  }
  return null;
}

const isoOf = (year: number, month: number, day: number) =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/** A real calendar day (no 2月30日, no 13月). */
function validDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCMonth() === month - 1 ? isoOf(year, month, day) : null;
}

function within(date: string, today: string): ResolvedDate {
  const offset = daysBetween(today, date);
  if (offset < 0) return { ok: false, reason: 'past', date };
  if (offset > MAX_DAYS_AHEAD) return { ok: false, reason: 'too-far', date };
  return { ok: true, date, offset };
}

/**
 * The civil date `when` names, seen from `today`. A date without a year is this year's, unless that
 * has passed and next year's is within reach (asked on 12-20, "1月5日" is next January); a day without
 * a month is this month's, or next month's once it has passed.
 */
export function resolveDate(when: When, today: string): ResolvedDate {
  if (when.kind === 'offset') return within(addDays(today, when.days), today);
  if (when.kind === 'weekend') {
    const t = isoWeekday(today);
    return within(addDays(today, t >= 6 ? 0 : 6 - t), today);
  }
  if (when.kind === 'weekday') {
    const t = isoWeekday(today);
    const start = { coming: 0, this: 0, next: 7, last: -7 }[when.week];
    const offset = when.week === 'coming' ? (when.weekday - t + 7) % 7 : start - t + when.weekday;
    return within(addDays(today, offset), today);
  }
  const [y, m] = today.split('-').map(Number) as [number, number];
  if (when.year !== null) {
    const date = when.month === null ? null : validDate(when.year, when.month, when.day);
    return date ? within(date, today) : { ok: false, reason: 'invalid', when };
  }
  if (when.month === null) {
    const thisMonth = validDate(y, m, when.day);
    if (thisMonth && daysBetween(today, thisMonth) >= 0) return within(thisMonth, today);
    const next = m === 12 ? validDate(y + 1, 1, when.day) : validDate(y, m + 1, when.day);
    if (next) return within(next, today);
    return thisMonth ? within(thisMonth, today) : { ok: false, reason: 'invalid', when };
  }
  const thisYear = validDate(y, when.month, when.day);
  const nextYear = validDate(y + 1, when.month, when.day);
  const nextIsNear = nextYear !== null && daysBetween(today, nextYear) <= MAX_DAYS_AHEAD;
  if (thisYear && daysBetween(today, thisYear) >= 0) return within(thisYear, today);
  if (nextIsNear) return within(nextYear, today);
  // No such day this year (2月29日 in 2027): not a day they can mean, whatever 2028 holds.
  return thisYear ? within(thisYear, today) : { ok: false, reason: 'invalid', when };
}
