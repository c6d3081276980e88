/**
 * Expands a segment (city × tail × slot × shard) page by page from the sparse fan-out index into
 * delivery messages of up to 50 recipients each (a subscriber's plates with this tail together), published
 * to the deliveries topic with a `channel` attribute. Each page advances the segment's cursor in the
 * same transaction that counts its recipients as planned, so a segment delivered twice, or retried
 * after a crash, resumes where it stopped and counts everyone once.
 */

import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import {
  type DeliveryMessage,
  MAX_BUNDLE,
  type Recipient,
  SegmentMessageSchema,
} from '../../schemas/pushes.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { publishAll } from '../adapters/sns/publisher.ts';
import { tableName, topicArn } from '../shared/config.ts';
import { logger } from '../shared/powertools.ts';
import { pushRuns } from '../shared/pushes.ts';

const deliveriesTopic = topicArn('push-deliveries');
const subscribersTable = tableName('subscribers');
const PAGE = 500;
const config = z
  .object({ PUSH_BUNDLE_SIZE: z.coerce.number().int().min(1).max(MAX_BUNDLE).default(MAX_BUNDLE) })
  .parse(process.env);

async function expand(body: string): Promise<void> {
  const seg = SegmentMessageSchema.parse(JSON.parse(body));
  const segment = `${seg.tail}#${seg.shard}`;
  for (;;) {
    const { page, cursor, done } = await pushRuns.segmentCursor(seg.runKey, segment);
    if (done) return;
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
    // One recipient per subscriber (their plates with this tail together), bundled per channel and
    // account; bundle ids are deterministic so a page expanded twice yields the same bundles.
    const bySubscriber = new Map<string, { channel: 'wechat' | 'sms'; account: string } & Recipient>();
    for (const item of res.Items ?? []) {
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
    const groups = new Map<string, Recipient[]>();
    for (const { channel, account, id, plates } of bySubscriber.values()) {
      const g = `${channel}#${account}`;
      groups.set(g, [...(groups.get(g) ?? []), { id, plates }]);
    }
    const deliveries: DeliveryMessage[] = [];
    for (const [g, recipients] of groups) {
      const [channel, account] = g.split('#') as ['wechat' | 'sms', string];
      for (let i = 0; i < recipients.length; i += config.PUSH_BUNDLE_SIZE)
        deliveries.push({
          bundle: `${seg.runKey}#${segment}#${page}#${channel}#${account}#${i / config.PUSH_BUNDLE_SIZE}`,
          runKey: seg.runKey,
          pushKey: seg.runKey,
          category: seg.category,
          channel,
          account,
          city: seg.city,
          date: seg.date,
          recipients: recipients.slice(i, i + config.PUSH_BUNDLE_SIZE),
        });
    }
    await publishAll(
      deliveriesTopic,
      deliveries.map((d) => ({ body: d, attributes: { channel: d.channel, category: d.category } })),
    );
    const next = (res.LastEvaluatedKey as Record<string, unknown> | undefined) ?? null;
    // Another copy of this segment advanced first: it owns the rest (our page was a duplicate).
    if (
      !(await pushRuns.advanceSegment(
        seg.runKey,
        segment,
        page,
        next,
        bySubscriber.size,
        new Date().toISOString(),
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
