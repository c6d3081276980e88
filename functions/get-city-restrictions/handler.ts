/**
 * GET /v1/cities/{city}/restrictions?date=YYYY-MM-DD  (default: today in Asia/Shanghai)
 * GET /v1/cities/{city}/restrictions?from=…&to=…     (one answer per day, at most 62 days)
 */
import { bookOf, restrictionOn } from '../core/restrictions/engine.ts';
import { restrictionsBetween } from '../core/restrictions/queries.ts';
import { today } from '../core/time.ts';
import { clock } from '../shared/clock.ts';
import { httpRouter } from '../shared/http.ts';
import { restrictionData } from '../shared/wiring/restriction-data.ts';

export const handler = httpRouter('get-city-restrictions', {
  'GET /v1/cities/{city}/restrictions': async ({ path, query }) => {
    const book = bookOf(await restrictionData.load());
    const headers = { 'cache-control': 'public, max-age=60' };
    if (query.from && query.to) {
      const days = restrictionsBetween(book, path.city, query.from, query.to);
      return { status: 200, headers, body: { city: path.city, from: query.from, to: query.to, days } };
    }
    return { status: 200, headers, body: restrictionOn(book, path.city, query.date ?? today(clock)) };
  },
});
