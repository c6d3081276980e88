/**
 * Push runs as the console shows them. The listing is moving to `{ runs, cursor }` (newest first
 * across months, `?limit=&cursor=`) and run statuses to running | completed | completed-with-failures
 * | aborted | skipped with `finishedAt`; until that lands the API says `running` with `done: true` for a
 * finished run. Both shapes are read here, in one place.
 */
import type { paths } from '../api/schema';

type Listing = paths['/v1/admin/pushes']['get']['responses'][200]['content']['application/json'];
export type Run = Listing['runs'][number] & {
  startedAt?: string;
  finishedAt?: string | null;
  halts?: Record<string, string>;
  kind?: string;
  category?: string;
  city?: string;
  date?: string;
  slot?: string | null;
};
export type RunsQuery = NonNullable<paths['/v1/admin/pushes']['get']['parameters']['query']>;

/** The query of one page of runs: the new contract's limit and cursor (the current API ignores them). */
export const runsPage = (cursor: string | null, limit = 50): RunsQuery =>
  ({ limit, ...(cursor ? { cursor } : {}) }) as unknown as RunsQuery;

export const cursorOf = (listing: Listing): string | null =>
  ((listing as Listing & { cursor?: string | null }).cursor ?? null) || null;

export function runStatus(r: Run): string {
  const s = String(r.status);
  if (s !== 'running' || !r.done) return s;
  return (r.counts.failed ?? 0) > 0 ? 'completed-with-failures' : 'completed';
}

/** Outcomes to chart: every count but the plan itself. */
export const outcomeCounts = (r: Run) =>
  Object.entries(r.counts)
    .filter(([k, v]) => k !== 'planned' && v > 0)
    .sort(([, a], [, b]) => b - a);
