/**
 * Public notices (published, and withdrawn ones marked as such):
 *   GET /v1/notices?city=&kind=&limit=&cursor=   a city's feed, newest first
 *   GET /v1/notices/{id}                         one notice; drafts and unknown ids are 404
 */

import { DynamoNoticeFeed } from '../adapters/dynamodb/notice-feed.ts';
import { found } from '../core/errors.ts';
import { documentClient } from '../shared/clients/dynamodb.ts';
import { clock } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { httpRouter } from '../shared/http.ts';

// The functions' clock (shifted by LOCAL_TIME_OFFSET_MS on the local stack, like the publishing side's).
const feed = new DynamoNoticeFeed(documentClient, tableName('content'), () => clock.now());

export const handler = httpRouter('get-notices', {
  'GET /v1/notices': async ({ query }) => ({
    status: 200,
    body: await feed.list(query.city, {
      limit: query.limit,
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    }),
  }),
  'GET /v1/notices/{id}': async ({ path }) => ({
    status: 200,
    body: found(await feed.get(path.id), `No published notice '${path.id}'.`),
  }),
});
