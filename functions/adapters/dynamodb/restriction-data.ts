/**
 * Restriction data = what ships with the code (schemas/data) overlaid by what administrators stored
 * in DynamoDB, record by record (same id: the stored one wins). So a fresh deployment answers from
 * the shipped data with nothing to seed, and a 2027 calendar or a closed rule uploaded later takes
 * effect everywhere within the cache lifetime. Items are validated with zod when read back.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { ShippedRestrictionData } from '../../../schemas/data/index.ts';
import {
  HolidayCalendarSchema,
  RestrictionRuleSchema,
  SuspensionSchema,
} from '../../../schemas/restrictions.ts';
import { ConflictError } from '../../core/errors.ts';
import type { DataKind, RestrictionDataRepository, VersionedDataset } from '../../core/restrictions/admin.ts';
import type { AuditEntry } from '../../core/vocabulary.ts';
import { auditedVersionedPut } from './audited-write.ts';
import { keys } from './keys.ts';

const SCHEMAS = {
  calendar: HolidayCalendarSchema,
  rule: RestrictionRuleSchema,
  suspension: SuspensionSchema,
} as const;
const StoredItem = z.object({ sk: z.string(), version: z.number().int().positive(), data: z.unknown() });

export interface DynamoRestrictionDataOptions {
  contentTable: string;
  /** Needed only to save (audit entries); read-only callers leave it out and get no write access. */
  operationsTable?: string;
  shipped: ShippedRestrictionData;
  /** How long a container reuses what it read; admin writes through this instance clear it. */
  cacheMs?: number;
  now?: () => number;
}

export class DynamoRestrictionDataRepository implements RestrictionDataRepository {
  private cached: { at: number; value: VersionedDataset } | undefined;
  private readonly doc: DynamoDBDocumentClient;
  private readonly options: DynamoRestrictionDataOptions;

  constructor(doc: DynamoDBDocumentClient, options: DynamoRestrictionDataOptions) {
    this.doc = doc;
    this.options = options;
  }

  private now() {
    return this.options.now?.() ?? Date.now();
  }

  async load(): Promise<VersionedDataset> {
    const ttl = this.options.cacheMs ?? 30_000;
    if (this.cached && this.now() - this.cached.at < ttl) return this.cached.value;
    const [calendars, rules, suspensions] = await Promise.all([
      this.stored('calendar'),
      this.stored('rule'),
      this.stored('suspension'),
    ]);
    const versions = new Map<string, number>();
    const overlay = <T>(
      kind: DataKind,
      shipped: T[],
      idOf: (t: T) => string,
      stored: Map<string, { version: number; data: unknown }>,
    ) => {
      const byId = new Map(shipped.map((t) => [idOf(t), t]));
      for (const [id, item] of stored) {
        byId.set(id, item.data as T);
        versions.set(`${kind}#${id}`, item.version);
      }
      return [...byId.values()];
    };
    const { shipped } = this.options;
    const value: VersionedDataset = {
      calendars: overlay('calendar', shipped.calendars, (c) => String(c.year), calendars),
      rules: overlay('rule', shipped.rules, (r) => r.id, rules),
      suspensions: overlay('suspension', shipped.suspensions, (s) => s.id, suspensions),
      versions,
    };
    this.cached = { at: this.now(), value };
    return value;
  }

  private async stored(kind: DataKind): Promise<Map<string, { version: number; data: unknown }>> {
    const out = new Map<string, { version: number; data: unknown }>();
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.options.contentTable,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.restrictionDataPartition(kind) },
          ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
        }),
      );
      for (const raw of page.Items ?? []) {
        const item = StoredItem.parse(raw);
        const data = SCHEMAS[kind].safeParse(item.data);
        if (!data.success) {
          throw new Error(
            `stored ${kind} '${item.sk}' does not match its schema: ${data.error.issues[0]?.message}`,
          );
        }
        out.set(item.sk, { version: item.version, data: data.data });
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return out;
  }

  async save(
    kind: DataKind,
    id: string,
    value: unknown,
    expectedVersion: number,
    audit: AuditEntry,
  ): Promise<void> {
    const operationsTable = this.options.operationsTable;
    if (!operationsTable)
      throw new Error('this repository was built read-only (no operations table for audit entries)');
    const saved = await auditedVersionedPut(
      this.doc,
      {
        table: this.options.contentTable,
        item: { ...keys.restrictionData(kind, id), data: value },
        expectedVersion,
      },
      { table: operationsTable, entry: audit },
    );
    this.cached = undefined;
    if (!saved)
      throw new ConflictError(
        `The ${kind} '${id}' was changed by someone else meanwhile; reload and try again.`,
      );
  }
}
