/**
 * What operators look at: follower counts from a census of the subscribers, the support view of one
 * subscriber (personal data masked unless the caller is admin), and the audit trail's time range.
 */
import { ValidationError } from '../errors.ts';
import type { CensusEntry } from '../notices/audience.ts';
import { maskId, maskPlate } from '../privacy.ts';
import type { Subscriber } from '../subscribers/subscriber.ts';
import { civilDayBounds } from '../time.ts';

export function followerCounts(census: readonly CensusEntry[]) {
  const byChannel: Record<string, { followers: number; active: number }> = {};
  const boundPlatesByCity: Record<string, number> = {};
  for (const e of census) {
    const c = byChannel[e.channel] ?? { followers: 0, active: 0 };
    byChannel[e.channel] = c;
    if (e.status !== 'unfollowed') c.followers++;
    if (e.status !== 'active') continue;
    c.active++;
    for (const b of e.bindings) boundPlatesByCity[b.city] = (boundPlatesByCity[b.city] ?? 0) + 1;
  }
  return { byChannel, boundPlatesByCity };
}

export function supportView(s: Subscriber, unmasked: boolean) {
  return {
    channel: s.channel,
    id: unmasked ? s.id : maskId(s.id),
    account: s.account,
    status: s.status,
    reminders: s.reminders,
    slot: s.slot,
    followedAt: s.followedAt,
    unfollowedAt: s.unfollowedAt,
    lastInboundAt: s.lastInboundAt,
    optedOutAt: s.optedOutAt,
    /** Whether an SMS number is linked for fallback (the number itself is never shown here). */
    smsFallback: s.smsFallback !== null,
    bindings: s.bindings.map((b) => ({
      plate: unmasked ? b.plate : maskPlate(b.plate),
      city: b.city,
      tail: b.tail,
      nev: b.nev,
      boundAt: b.boundAt,
    })),
    masked: !unmasked,
  };
}

export const MAX_AUDIT_DAYS = 31;

/**
 * from/to (a date = that whole day in Asia/Shanghai, as a duty officer means it; or an instant with
 * its offset) → a UTC instant range of at most 31 days, and the UTC days its entries are kept under;
 * default the last 24 h.
 */
export function auditRange(q: { from?: string | undefined; to?: string | undefined }, now: Date) {
  const instant = (v: string, end: boolean) =>
    /^\d{4}-\d{2}-\d{2}$/.test(v) ? civilDayBounds(v)[end ? 'end' : 'start'] : new Date(v).toISOString();
  const to = q.to ? instant(q.to, true) : now.toISOString();
  const from = q.from ? instant(q.from, false) : new Date(Date.parse(to) - 86_400_000).toISOString();
  if (from > to)
    throw new ValidationError('from is after to.', [{ path: 'query.from', message: 'after to' }]);
  const days = Math.floor((Date.parse(to.slice(0, 10)) - Date.parse(from.slice(0, 10))) / 86_400_000) + 1;
  if (days > MAX_AUDIT_DAYS) {
    throw new ValidationError(`A range covers at most ${MAX_AUDIT_DAYS} days (this one has ${days}).`, [
      { path: 'query.to', message: `at most ${MAX_AUDIT_DAYS} days after from` },
    ]);
  }
  const dayList = Array.from({ length: days }, (_, i) =>
    new Date(Date.parse(from.slice(0, 10)) + i * 86_400_000).toISOString().slice(0, 10),
  );
  return { from, to, days: dayList };
}

/** The audit filter on actions: an exact action (`notice.approve`), or a prefix ending in a dot (`notice.`). */
export function matchesAction(action: string, filter: string | undefined): boolean {
  if (filter === undefined) return true;
  return filter.endsWith('.') ? action.startsWith(filter) : action === filter;
}
