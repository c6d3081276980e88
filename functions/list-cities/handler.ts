/** GET /v1/cities — every city we have data for, its rule record in force today, and today's answer. */

import { bookOf } from '../core/restrictions/engine.ts';
import { citySummaries } from '../core/restrictions/queries.ts';
import { today } from '../core/time.ts';
import { clock } from '../shared/clock.ts';
import { httpRouter } from '../shared/http.ts';
import { restrictionData } from '../shared/wiring/restriction-data.ts';

export const handler = httpRouter('list-cities', {
  'GET /v1/cities': async () => {
    const date = today(clock);
    const book = bookOf(await restrictionData.load());
    return {
      status: 200,
      headers: { 'cache-control': 'public, max-age=60' },
      body: { date, cities: citySummaries(book, date) },
    };
  },
});
