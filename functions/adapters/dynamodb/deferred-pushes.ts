/**
 * Routine pushes that met quiet hours wait here until the window ends (ledger table,
 * `DEFER#{release instant}#{shard}`), released by a schedule every five minutes. One item per
 * delivery bundle: a redelivered bundle is deferred once.
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliveryMessage } from '../../../schemas/pushes.ts';
import { conditionally } from './conditional.ts';

export const DEFER_SHARDS = 16;
const minuteKey = (d: Date) => d.toISOString().slice(0, 16); // YYYY-MM-DDTHH:MM (UTC)

export class DynamoDeferredPushes {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  /** False when this bundle was already deferred. */
  defer(message: DeliveryMessage, releaseAt: Date, shard: number): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `DEFER#${minuteKey(releaseAt)}#${shard % DEFER_SHARDS}`,
            sk: `${message.pushKey}#${message.channel}#${message.bundle}`,
            message,
            expiresAt: Math.floor(releaseAt.getTime() / 1000) + 3 * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  /** Releases everything due at the given instants: hands each message to `release`, then deletes it. */
  async release(instants: Date[], publish: (messages: DeliveryMessage[]) => Promise<void>): Promise<number> {
    let released = 0;
    for (const at of instants) {
      for (let shard = 0; shard < DEFER_SHARDS; shard++) {
        const pk = `DEFER#${minuteKey(at)}#${shard}`;
        let start: Record<string, unknown> | undefined;
        do {
          const page = await this.doc.send(
            new QueryCommand({
              TableName: this.table,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': pk },
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          );
          const items = page.Items ?? [];
          if (items.length) {
            await publish(items.map((i) => ({ ...(i.message as DeliveryMessage), deferred: true })));
            for (const i of items)
              await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk, sk: i.sk } }));
            released += items.length;
          }
          start = page.LastEvaluatedKey;
        } while (start);
      }
    }
    return released;
  }
}
