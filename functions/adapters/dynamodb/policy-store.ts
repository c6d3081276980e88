/**
 * The frequency policy every push passes, stored in DynamoDB (operations `POLICY#frequency`) so a
 * department tunes it without a deploy; the default applies until an operator saves one. A change
 * is written with its audit entry in one transaction, guarded by the version it was based on.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_POLICY, type FrequencyPolicy, FrequencyPolicySchema } from '../../../schemas/pushes.ts';
import type { PolicySource } from '../../core/delivery/ports.ts';
import { ConflictError } from '../../core/errors.ts';
import type { PolicyStore } from '../../core/pushes/policy.ts';
import type { AuditEntry } from '../../core/vocabulary.ts';
import { auditedVersionedPut } from './audited-write.ts';
import { keys } from './keys.ts';

const KEY = keys.policy('frequency');

export class DynamoPolicyStore implements PolicySource, PolicyStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly cacheMs: number;
  private cached: { at: number; value: { policy: FrequencyPolicy; version: number } } | undefined;

  constructor(doc: DynamoDBDocumentClient, table: string, cacheMs = 60_000) {
    this.doc = doc;
    this.table = table;
    this.cacheMs = cacheMs;
  }

  async get(): Promise<{ policy: FrequencyPolicy; version: number }> {
    // Cache age is process time (monotonic), not the domain's clock.
    if (this.cached && performance.now() - this.cached.at < this.cacheMs) return this.cached.value;
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: KEY }));
    const value = res.Item
      ? { policy: FrequencyPolicySchema.parse(res.Item.policy), version: Number(res.Item.version) }
      : { policy: DEFAULT_POLICY, version: 0 };
    this.cached = { at: performance.now(), value };
    return value;
  }

  async save(policy: FrequencyPolicy, expectedVersion: number, audit: AuditEntry): Promise<void> {
    const saved = await auditedVersionedPut(
      this.doc,
      { table: this.table, item: { ...KEY, policy }, expectedVersion },
      { table: this.table, entry: audit },
    );
    this.cached = undefined;
    if (!saved)
      throw new ConflictError('The frequency policy was changed meanwhile; reload it and try again.');
  }
}
