/**
 * A provider's daily quota, counted before each send (operations table `QUOTA#{appId}#{date}`), so a
 * run stops cleanly before the provider answers 45009 instead of burning retries against it.
 */
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DailyQuota } from '../../core/delivery/ports.ts';
import { conditionally } from './conditional.ts';
import { keys } from './keys.ts';
import { ttlFloor } from './ttl.ts';

export class DynamoDailyQuota implements DailyQuota {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  /** Takes `n` units of the day's `limit`; false (and nothing taken) when they are not left. */
  take(appId: string, date: string, n: number, limit: number): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.dailyQuota(appId, date),
          UpdateExpression: 'ADD used :n SET expiresAt = if_not_exists(expiresAt, :ttl)',
          ConditionExpression: 'attribute_not_exists(used) OR used <= :max',
          ExpressionAttributeValues: {
            ':n': n,
            ':max': limit - n,
            ':ttl': ttlFloor(Math.floor(Date.parse(`${date}T00:00:00+08:00`) / 1000) + 3 * 86_400),
          },
        }),
      ),
    );
  }
}
