/**
 * GET /v1/plates/{plate}/restriction?city=…&date=… — may this plate drive in the city on that day?
 * The plate may arrive URL-encoded in any form normalisation accepts (京a·12345, full-width, …).
 */
import { bookOf, plateRestrictionOn } from '../core/restrictions/engine.ts';
import { today } from '../core/time.ts';
import { clock } from '../shared/clock.ts';
import { httpRouter } from '../shared/http.ts';
import { restrictionData } from '../shared/wiring/restriction-data.ts';

export const handler = httpRouter('get-plate-restriction', {
  'GET /v1/plates/{plate}/restriction': async ({ path, query }) => {
    const book = bookOf(await restrictionData.load());
    const date = query.date ?? today(clock);
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: plateRestrictionOn(book, path.plate, query.city, date),
    };
  },
});
