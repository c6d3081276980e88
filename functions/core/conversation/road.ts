/**
 * Whether a notice is still in effect: its window's end compared as an instant with now, never as
 * text ("2026-11-16T14:00:00+08:00" sorts after "2026-11-16T07:30:00.000Z" although it is earlier).
 */

/** ISO 8601 with a time zone (Z or ±hh:mm): the only form whose instant does not depend on where it is read. */
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** The instant (ms) of an ISO 8601 timestamp with its zone; NaN for anything else. */
export function instantOf(iso: string): number {
  return ZONED.test(iso) ? Date.parse(iso) : Number.NaN;
}

/**
 * A window ending at `effectiveTo` (null or absent: open-ended) is in effect at `at` until that
 * instant, exclusive. An end that cannot be read as an instant counts as ended: we do not tell people
 * a notice is current when we cannot tell.
 */
export function stillInEffect(effectiveTo: string | null | undefined, at: Date): boolean {
  if (effectiveTo === null || effectiveTo === undefined) return true;
  const end = instantOf(effectiveTo);
  return !Number.isNaN(end) && at.getTime() < end;
}
