/**
 * Managed content in the content table: the document in force (`CONTENT#{name}` / `CURRENT`,
 * guarded by its version) and every version saved (`CONTENT#{name}` / `V#{version}`), written with
 * the audit entry in one transaction. Readers cache it per container for `cacheMs`.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ContentName } from '../../../schemas/desk.ts';
import type { ContentStore, StoredContent } from '../../core/content/managed.ts';
import type { AuditEntry } from '../../core/vocabulary.ts';
import { auditedTransaction } from './audited-write.ts';
import { keys } from './keys.ts';

export class DynamoContentStore implements ContentStore {
  private readonly doc: DynamoDBDocumentClient;
  /** `operations`: where the audit entries of saves go (readers need none). */
  private readonly tables: { content: string; operations?: string };
  private readonly cacheMs: number;
  private readonly cache = new Map<ContentName, { at: number; value: StoredContent | undefined }>();

  constructor(doc: DynamoDBDocumentClient, tables: { content: string; operations?: string }, cacheMs = 0) {
    this.doc = doc;
    this.tables = tables;
    this.cacheMs = cacheMs;
  }

  async get(name: ContentName): Promise<StoredContent | undefined> {
    const hit = this.cache.get(name);
    // Cache age is process time (monotonic), not the domain's clock.
    if (hit && performance.now() - hit.at < this.cacheMs) return hit.value;
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.tables.content,
        Key: keys.contentCurrent(name),
        ConsistentRead: this.cacheMs === 0,
      }),
    );
    const value = res.Item
      ? {
          version: Number(res.Item.version),
          value: res.Item.value,
          updatedAt: String(res.Item.updatedAt),
          updatedBy: String(res.Item.updatedBy),
        }
      : undefined;
    this.cache.set(name, { at: performance.now(), value });
    return value;
  }

  async save(
    name: ContentName,
    value: unknown,
    expectedVersion: number,
    audit: AuditEntry,
  ): Promise<boolean> {
    const version = expectedVersion + 1;
    if (!this.tables.operations) throw new Error('a content reader cannot save (no audit table)');
    const ok = await auditedTransaction(
      this.doc,
      [
        { table: this.tables.content, item: { ...keys.contentCurrent(name), name, value }, expectedVersion },
        {
          table: this.tables.content,
          item: { ...keys.contentVersion(name, version), name, value, number: version },
          expectedVersion: 0,
        },
      ],
      { table: this.tables.operations, entry: audit },
    );
    this.cache.delete(name);
    return ok;
  }

  async versions(name: ContentName) {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.tables.content,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':p': keys.contentPartition(name), ':v': 'V#' },
        ScanIndexForward: false,
        ProjectionExpression: '#n, updatedAt, updatedBy',
        ExpressionAttributeNames: { '#n': 'number' },
      }),
    );
    return (res.Items ?? []).map((i) => ({
      version: Number(i.number),
      at: String(i.updatedAt),
      by: String(i.updatedBy),
    }));
  }
}
