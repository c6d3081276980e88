/**
 * Routine pushes that met quiet hours wait here until the window ends (ledger table,
 * `DEFER#{release day, UTC}#{shard}`, sort key `{release instant}#{push}#{channel}#{bundle}`),
 * released by a schedule every five minutes: everything due by now in the last days' partitions, so
 * a change of quiet hours in the meantime strands nothing. One item per delivery bundle: a
 * redelivered bundle is deferred once.
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type DeliveryMessage, DeliveryMessageSchema } from '../../../schemas/pushes.ts';
import type { DeferredPushes } from '../../core/delivery/ports.ts';
import { conditionally } from './conditional.ts';
import { keys } from './keys.ts';
import { ttlFloor } from './ttl.ts';

export const DEFER_SHARDS = 16;
/** Days back the release looks: a bundle is released within minutes of its time, this is slack. */
const LOOKBACK_DAYS = 3;

export class DynamoDeferredPushes implements DeferredPushes {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  /** False when this bundle was already deferred. */
  defer(message: DeliveryMessage, releaseAt: Date, shard: number): Promise<boolean> {
    const at = releaseAt.toISOString();
    return conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.deferred(at, shard % DEFER_SHARDS, message.pushKey, message.channel, message.bundle),
            message,
            expiresAt: ttlFloor(Math.floor(releaseAt.getTime() / 1000) + (LOOKBACK_DAYS + 1) * 86_400),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  /**
   * Releases everything due by `now`: hands the messages to `publish`, then deletes them. An item
   * that does not parse as a delivery message is left in place (it expires by TTL) and reported.
   */
  async release(
    now: Date,
    publish: (messages: DeliveryMessage[]) => Promise<void>,
    unreadable: (sk: string) => void = () => {},
  ): Promise<number> {
    let released = 0;
    for (let back = LOOKBACK_DAYS - 1; back >= 0; back--) {
      const day = new Date(now.getTime() - back * 86_400_000).toISOString().slice(0, 10);
      for (let shard = 0; shard < DEFER_SHARDS; shard++) {
        const pk = keys.deferredPartition(day, shard);
        let start: Record<string, unknown> | undefined;
        do {
          const page = await this.doc.send(
            new QueryCommand({
              TableName: this.table,
              KeyConditionExpression: 'pk = :pk AND sk <= :due',
              // Every instant up to now, inclusive: '~' sorts after the rest of the sort key.
              ExpressionAttributeValues: { ':pk': pk, ':due': `${now.toISOString()}~` },
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          );
          const items = (page.Items ?? []).flatMap((i) => {
            const message = DeliveryMessageSchema.safeParse(i.message);
            if (!message.success) unreadable(String(i.sk));
            return message.success ? [{ sk: String(i.sk), message: message.data }] : [];
          });
          if (items.length) {
            await publish(items.map((i) => ({ ...i.message, deferred: true })));
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
