/**
 * A walk over the whole subscribers table (Scan, parallel segments), keeping per subscriber only
 * what audience sizes and follower counts need: channel, id, account, status and the bound
 * (city, tail) pairs. It costs one read of the table per call, so it serves previews and the
 * operators' stats, not the send path. (At millions of followers, keep counters instead.)
 */
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { CensusEntry } from '../../core/notices/audience.ts';

const SEGMENTS = 8;

export async function subscriberCensus(doc: DynamoDBDocumentClient, table: string): Promise<CensusEntry[]> {
  const byPk = new Map<string, CensusEntry>();
  const entry = (pk: string) => {
    let e = byPk.get(pk);
    if (!e) {
      e = { channel: 'wechat', id: '', account: '', status: 'unknown', bindings: [] };
      byPk.set(pk, e);
    }
    return e;
  };
  await Promise.all(
    Array.from({ length: SEGMENTS }, async (_, segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new ScanCommand({
            TableName: table,
            Segment: segment,
            TotalSegments: SEGMENTS,
            ProjectionExpression: 'pk, sk, channel, id, account, #s, city, tail',
            ExpressionAttributeNames: { '#s': 'status' },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of page.Items ?? []) {
          const pk = String(item.pk);
          if (!pk.startsWith('SUB#')) continue;
          const e = entry(pk);
          if (item.sk === 'PROFILE') {
            e.channel = item.channel === 'sms' ? 'sms' : 'wechat';
            e.id = String(item.id);
            e.account = String(item.account);
            e.status = String(item.status);
          } else if (String(item.sk).startsWith('BIND#')) {
            e.bindings.push({ city: String(item.city), tail: Number(item.tail) });
          }
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }),
  );
  return [...byPk.values()].filter((e) => e.id !== '');
}
