/**
 * Public notices (published, and withdrawn ones marked as such):
 *   GET /v1/notices?city=&kind=&limit=&cursor=   a city's feed, newest first
 *   GET /v1/notices/{id}                         one notice; drafts and unknown ids are 404
 */
import { FeedQuerySchema, NoticeIdPathSchema } from '../../schemas/notices.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoNoticeFeed } from '../adapters/dynamodb/notice-feed.ts';
import { NotFoundError } from '../core/errors.ts';
import { tableName } from '../shared/config.ts';
import { httpHandler } from '../shared/http.ts';

const feed = new DynamoNoticeFeed(documentClient, tableName('content'));

const list = httpHandler({ query: FeedQuerySchema }, async ({ query }) => ({
  status: 200,
  body: await feed.list(query.city, {
    limit: query.limit,
    ...(query.kind ? { kind: query.kind } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  }),
}));

const get = httpHandler({ path: NoticeIdPathSchema }, async ({ path }) => {
  const notice = await feed.get(path.id);
  if (!notice) throw new NotFoundError(`No published notice '${path.id}'.`);
  return { status: 200, body: notice };
});

export const handler: typeof list = ((event, context) =>
  (event.routeKey === 'GET /v1/notices/{id}' ? (get as unknown as typeof list) : list)(
    event,
    context,
  )) as typeof list;
