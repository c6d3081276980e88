/**
 * Expands a segment page by page into delivery messages of up to 50 recipients each, published to
 * the deliveries topic with a `channel` attribute:
 *  - a restriction segment (city × tail × slot × shard) pages the sparse fan-out index, one recipient
 *    per subscriber with their plates of this tail together;
 *  - a notice segment pages one of the parallel Scan segments of the subscribers table, keeping the
 *    notice's audience.
 * Each page advances the segment's cursor in the same transaction that counts its recipients as
 * planned, so a segment delivered twice, or retried after a crash, resumes where it stopped and
 * counts everyone once. Bundle ids are deterministic (run, segment, page, chunk).
 */

import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import {
  type DeliveryMessage,
  MAX_BUNDLE,
  type NoticeSegment,
  type Recipient,
  type RestrictionSegment,
  SegmentMessageSchema,
} from '../../schemas/pushes.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { publishAll } from '../adapters/sns/publisher.ts';
import { noticeRecipientsOfPage } from '../core/notices/planning.ts';
import { clock } from '../shared/clock.ts';
import { tableName, topicArn } from '../shared/config.ts';
import { logger } from '../shared/powertools.ts';
import { pushRuns } from '../shared/pushes.ts';

const deliveriesTopic = topicArn('push-deliveries');
const subscribersTable = tableName('subscribers');
const config = z
  .object({
    PUSH_BUNDLE_SIZE: z.coerce.number().int().min(1).max(MAX_BUNDLE).default(MAX_BUNDLE),
    /** Items per fan-out Query / Scan page (tests use a few to cross page boundaries). */
    EXPAND_PAGE_SIZE: z.coerce.number().int().min(3).max(1000).default(500),
  })
  .parse(process.env);
const PAGE = config.EXPAND_PAGE_SIZE;

type Key = Record<string, unknown>;
type Addressed = { channel: 'wechat' | 'sms'; account: string } & Recipient;

interface Page {
  recipients: Addressed[];
  next: Key | null;
}

async function restrictionPage(seg: RestrictionSegment, cursor: Key | null): Promise<Page> {
  const res = await documentClient.send(
    new QueryCommand({
      TableName: subscribersTable,
      IndexName: 'fanout',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': `${seg.city}#${seg.tail}#${seg.slot}#${seg.shard}` },
      Limit: PAGE,
      ...(cursor ? { ExclusiveStartKey: cursor } : {}),
    }),
  );
  // A subscriber's plates are contiguous in the index (sort key channel#id#plate). A page that ends
  // inside a subscriber's plates resumes after the previous subscriber, so nobody is split in two.
  let items = res.Items ?? [];
  let next = (res.LastEvaluatedKey as Key | undefined) ?? null;
  const who = (i: Record<string, unknown>) => `${i.channel}#${i.id}`;
  if (next && items.length > 1) {
    const lastWho = who(items.at(-1)!);
    const cut = items.findLastIndex((i) => who(i) !== lastWho);
    if (cut >= 0) {
      const { pk, sk, gsi1pk, gsi1sk } = items[cut]!;
      next = { pk, sk, gsi1pk, gsi1sk };
      items = items.slice(0, cut + 1);
    }
  }
  // One recipient per subscriber, their plates with this tail together.
  const bySubscriber = new Map<string, Addressed>();
  for (const item of items) {
    const k = `${item.channel}#${item.id}`;
    const existing = bySubscriber.get(k);
    if (existing) existing.plates.push(String(item.plate));
    else
      bySubscriber.set(k, {
        channel: item.channel,
        account: String(item.account),
        id: String(item.id),
        plates: [String(item.plate)],
      });
  }
  return { recipients: [...bySubscriber.values()], next };
}

async function noticePage(seg: NoticeSegment, cursor: Key | null): Promise<Page> {
  const res = await documentClient.send(
    new ScanCommand({
      TableName: subscribersTable,
      Segment: seg.scan,
      TotalSegments: seg.of,
      Limit: PAGE,
      ProjectionExpression: 'pk, sk, channel, id, account, #s, city, tail, scene',
      ExpressionAttributeNames: { '#s': 'status' },
      ...(cursor ? { ExclusiveStartKey: cursor } : {}),
    }),
  );
  const { recipients, resumeAfter } = noticeRecipientsOfPage(
    res.Items ?? [],
    seg,
    (res.LastEvaluatedKey as Key | undefined) ?? null,
  );
  return { recipients: recipients.map((r) => ({ ...r, plates: [] })), next: resumeAfter };
}

/** Bundles per channel and account, at most PUSH_BUNDLE_SIZE recipients each. */
function bundles(
  recipients: Addressed[],
  base: Omit<DeliveryMessage, 'bundle' | 'channel' | 'account' | 'recipients' | 'values'>,
  values: (channel: 'wechat' | 'sms') => Record<string, string> | undefined,
  prefix: string,
): DeliveryMessage[] {
  const groups = new Map<string, Recipient[]>();
  for (const { channel, account, id, plates } of recipients) {
    const g = `${channel}#${account}`;
    groups.set(g, [...(groups.get(g) ?? []), { id, plates }]);
  }
  const out: DeliveryMessage[] = [];
  for (const [g, members] of groups) {
    const [channel, account] = g.split('#') as ['wechat' | 'sms', string];
    const v = values(channel);
    const fallbackValues = channel === 'wechat' ? values('sms') : undefined;
    for (let i = 0; i < members.length; i += config.PUSH_BUNDLE_SIZE)
      out.push({
        ...base,
        ...(v ? { values: v } : {}),
        ...(fallbackValues ? { fallbackValues } : {}),
        bundle: `${prefix}#${g}#${i / config.PUSH_BUNDLE_SIZE}`,
        channel,
        account,
        recipients: members.slice(i, i + config.PUSH_BUNDLE_SIZE),
      });
  }
  return out;
}

async function expand(body: string): Promise<void> {
  const seg = SegmentMessageSchema.parse(JSON.parse(body));
  const segment = seg.kind === 'notice' ? `scan#${seg.scan}` : `${seg.tail}#${seg.shard}`;
  const base =
    seg.kind === 'notice'
      ? {
          runKey: seg.runKey,
          pushKey: seg.pushKey,
          category: seg.category,
          city: seg.city,
          date: seg.date,
        }
      : { runKey: seg.runKey, pushKey: seg.runKey, category: seg.category, city: seg.city, date: seg.date };
  for (;;) {
    const { page, cursor, done } = await pushRuns.segmentCursor(seg.runKey, segment);
    if (done) return;
    const { recipients, next } =
      seg.kind === 'notice' ? await noticePage(seg, cursor) : await restrictionPage(seg, cursor);
    const deliveries = bundles(
      recipients,
      base,
      (channel) => (seg.kind !== 'notice' ? undefined : channel === 'sms' ? seg.smsValues : seg.values),
      `${seg.runKey}#${segment}#${page}`,
    );
    await publishAll(
      deliveriesTopic,
      deliveries.map((d) => ({ body: d, attributes: { channel: d.channel, category: d.category } })),
    );
    // Another copy of this segment advanced first: it owns the rest (our page was a duplicate).
    if (
      !(await pushRuns.advanceSegment(
        seg.runKey,
        segment,
        page,
        next,
        recipients.length,
        clock.now().toISOString(),
      ))
    )
      return;
    if (!next) return;
  }
}

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await expand(record.body);
    } catch (error) {
      logger.warn('segment expansion will be retried', {
        messageId: record.messageId,
        error: (error as Error).message,
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
