/**
 * An administrator's change: the record(s), each guarded by the version the change was based on,
 * and ONE append-only audit entry, in ONE transaction. False when a record moved meanwhile.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../../core/vocabulary.ts';
import { keys } from './keys.ts';

export interface VersionedRecord {
  table: string;
  item: Record<string, unknown>;
  /** 0 = must not exist yet. */
  expectedVersion: number;
}

/** Items written alongside (projections, outbox entries) that carry no version of their own. */
export interface PlainPut {
  table: string;
  item: Record<string, unknown>;
}

export async function auditedTransaction(
  doc: DynamoDBDocumentClient,
  records: VersionedRecord[],
  audit: { table: string; entry: AuditEntry },
  plain: PlainPut[] = [],
): Promise<boolean> {
  const { entry } = audit;
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          ...records.map((record) => ({
            Put: {
              TableName: record.table,
              Item: {
                ...record.item,
                version: record.expectedVersion + 1,
                updatedAt: entry.at,
                updatedBy: entry.actor,
              },
              ...(record.expectedVersion === 0
                ? { ConditionExpression: 'attribute_not_exists(pk)' }
                : {
                    ConditionExpression: 'version = :v',
                    ExpressionAttributeValues: { ':v': record.expectedVersion },
                  }),
            },
          })),
          ...plain.map((p) => ({ Put: { TableName: p.table, Item: p.item } })),
          {
            Put: {
              TableName: audit.table,
              Item: auditItem(entry),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return false;
    throw error;
  }
}

export async function auditedVersionedPut(
  doc: DynamoDBDocumentClient,
  record: VersionedRecord,
  audit: { table: string; entry: AuditEntry },
): Promise<boolean> {
  return auditedTransaction(doc, [record], audit);
}

/** An audit entry as stored: by day, and by actor through gsi1. */
export const auditItem = (entry: AuditEntry) => ({
  ...keys.audit(entry.at, entry.id, entry.actor),
  kind: 'audit',
  ...entry,
});

/** An audit entry of its own (an action that changes no record, e.g. forcing a push for a past day). */
export async function appendAudit(
  doc: DynamoDBDocumentClient,
  table: string,
  entry: AuditEntry,
): Promise<void> {
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: auditItem(entry),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}
