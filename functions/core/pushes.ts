/**
 * Pushes: one path, one cap. The pure parts — which class a category is capped in, the limits a
 * send must fit under, quiet hours, the segments of a restriction run and the template values a
 * citizen sees. The ledger adapter turns a CapRequest into ONE conditional write.
 */
import type { CapClass, FrequencyPolicy } from '../../schemas/pushes.ts';
import type { RestrictionAnswer } from '../../schemas/restrictions.ts';
import type { PushCategory } from '../../schemas/wechat.ts';
import { civilDate, isoWeekday } from './calendar.ts';
import { FANOUT_SHARDS } from './subscribers.ts';

export type Channel = 'wechat' | 'sms';

export interface CapRequest {
  /** The subscriber's civil day (Asia/Shanghai) the push counts against. */
  date: string;
  klass: CapClass;
  dayLimit: number;
  /** Routine only: the rolling 7-day limit. */
  weekLimit: number | null;
}

export function capRequest(
  policy: FrequencyPolicy,
  channel: Channel,
  category: PushCategory,
  now: Date,
): CapRequest {
  const p = policy.channels[channel];
  const klass = p.classOf[category];
  return {
    date: civilDate(now, policy.timeZone),
    klass,
    dayLimit: p.perDay[klass],
    weekLimit: klass === 'routine' ? p.routinePer7Days : null,
  };
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

function localMinutes(now: Date, timeZone: string): number {
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const parts = Object.fromEntries(fmt.formatToParts(now).map((p) => [p.type, p.value]));
  return Number(parts.hour) * 60 + Number(parts.minute);
}

/**
 * When a push must wait for quiet hours to end: the instant the window ends, or null to send now.
 * Emergencies are never deferred. Windows may wrap midnight (21:30–07:00).
 */
export function quietUntil(
  policy: FrequencyPolicy,
  channel: Channel,
  category: PushCategory,
  now: Date,
): Date | null {
  const q = policy.channels[channel].quietHours;
  if (!q || policy.channels[channel].classOf[category] === 'emergency') return null;
  const from = minutesOf(q.from);
  const to = minutesOf(q.to);
  const m = localMinutes(now, policy.timeZone);
  const inside = from <= to ? m >= from && m < to : m >= from || m < to;
  if (!inside) return null;
  const wait = (to - m + 24 * 60) % (24 * 60);
  const end = new Date(now.getTime() + wait * 60_000);
  end.setUTCSeconds(0, 0);
  return end;
}

export const restrictionRunKey = (city: string, date: string, slot: 'morning' | 'evening') =>
  `restriction#${city}#${date}#${slot}`;

/** One segment per restricted tail and fan-out shard. */
export function restrictionSegments(answer: RestrictionAnswer): Array<{ tail: number; shard: number }> {
  if (answer.status !== 'restricted') return [];
  return answer.tails.flatMap((tail) =>
    Array.from({ length: FANOUT_SHARDS }, (_, shard) => ({ tail, shard })),
  );
}

/** WeChat shows at most 20 characters of a template value since 2023-05; we cut, it must not. */
export function templateValue(text: string, max = 20): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** The restriction reminder's template values (keyword1..keyword4), each within the display limit. */
export function restrictionReminder(answer: RestrictionAnswer, cityName: string, plates: string[]) {
  const [, m, d] = answer.date.split('-').map(Number);
  return {
    keyword1: templateValue(`${cityName}尾号${answer.tails.join('和')}限行`),
    keyword2: templateValue(
      `${m}月${d}日${WEEKDAYS[isoWeekday(answer.date)]} ${answer.windows.map((w) => `${w.from}-${w.to}`).join(',')}`,
    ),
    keyword3: templateValue(plates.join('、')),
    keyword4: templateValue(answer.area ?? ''),
  };
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

/** What a ledger reservation records about the push: for attribution and to find its bundle's receipt. */
export interface ReservationMeta {
  category: string;
  runKey: string;
  bundle: string;
}

/** The ledger's `r:<push key>` value: `<reserved at ms>|<category>|<run>|<bundle>`. */
export const reservationValue = (meta: ReservationMeta, atMs: number) =>
  `${atMs}|${meta.category}|${meta.runKey}|${meta.bundle}`;

/** Reads `r:<push key>`; a bare number (reservations made before bundles) has only the time. */
export function parseReservation(value: unknown): ({ reservedAt: number } & ReservationMeta) | null {
  if (typeof value === 'number') return { reservedAt: value, category: '', runKey: '', bundle: '' };
  if (typeof value !== 'string') return null;
  const [ms, category = '', runKey = '', ...bundle] = value.split('|');
  const reservedAt = Number(ms);
  return ms !== '' && Number.isFinite(reservedAt)
    ? { reservedAt, category, runKey, bundle: bundle.join('|') }
    : null;
}

/**
 * Unfollow attribution: of the pushes sent to a person, the most recent within 24 h before they
 * unfollowed or blocked the account is the one held responsible.
 */
export function attributableSend<T extends { at: string }>(sends: T[], unfollowedAt: Date): T | null {
  const window = 24 * 3600_000;
  const candidates = sends.filter((s) => {
    const t = Date.parse(s.at);
    return t <= unfollowedAt.getTime() && unfollowedAt.getTime() - t <= window;
  });
  return candidates.sort((a, b) => b.at.localeCompare(a.at))[0] ?? null;
}
