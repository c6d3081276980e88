/**
 * Reads for subscriber support (find-subscribers, report-operations): bindings of a plate and
 * followers linked to a fallback number (Scans of the subscribers table, `read-scan` grant: support
 * looks up one person now and then, so no index is kept for it), and a subscriber's day ledgers.
 */
import { type DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ChannelSchema } from '../../../schemas/vocabulary.ts';
import type { LedgerPush, SubscriberRef } from '../../core/operations/support.ts';
import { keys } from './keys.ts';

const Ref = z.object({ channel: ChannelSchema, id: z.string() });

async function scanRefs(
  doc: DynamoDBDocumentClient,
  table: string,
  filter: string,
  values: Record<string, unknown>,
  limit: number,
): Promise<SubscriberRef[]> {
  const out: SubscriberRef[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await doc.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: filter,
        ProjectionExpression: 'channel, id',
        ExpressionAttributeValues: values,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of res.Items ?? []) {
      const ref = Ref.safeParse(item);
      if (ref.success) out.push(ref.data);
    }
    start = res.LastEvaluatedKey;
  } while (start && out.length < limit);
  return out;
}

export const subscribersWithPlate = (
  doc: DynamoDBDocumentClient,
  table: string,
  plate: string,
  limit: number,
) =>
  scanRefs(doc, table, 'sk = :sk', { ':sk': keys.binding({ channel: 'wechat', id: '' }, plate).sk }, limit);

export const followersWithFallback = (
  doc: DynamoDBDocumentClient,
  table: string,
  smsId: string,
  limit: number,
) =>
  scanRefs(
    doc,
    table,
    'sk = :sk AND smsFallback = :id',
    { ':sk': keys.subscriber({ channel: 'wechat', id: '' }).sk, ':id': smsId },
    limit,
  );

/** Every push on the subscriber's day ledgers (they expire after 9 days), newest day first. */
export async function ledgerPushes(
  doc: DynamoDBDocumentClient,
  table: string,
  ref: SubscriberRef,
): Promise<LedgerPush[]> {
  const res = await doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.ledgerPartition(ref.channel, ref.id) },
      ScanIndexForward: false,
    }),
  );
  return (res.Items ?? []).flatMap((item) => {
    const date = String(item.sk);
    const pushKeys = item.keys instanceof Set ? [...(item.keys as Set<string>)] : [];
    return pushKeys.sort().map((key) => {
      const outcome = item[`s:${key}`];
      return { date, key, outcome: typeof outcome === 'string' ? outcome : null };
    });
  });
}

/** Template messages counted against an account's daily quota (operations `QUOTA#{appId}#{date}`). */
export async function quotaUsed(
  doc: DynamoDBDocumentClient,
  table: string,
  appId: string,
  date: string,
): Promise<number> {
  const res = await doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND sk = :sk',
      ExpressionAttributeValues: {
        ':pk': keys.dailyQuota(appId, date).pk,
        ':sk': keys.dailyQuota(appId, date).sk,
      },
    }),
  );
  const used = res.Items?.[0]?.used;
  return typeof used === 'number' ? used : 0;
}
