/** GET /v1/cities — every city we have data for, its rule record in force today, and today's answer. */
import { today } from '../core/calendar.ts';
import { systemClock } from '../core/clock.ts';
import { citySummaries } from '../core/restriction-queries.ts';
import { bookOf } from '../core/restrictions.ts';
import { httpHandler } from '../shared/http.ts';
import { restrictionData } from '../shared/restriction-data.ts';

export const handler = httpHandler({}, async () => {
  const date = today(systemClock);
  const book = bookOf(await restrictionData.load());
  return {
    status: 200,
    headers: { 'cache-control': 'public, max-age=60' },
    body: { date, cities: citySummaries(book, date) },
  };
});
