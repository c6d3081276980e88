/**
 * The public notice feed by city (content table, gsi1 `FEED#{city}`, newest first), as the "路况"
 * reply and GET /v1/notices read it: the public projection of published and withdrawn notices,
 * written by the admin publishing workflow (./notices.ts) in the same transaction as the notice.
 * Neither shows a notice whose effective window has ended: `effectiveTo` is compared with now as an
 * instant (it carries whatever offset the editor wrote, so as text it does not sort by time).
 * GET /v1/notices/{id} still returns an ended notice (a link to it keeps working). The 路况 reply's
 * candidates may be cached for a few seconds (NOTICE_FEED_CACHE_SECONDS); the feed pages are not.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type PublicNotice, PublicNoticeSchema } from '../../../schemas/notices.ts';
import type { LatestNotice, NoticeFeed } from '../../core/conversation/converse.ts';
import { stillInEffect } from '../../core/conversation/road.ts';
import { ValidationError } from '../../core/errors.ts';
import { keys } from './keys.ts';

const Cursor = z.object({ pk: z.string(), sk: z.string(), gsi1pk: z.string(), gsi1sk: z.string() });
const encodeCursor = (key: z.infer<typeof Cursor>) => Buffer.from(JSON.stringify(key)).toString('base64url');
function decodeCursor(cursor: string, city: string) {
  try {
    const key = Cursor.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (key.gsi1pk !== keys.feedOf(city)) throw new Error('other city');
    return key;
  } catch {
    throw new ValidationError('The cursor is not one this feed returned for this city.', [
      { path: 'query.cursor', message: 'invalid cursor' },
    ]);
  }
}

/** Items one call reads at most before it stops (with a cursor), however many are filtered out. */
const MAX_SCANNED = 200;

const FeedItem = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.string(),
  title: z.string(),
  shortBody: z.string(),
  publishedAt: z.string(),
  effectiveTo: z.string().nullable().optional(),
});

type Candidate = z.infer<typeof FeedItem>;

export class DynamoNoticeFeed implements NoticeFeed {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly now: () => Date;
  private readonly cacheMs: number;
  private readonly road = new Map<string, { until: number; candidates: Candidate[] }>();
  /**
   * `cacheMs`: how long the road-condition candidates of a city are reused (a 路况 then costs no
   * read). Whether each is still in effect is decided at every call, so an ended notice is never
   * shown; a newly published one appears within `cacheMs`.
   */
  constructor(
    doc: DynamoDBDocumentClient,
    table: string,
    now: () => Date = () => new Date(),
    options: { cacheMs?: number } = {},
  ) {
    this.doc = doc;
    this.table = table;
    this.now = now;
    this.cacheMs = options.cacheMs ?? 0;
  }

  async latestRoadCondition(city: string): Promise<LatestNotice | undefined> {
    const now = this.now();
    const cached = this.road.get(city);
    const candidates =
      cached && cached.until > now.getTime() ? cached.candidates : await this.roadCandidates(city, now);
    const n = candidates.find((c) => stillInEffect(c.effectiveTo, now));
    return n ? { id: n.id, title: n.title, summary: n.shortBody, publishedAt: n.publishedAt } : undefined;
  }

  /**
   * The city's published road-condition and traffic-control notices, newest first, down to the first
   * that is still in effect when the cache expires (every later call within it finds its answer here).
   */
  private async roadCandidates(city: string, now: Date): Promise<Candidate[]> {
    const horizon = new Date(now.getTime() + this.cacheMs);
    const candidates: Candidate[] = [];
    let start: Record<string, unknown> | undefined;
    let scanned = 0;
    search: do {
      const res = await this.page(city, 25, start);
      for (const raw of res.Items ?? []) {
        scanned++;
        const item = FeedItem.safeParse(raw);
        if (!item.success) continue;
        const n = item.data;
        if (n.status !== 'published' || !['road-condition', 'traffic-control'].includes(n.kind)) continue;
        if (!stillInEffect(n.effectiveTo, now)) continue;
        candidates.push(n);
        if (stillInEffect(n.effectiveTo, horizon)) break search;
      }
      start = res.LastEvaluatedKey;
    } while (start && scanned < MAX_SCANNED);
    if (this.cacheMs > 0) this.road.set(city, { until: now.getTime() + this.cacheMs, candidates });
    return candidates;
  }

  /**
   * One page of a city's feed, newest first, optionally of one kind; `cursor` continues a previous
   * page. A page may hold fewer than `limit` notices (with a cursor) when many in a row are filtered
   * out: each call reads at most MAX_SCANNED items.
   */
  async list(
    city: string,
    options: { kind?: string; limit: number; cursor?: string },
  ): Promise<{ notices: PublicNotice[]; cursor: string | null }> {
    const notices: PublicNotice[] = [];
    let start: Record<string, unknown> | undefined = options.cursor
      ? decodeCursor(options.cursor, city)
      : undefined;
    let last: PublicNotice | undefined;
    const now = this.now();
    let scanned = 0;
    do {
      const res = await this.page(city, options.limit + 1, start);
      const items = res.Items ?? [];
      for (const raw of items) {
        scanned++;
        const item = PublicNoticeSchema.safeParse(raw);
        if (!item.success) continue;
        if (options.kind && item.data.kind !== options.kind) continue;
        if (!stillInEffect(item.data.effectiveTo, now)) continue;
        if (notices.length === options.limit) {
          return { notices, cursor: encodeCursor(this.keyOf(last!)) };
        }
        notices.push(item.data);
        last = item.data;
      }
      start = res.LastEvaluatedKey;
      if (start && scanned >= MAX_SCANNED) return { notices, cursor: encodeCursor(Cursor.parse(start)) };
    } while (start);
    return { notices, cursor: null };
  }

  /** One page of the city's feed index, newest first. */
  private page(city: string, limit: number, start?: Record<string, unknown>) {
    return this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': keys.feedOf(city) },
        ScanIndexForward: false,
        Limit: limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
  }

  private keyOf(n: PublicNotice) {
    return { ...keys.feedItem(n.id), ...keys.feed(n.city, n.publishedAt, n.id) };
  }

  /** A published or withdrawn notice; undefined for any other (drafts are not public). */
  async get(id: string): Promise<PublicNotice | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.feedItem(id) }));
    const item = PublicNoticeSchema.safeParse(res.Item);
    return item.success ? item.data : undefined;
  }
}
