/** Reading the append-only audit trail (operations: `AUDIT#{day}` partitions, gsi1 `ACTOR#{sub}`). Nothing here writes. */
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { byInstant } from '../../core/time.ts';
import { keys } from './keys.ts';

const Entry = z.object({
  id: z.string(),
  actor: z.string(),
  at: z.string(),
  action: z.string(),
  entity: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});
export type StoredAuditEntry = z.infer<typeof Entry>;

export async function auditEntries(
  doc: DynamoDBDocumentClient,
  table: string,
  range: { from: string; to: string; days: string[] },
  actor?: string,
): Promise<StoredAuditEntry[]> {
  const bounds = { ':from': range.from, ':to': `${range.to}~` };
  const queries: QueryCommandInput[] = actor
    ? [
        {
          TableName: table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p AND gsi1sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':p': keys.auditByActor(actor), ...bounds },
        },
      ]
    : range.days.map((day) => ({
        TableName: table,
        KeyConditionExpression: 'pk = :p AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':p': keys.auditDay(day), ...bounds },
      }));
  const out: StoredAuditEntry[] = [];
  for (const input of queries) {
    let start: Record<string, unknown> | undefined;
    do {
      const res = await doc.send(
        new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      for (const item of res.Items ?? []) out.push(Entry.parse(item));
      start = res.LastEvaluatedKey;
    } while (start);
  }
  return out.sort((a, b) => byInstant(a.at, b.at) || a.id.localeCompare(b.id));
}

/** The audit entries of one entity (`notice:{id}`) on these UTC days, oldest first (a filtered Query per day). */
export async function entityAuditEntries(
  doc: DynamoDBDocumentClient,
  table: string,
  entity: string,
  days: readonly string[],
): Promise<StoredAuditEntry[]> {
  const out: StoredAuditEntry[] = [];
  for (const day of days) {
    let start: Record<string, unknown> | undefined;
    do {
      const res = await doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :p',
          FilterExpression: 'entity = :e',
          ExpressionAttributeValues: { ':p': keys.auditDay(day), ':e': entity },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of res.Items ?? []) out.push(Entry.parse(item));
      start = res.LastEvaluatedKey;
    } while (start);
  }
  return out.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
}
