/**
 * Push runs as the console shows them: the listing is `{ runs, cursor }` (newest first across
 * months, `?limit=&cursor=&month=`), a run's status running | completed | completed-with-failures |
 * aborted | skipped with `finishedAt` (schemas/pushes.ts), and `stalledSince` when a running run has
 * stalled.
 */
import type { paths } from '../api/schema';

type Listing = paths['/v1/admin/pushes']['get']['responses'][200]['content']['application/json'];
export type Run = Listing['runs'][number] & {
  halts?: Record<string, string>;
  kind?: string;
  category?: string;
  city?: string;
  date?: string;
  slot?: string | null;
};
/** How a restriction run is paced for its deadline (core/pushes/deadline.ts planPace). */
export type Pace = NonNullable<Run['pace']>;

export type RunsQuery = NonNullable<paths['/v1/admin/pushes']['get']['parameters']['query']>;

/** The query of one page of runs. */
export const runsPage = (cursor: string | null, limit = 50): RunsQuery => ({
  limit,
  ...(cursor ? { cursor } : {}),
});

export const cursorOf = (listing: Listing): string | null => listing.cursor;

/** A running run that stalled shows as such (the API says since when: `stalledSince`). */
export const runStatus = (r: Run): string =>
  r.status === 'running' && r.stalledSince ? 'stalled' : r.status;

/** WeChat's later receipts (`delivered`, `failed:…`) are not outcomes of the run's plan. */
const RECEIPTS = new Set(['delivered', 'failed:user block', 'failed:system failed', 'failed:other']);

/** Outcomes to chart: every count but the plan itself and the receipts. */
export const outcomeCounts = (r: Run) =>
  Object.entries(r.counts)
    .filter(([k, v]) => k !== 'planned' && !RECEIPTS.has(k) && v > 0)
    .sort(([, a], [, b]) => b - a);

/** WeChat's receipts so far, shown next to `sent`. */
export const receiptCounts = (r: Run) =>
  Object.entries(r.counts).filter(([k, v]) => RECEIPTS.has(k) && v > 0);
