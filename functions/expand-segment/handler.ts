/**
 * Expands a segment (city × tail × slot × shard) page by page from the sparse fan-out index into
 * delivery messages, one per subscriber (their bound plates with this tail together), published to
 * the deliveries topic with a `channel` attribute. Each page advances the segment's cursor in the
 * same transaction that counts its recipients as planned, so a segment delivered twice, or retried
 * after a crash, resumes where it stopped and counts everyone once.
 */

import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type DeliveryMessage, SegmentMessageSchema } from '../../schemas/pushes.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { publishAll } from '../adapters/sns/publisher.ts';
import { tableName, topicArn } from '../shared/config.ts';
import { logger } from '../shared/powertools.ts';
import { pushRuns } from '../shared/pushes.ts';

const deliveriesTopic = topicArn('push-deliveries');
const subscribersTable = tableName('subscribers');
const PAGE = 500;

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
    const bySubscriber = new Map<string, DeliveryMessage>();
    for (const item of res.Items ?? []) {
      const k = `${item.channel}#${item.id}`;
      const existing = bySubscriber.get(k);
      if (existing) existing.plates.push(String(item.plate));
      else {
        bySubscriber.set(k, {
          runKey: seg.runKey,
          pushKey: seg.runKey,
          category: seg.category,
          channel: item.channel,
          subscriberId: String(item.id),
          account: String(item.account),
          city: seg.city,
          date: seg.date,
          plates: [String(item.plate)],
        });
      }
    }
    const deliveries = [...bySubscriber.values()];
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
        deliveries.length,
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
