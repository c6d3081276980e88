/**
 * An administrator's change: the record, guarded by the version the change was based on, and its
 * append-only audit entry, in ONE transaction. False when the record moved meanwhile.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../../core/restriction-admin.ts';
import { keys } from './keys.ts';

export async function auditedVersionedPut(
  doc: DynamoDBDocumentClient,
  record: { table: string; item: Record<string, unknown>; expectedVersion: number },
  audit: { table: string; entry: AuditEntry },
): Promise<boolean> {
  const { entry } = audit;
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
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
          },
          {
            Put: {
              TableName: audit.table,
              Item: { ...keys.audit(entry.at, entry.id, entry.actor), kind: 'audit', ...entry },
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
