/**
 * DynamoRestrictionDataRepository against DynamoDB Local: shipped data overlaid by stored records,
 * record + audit written in one transaction, optimistic concurrency, the cache, and stored items
 * validated when read back.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoRestrictionDataRepository } from '../../functions/adapters/dynamodb/restriction-data.ts';
import { ConflictError } from '../../functions/core/errors.ts';
import type { AuditEntry } from '../../functions/core/vocabulary.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { ensureTables, localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { shippedRestrictionData } from '../../schemas/data/index.ts';
import { auditEntriesOf } from '../fixtures/audit.ts';

const bp = defineBlueprint({ ...blueprintInput, service: `rd-${randomUUID().slice(0, 8)}` });
const client = localClient(inject('dynamodbEndpoint'));
const doc = DynamoDBDocumentClient.from(client);
const contentTable = localTableName(bp.service, 'content');
const operationsTable = localTableName(bp.service, 'operations');
const repo = (cacheMs = 0) =>
  new DynamoRestrictionDataRepository(doc, {
    contentTable,
    operationsTable,
    shipped: shippedRestrictionData,
    cacheMs,
  });
const audit = (actor: string): AuditEntry => ({
  id: randomUUID(),
  actor,
  at: new Date().toISOString(),
  action: 'rule.close',
  entity: 'rule:xian-2023',
  before: null,
  after: null,
});

beforeAll(async () => {
  await ensureTables(client, bp);
});

describe('DynamoRestrictionDataRepository', () => {
  it('answers from the shipped data when nothing is stored', async () => {
    const data = await repo().load();
    expect(data.rules.length).toBe(shippedRestrictionData.rules.length);
    expect(data.versions.size).toBe(0);
  });

  it('overlays a stored record on the shipped one with the same id, and writes the audit entry with it', async () => {
    const r = repo();
    const before = (await r.load()).rules.find((x) => x.id === 'xian-2023')!;
    await r.save('rule', 'xian-2023', { ...before, validTo: '2023-06-30' }, 0, audit('dora'));
    const after = await r.load();
    expect(after.rules.find((x) => x.id === 'xian-2023')?.validTo).toBe('2023-06-30');
    expect(after.rules.filter((x) => x.id === 'xian-2023')).toHaveLength(1);
    expect(after.versions.get('rule#xian-2023')).toBe(1);
    const entries = await auditEntriesOf(doc, operationsTable, 'dora');
    expect(entries).toHaveLength(1);
  });

  it('refuses a write based on a stale version, and writes no audit entry for it', async () => {
    const a = repo();
    const b = repo();
    const rule = (await a.load()).rules.find((x) => x.id === 'xian-2023')!;
    await a.save('rule', 'xian-2023', { ...rule, validTo: '2023-05-31' }, 1, audit('erin'));
    await expect(
      b.save('rule', 'xian-2023', { ...rule, validTo: '2023-04-30' }, 1, audit('frank')),
    ).rejects.toBeInstanceOf(ConflictError);
    const frank = await auditEntriesOf(doc, operationsTable, 'frank');
    expect(frank).toEqual([]);
    expect((await b.load()).rules.find((x) => x.id === 'xian-2023')?.validTo).toBe('2023-05-31');
  });

  it('refuses to create a record that someone else created meanwhile', async () => {
    const cal = {
      ...shippedRestrictionData.calendars[4]!,
      year: 2031,
      holidays: [{ name: '元旦', nameEn: 'x', from: '2031-01-01', to: '2031-01-01' }],
      makeUpWorkdays: [],
    };
    await repo().save('calendar', '2031', cal, 0, audit('gina'));
    await expect(repo().save('calendar', '2031', cal, 0, audit('gina'))).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('caches for its lifetime and clears the cache on its own writes', async () => {
    let now = 1_000;
    const cached = new DynamoRestrictionDataRepository(doc, {
      contentTable,
      operationsTable,
      shipped: shippedRestrictionData,
      cacheMs: 30_000,
      now: () => now,
    });
    const first = await cached.load();
    expect(await cached.load()).toBe(first);
    now += 30_001;
    expect(await cached.load()).not.toBe(first);
  });

  it('fails loudly on a stored item that does not match its schema, instead of answering from it', async () => {
    const other = defineBlueprint({ ...blueprintInput, service: `rd-bad-${randomUUID().slice(0, 8)}` });
    await ensureTables(client, other);
    const table = localTableName(other.service, 'content');
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: { pk: 'RDATA#rule', sk: 'broken', version: 1, data: { id: 'broken' } },
      }),
    );
    const broken = new DynamoRestrictionDataRepository(doc, {
      contentTable: table,
      shipped: shippedRestrictionData,
      cacheMs: 0,
    });
    await expect(broken.load()).rejects.toThrow("stored rule 'broken' does not match its schema");
  });

  it('a read-only repository cannot write', async () => {
    const ro = new DynamoRestrictionDataRepository(doc, { contentTable, shipped: shippedRestrictionData });
    await expect(ro.save('rule', 'x', {}, 0, audit('h'))).rejects.toThrow('read-only');
  });
});
