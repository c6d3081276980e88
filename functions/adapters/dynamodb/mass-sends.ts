/**
 * An account's mass sends of one day (operations table, `MASS#{appId}#{date}`): how many were used
 * and, per run, its draft and the msg id WeChat gave, so the daily allowance is claimed once per run
 * with one conditional write and a retried job finds where its run stopped.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { MassSendAllowance } from '../../core/delivery/mass-send.ts';
import { conditionally } from './conditional.ts';
import { keys } from './keys.ts';
import { ttlFloor } from './ttl.ts';

const Day = z.object({
  used: z.number().default(0),
  runs: z
    .record(
      z.string(),
      z.object({ mediaId: z.string().nullable().default(null), msgId: z.string().nullable().default(null) }),
    )
    .default({}),
});

export class DynamoMassSendAllowance implements MassSendAllowance {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  private async day(appId: string, date: string) {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.massSendDay(appId, date), ConsistentRead: true }),
    );
    return Day.parse(res.Item ?? {});
  }

  async claim(appId: string, date: string, runKey: string, limit: number) {
    const Key = keys.massSendDay(appId, date);
    // The map exists before a run is put into it (a document path needs its parent).
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key,
        UpdateExpression:
          'SET runs = if_not_exists(runs, :empty), expiresAt = if_not_exists(expiresAt, :ttl)',
        ExpressionAttributeValues: {
          ':empty': {},
          ':ttl': ttlFloor(Math.floor(Date.parse(`${date}T00:00:00+08:00`) / 1000) + 7 * 86_400),
        },
      }),
    );
    const claimed = await conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key,
          UpdateExpression: 'SET runs.#r = :claim ADD used :one',
          ConditionExpression:
            'attribute_not_exists(runs.#r) AND (attribute_not_exists(used) OR used < :limit)',
          ExpressionAttributeNames: { '#r': runKey },
          ExpressionAttributeValues: { ':claim': { mediaId: null, msgId: null }, ':one': 1, ':limit': limit },
        }),
      ),
    );
    if (claimed) return { claimed: true as const, mediaId: null, sent: false };
    const day = await this.day(appId, date);
    const mine = day.runs[runKey];
    if (mine) return { claimed: true as const, mediaId: mine.mediaId, sent: mine.msgId !== null };
    return { claimed: false as const, usedBy: Object.keys(day.runs) };
  }

  private async set(appId: string, date: string, runKey: string, field: 'mediaId' | 'msgId', value: string) {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.massSendDay(appId, date),
        UpdateExpression: 'SET runs.#r.#f = :v',
        ConditionExpression: 'attribute_exists(runs.#r)',
        ExpressionAttributeNames: { '#r': runKey, '#f': field },
        ExpressionAttributeValues: { ':v': value },
      }),
    );
  }

  drafted(appId: string, date: string, runKey: string, mediaId: string) {
    return this.set(appId, date, runKey, 'mediaId', mediaId);
  }

  sent(appId: string, date: string, runKey: string, msgId: string) {
    return this.set(appId, date, runKey, 'msgId', msgId);
  }

  async release(appId: string, date: string, runKey: string) {
    await conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.massSendDay(appId, date),
          UpdateExpression: 'REMOVE runs.#r ADD used :minus',
          ConditionExpression: 'attribute_exists(runs.#r) AND attribute_type(runs.#r.msgId, :null)',
          ExpressionAttributeNames: { '#r': runKey },
          ExpressionAttributeValues: { ':minus': -1, ':null': 'NULL' },
        }),
      ),
    );
  }
}
