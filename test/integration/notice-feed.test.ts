/**
 * The public feed and the "路况" source against DynamoDB Local: a notice whose effective window
 * has ended is never shown, whether its end was written with +08:00 or Z, one minute ago or one
 * minute from now (compared as instants: as text "15:29+08:00" sorts after "07:30Z").
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';
import { DynamoNoticeFeed } from '../../functions/adapters/dynamodb/notice-feed.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { ensureTables, localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import type { PublicNotice } from '../../schemas/notices.ts';

const bp = defineBlueprint({ ...blueprintInput, service: `feed-${randomUUID().slice(0, 8)}` });
const client = localClient(inject('dynamodbEndpoint'));
const doc = DynamoDBDocumentClient.from(client);
const content = localTableName(bp.service, 'content');
const NOW = new Date('2026-11-16T07:30:00Z'); // 15:30 in Shanghai

beforeAll(() => ensureTables(client, bp));
afterAll(() => client.destroy());

/** Writes a notice's public projection as the publishing workflow does (./notices.ts). */
async function published(
  city: string,
  title: string,
  fields: Partial<PublicNotice> & { publishedAt: string; effectiveTo: string | null },
): Promise<PublicNotice> {
  const n: PublicNotice = {
    id: randomUUID(),
    kind: 'road-condition',
    status: 'published',
    priority: 'routine',
    title,
    body: `${title}。`,
    shortBody: `${title}。`,
    city,
    areas: [],
    effectiveFrom: '2026-11-16T00:00:00Z',
    withdrawnAt: null,
    withdrawalReason: null,
    ...fields,
  };
  await doc.send(
    new PutCommand({
      TableName: content,
      Item: { ...n, ...keys.feedItem(n.id), ...keys.feed(n.city, n.publishedAt, n.id) },
    }),
  );
  return n;
}

/** A city of its own per test: notices newest first, the ended ones newest. */
async function feedOfCity() {
  const city = `city${randomUUID()
    .replace(/[^a-f]/g, '')
    .slice(0, 8)}`;
  await published(city, '今日14时结束的管制', {
    publishedAt: '2026-11-16T07:25:00Z',
    effectiveTo: '2026-11-16T14:00:00+08:00',
  });
  await published(city, '一分钟前结束（+08:00）', {
    publishedAt: '2026-11-16T07:20:00Z',
    effectiveTo: '2026-11-16T15:29:00+08:00',
  });
  await published(city, '一分钟前结束（Z）', {
    kind: 'traffic-control',
    publishedAt: '2026-11-16T07:10:00Z',
    effectiveTo: '2026-11-16T07:29:00Z',
  });
  await published(city, '一分钟后结束（+08:00）', {
    publishedAt: '2026-11-16T07:00:00Z',
    effectiveTo: '2026-11-16T15:31:00+08:00',
  });
  await published(city, '一分钟后结束（Z）', {
    kind: 'traffic-control',
    publishedAt: '2026-11-16T06:50:00Z',
    effectiveTo: '2026-11-16T07:31:00.000Z',
  });
  await published(city, '长期有效', { publishedAt: '2026-11-16T06:40:00Z', effectiveTo: null });
  return city;
}

const titles = (notices: PublicNotice[]) => notices.map((n) => n.title);

describe('DynamoNoticeFeed and ended notices', () => {
  it('路况: the newest notice still in effect, not one that ended a minute ago in either notation', async () => {
    const city = await feedOfCity();
    const at = (iso: string) => new DynamoNoticeFeed(doc, content, () => new Date(iso));
    expect((await at(NOW.toISOString()).latestRoadCondition(city))?.title).toBe('一分钟后结束（+08:00）');
    expect((await at('2026-11-16T07:31:30Z').latestRoadCondition(city))?.title).toBe('长期有效');
    // Before any of them ended, the newest is shown.
    expect((await at('2026-11-16T05:59:00Z').latestRoadCondition(city))?.title).toBe('今日14时结束的管制');
  });

  it('GET /v1/notices: only notices still in effect, paged newest first', async () => {
    const city = await feedOfCity();
    const feed = new DynamoNoticeFeed(doc, content, () => NOW);
    expect(titles((await feed.list(city, { limit: 20 })).notices)).toEqual([
      '一分钟后结束（+08:00）',
      '一分钟后结束（Z）',
      '长期有效',
    ]);
    expect(titles((await feed.list(city, { limit: 20, kind: 'traffic-control' })).notices)).toEqual([
      '一分钟后结束（Z）',
    ]);
    const first = await feed.list(city, { limit: 2 });
    expect(titles(first.notices)).toEqual(['一分钟后结束（+08:00）', '一分钟后结束（Z）']);
    const second = await feed.list(city, { limit: 2, cursor: first.cursor! });
    expect(second).toMatchObject({ cursor: null });
    expect(titles(second.notices)).toEqual(['长期有效']);
  });

  it('keeps an ended notice reachable by its id', async () => {
    const city = `city${randomUUID()
      .replace(/[^a-f]/g, '')
      .slice(0, 8)}`;
    const n = await published(city, '已结束', {
      publishedAt: '2026-11-16T07:00:00Z',
      effectiveTo: '2026-11-16T15:00:00+08:00',
    });
    const feed = new DynamoNoticeFeed(doc, content, () => NOW);
    expect((await feed.get(n.id))?.title).toBe('已结束');
    expect((await feed.list(city, { limit: 20 })).notices).toEqual([]);
    expect(await feed.latestRoadCondition(city)).toBeUndefined();
  });

  it('路况 from a cache: one read for many questions, an ended notice never shown, a new one within the TTL', async () => {
    const city = await feedOfCity();
    let now = new Date(NOW);
    let reads = 0;
    const counting = DynamoDBDocumentClient.from(client);
    counting.middlewareStack.add(
      (next) => async (args) => {
        reads++;
        return next(args);
      },
      { step: 'initialize', name: 'countReads' },
    );
    const feed = new DynamoNoticeFeed(counting, content, () => now, { cacheMs: 120_000 });
    expect((await feed.latestRoadCondition(city))?.title).toBe('一分钟后结束（+08:00）');
    const afterFirst = reads;
    // Inside the cache (2 minutes): still the same; then past that notice's end, the next one, no read.
    now = new Date(NOW.getTime() + 30_000);
    expect((await feed.latestRoadCondition(city))?.title).toBe('一分钟后结束（+08:00）');
    now = new Date('2026-11-16T07:31:10Z');
    expect((await feed.latestRoadCondition(city))?.title).toBe('长期有效');
    expect(reads).toBe(afterFirst);
    // A notice published meanwhile is shown once the cache has expired.
    await published(city, '新发布的管制', { publishedAt: '2026-11-16T07:30:30Z', effectiveTo: null });
    expect((await feed.latestRoadCondition(city))?.title).toBe('长期有效');
    now = new Date(NOW.getTime() + 121_000);
    expect((await feed.latestRoadCondition(city))?.title).toBe('新发布的管制');
    expect(reads).toBeGreaterThan(afterFirst);
  });
});
