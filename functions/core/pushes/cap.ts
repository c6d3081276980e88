/**
 * The frequency cap, pure: which class a category is capped in, the limits a send must fit under (a
 * CapRequest), and `capDecision` — whether a push may go to a subscriber given their day ledger. The
 * ledger adapter makes the same decision as ONE conditional write at send time (a property test holds
 * the two equal on DynamoDB Local); the previews call `capDecision` on the ledgers they read.
 */
import type { CapClass, FrequencyPolicy } from '../../../schemas/pushes.ts';
import { civilDate } from '../time.ts';
import type { Channel, PushCategory } from '../vocabulary.ts';

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

/** A subscriber's counts on the day of sending and routine pushes on the 6 days before. */
export interface LedgerCounts {
  day: Record<CapClass, number>;
  routineBefore: number;
}

/** A day ledger as the cap reads it; absent = nothing pushed to this subscriber that day or before. */
export interface LedgerState extends LedgerCounts {
  /** Push keys already on today's ledger (reserved, settled or skipped); absent = none read. */
  keys?: readonly string[];
}

export type CapVerdict = 'send' | 'capped' | 'duplicate';

/**
 * The cap and the dedupe: a push already on the day's ledger is a duplicate; otherwise it is capped
 * when the class's count for the day has reached its limit or, for routine pushes, when the day's
 * count and the 6 days before reach the rolling 7-day limit.
 */
export function capDecision(req: CapRequest, pushKey: string, ledger: LedgerState | undefined): CapVerdict {
  if (ledger?.keys?.includes(pushKey)) return 'duplicate';
  const today = ledger?.day[req.klass] ?? 0;
  if (today >= req.dayLimit) return 'capped';
  if (req.weekLimit !== null && (ledger?.routineBefore ?? 0) + today >= req.weekLimit) return 'capped';
  return 'send';
}
