/**
 * The desk's cases in the `desk` table: one partition per case (`CASE#{number}`) holding its head
 * (`CASE`, listed through four sparse indexes: by unit and status, by assignee while open, by next
 * deadline while open, by citizen), its messages (`MSG#{at}#{id}`) and its history (`HIST#…`); the
 * day's number counter, the 12345 ticket → case item and a citizen's pending intake. Every change is
 * the head guarded by its version with its audit entry (operations table) in ONE transaction
 * (./audited-write.ts). Every item of a case expires with it (`expiresAt`, the retention period).
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import {
  CASE_STATUSES,
  type Case,
  type CaseCategory,
  CaseCategorySchema,
  type CaseMessage,
  CaseSchema,
  type CaseStatus,
  type HistoryEntry,
  HistoryEntrySchema,
  MessageSchema,
} from '../../../schemas/desk.ts';
import { nextDue } from '../../core/desk/cases.ts';
import type { CaseChange, CaseStore } from '../../core/desk/ports.ts';
import { auditedTransaction } from './audited-write.ts';
import { conditionally } from './conditional.ts';
import { keys } from './keys.ts';
import { ReadAhead } from './read-ahead.ts';
import { ttlFloor } from './ttl.ts';

/** Only the schema's own fields of a stored item (keys, index attributes and version stamps dropped). */
const fieldsOf = <S extends z.ZodObject>(schema: S, item: Record<string, unknown>): z.output<S> =>
  schema.parse(Object.fromEntries(Object.keys(schema.shape).map((k) => [k, item[k]])));

const INDEX = { unit: 'by-unit', assignee: 'by-assignee', due: 'by-due', citizen: 'by-citizen' } as const;

/** An intake expectation that has not expired. */
const live = (item: Record<string, unknown> | undefined, now: string): item is Record<string, unknown> =>
  !!item && typeof item.until === 'string' && Date.parse(item.until) > Date.parse(now);

export class DynamoCaseStore implements CaseStore {
  private readonly doc: DynamoDBDocumentClient;
  /** `operations`: where changes' audit entries go (readers, the case page, need none). */
  private readonly tables: { desk: string; operations?: string };
  constructor(doc: DynamoDBDocumentClient, tables: { desk: string; operations?: string }) {
    this.doc = doc;
    this.tables = tables;
  }

  private get auditTable(): string {
    if (!this.tables.operations) throw new Error('a case reader cannot change cases (no audit table)');
    return this.tables.operations;
  }

  private head(c: Case): Record<string, unknown> {
    const due = nextDue(c);
    return {
      ...c,
      ...keys.case(c.number),
      ...keys.caseByUnit(c.unit, c.status, c.createdAt, c.number),
      ...(c.assignee && c.status !== 'closed' ? keys.caseByAssignee(c.assignee, c.createdAt, c.number) : {}),
      ...(due ? keys.caseByDue(c.unit, due, c.number) : {}),
      ...(c.citizen ? keys.caseByCitizen(c.citizen.channel, c.citizen.id, c.createdAt, c.number) : {}),
      expiresAt: ttlFloor(c.expiresAt),
      kind: 'case',
    };
  }

  private plain(c: Case, change: CaseChange) {
    const expiresAt = ttlFloor(c.expiresAt);
    return [
      ...(change.messages ?? []).map((m) => ({
        table: this.tables.desk,
        item: { ...m, ...keys.caseMessage(c.number, m.at, m.id), expiresAt, kind: 'message' },
      })),
      {
        table: this.tables.desk,
        item: {
          ...change.history,
          ...keys.caseHistory(c.number, change.history.at, change.audit.id),
          expiresAt,
          kind: 'history',
        },
      },
    ];
  }

  async nextSequence(day: string): Promise<number> {
    const res = await this.doc.send(
      new UpdateCommand({
        TableName: this.tables.desk,
        Key: keys.caseSequence(day),
        UpdateExpression: 'ADD seq :one SET expiresAt = if_not_exists(expiresAt, :ttl)',
        ExpressionAttributeValues: {
          ':one': 1,
          ':ttl': ttlFloor(Math.floor(Date.now() / 1000) + 3 * 86_400),
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(res.Attributes?.seq);
  }

  async create(c: Case, change: CaseChange): Promise<'created' | 'exists'> {
    const { desk } = this.tables;
    const operations = this.auditTable;
    const records = [{ table: desk, item: this.head(c), expectedVersion: 0 }];
    if (c.externalId)
      records.push({
        table: desk,
        item: {
          ...keys.caseExternal(c.channel, c.externalId),
          number: c.number,
          expiresAt: ttlFloor(c.expiresAt),
        },
        expectedVersion: 0,
      });
    const ok = await auditedTransaction(
      this.doc,
      records,
      { table: operations, entry: change.audit },
      this.plain(c, change),
    );
    if (ok) return 'created';
    if (c.externalId) return 'exists';
    throw new Error(`case ${c.number} exists already (the day's sequence was reset?)`);
  }

  async get(number: string): Promise<Case | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tables.desk, Key: keys.case(number), ConsistentRead: true }),
    );
    return res.Item ? fieldsOf(CaseSchema, res.Item) : undefined;
  }

  async thread(number: string): Promise<{ messages: CaseMessage[]; history: HistoryEntry[] }> {
    const items = await this.queryAll({
      TableName: this.tables.desk,
      KeyConditionExpression: 'pk = :pk AND sk > :after',
      ExpressionAttributeValues: { ':pk': keys.casePartition(number), ':after': 'CASE' },
      ConsistentRead: true,
    });
    const sk = (i: Record<string, unknown>) => String(i.sk);
    return {
      messages: items
        .filter((i) => sk(i).startsWith(keys.caseMessages))
        .map((i) => fieldsOf(MessageSchema, i)),
      history: items
        .filter((i) => sk(i).startsWith(keys.caseHistories))
        .map((i) => fieldsOf(HistoryEntrySchema, i)),
    };
  }

  async save(next: Case, expectedVersion: number, change: CaseChange): Promise<boolean> {
    return auditedTransaction(
      this.doc,
      [{ table: this.tables.desk, item: this.head(next), expectedVersion }],
      { table: this.auditTable, entry: change.audit },
      this.plain(next, change),
    );
  }

  async updateMessage(number: string, m: CaseMessage): Promise<void> {
    const head = await this.get(number);
    if (!head) return; // purged meanwhile
    await conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.tables.desk,
          Item: {
            ...m,
            ...keys.caseMessage(number, m.at, m.id),
            expiresAt: ttlFloor(head.expiresAt),
            kind: 'message',
          },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
  }

  private async queryAll(input: QueryCommandInput, limit = Number.POSITIVE_INFINITY) {
    const out: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      out.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start && out.length < limit);
    return out.slice(0, limit);
  }

  private async index(
    name: (typeof INDEX)[keyof typeof INDEX],
    n: 1 | 2 | 3 | 4,
    pk: string,
    options: { before?: string; between?: [string, string]; newestFirst?: boolean; limit: number },
  ): Promise<Case[]> {
    const values: Record<string, unknown> = { ':p': pk };
    let condition = `gsi${n}pk = :p`;
    if (options.before) {
      condition += ` AND gsi${n}sk < :b`;
      values[':b'] = options.before;
    }
    if (options.between) {
      condition += ` AND gsi${n}sk BETWEEN :from AND :to`;
      values[':from'] = options.between[0];
      values[':to'] = options.between[1];
    }
    const items = await this.queryAll(
      {
        TableName: this.tables.desk,
        IndexName: name,
        KeyConditionExpression: condition,
        ExpressionAttributeValues: values,
        ScanIndexForward: !options.newestFirst,
        Limit: Math.min(options.limit, 1000),
      },
      options.limit,
    );
    return items.map((i) => fieldsOf(CaseSchema, i));
  }

  async byUnit(unit: string, statuses: readonly CaseStatus[], limit: number): Promise<Case[]> {
    const lists = await Promise.all(
      statuses.map((s) => this.index(INDEX.unit, 1, keys.casesOfUnit(unit, s), { newestFirst: true, limit })),
    );
    return lists.flat();
  }

  byAssignee(sub: string, limit: number): Promise<Case[]> {
    return this.index(INDEX.assignee, 2, keys.casesOfAssignee(sub), { newestFirst: true, limit });
  }

  due(unit: string, before: string, limit: number): Promise<Case[]> {
    return this.index(INDEX.due, 3, keys.casesDue(unit), { before, limit });
  }

  /** A citizen's latest case and their intake expectation, begun beside the webhook's claim (./read-ahead.ts). */
  private readonly latestEarly = new ReadAhead<Case[]>();
  private readonly intakeEarly = new ReadAhead<Record<string, unknown> | undefined>();

  /**
   * Begins reading what a message that may rate or follow up a case needs (`ofCitizen(…, 1)` and
   * `takeIntake`), so the conversation decides without waiting for them after the claim.
   */
  readAhead(citizen: { channel: string; id: string }): void {
    const k = `${citizen.channel}#${citizen.id}`;
    this.latestEarly.begin(k, () => this.ofCitizenNow(citizen, 1));
    this.intakeEarly.begin(k, async () => {
      const res = await this.doc.send(
        new GetCommand({
          TableName: this.tables.desk,
          Key: keys.caseIntake(citizen.channel, citizen.id),
          ConsistentRead: true,
        }),
      );
      return res.Item;
    });
  }

  ofCitizen(citizen: { channel: string; id: string }, limit: number): Promise<Case[]> {
    if (limit !== 1) return this.ofCitizenNow(citizen, limit);
    return this.latestEarly.take(`${citizen.channel}#${citizen.id}`, () => this.ofCitizenNow(citizen, 1));
  }

  private ofCitizenNow(citizen: { channel: string; id: string }, limit: number): Promise<Case[]> {
    return this.index(INDEX.citizen, 4, keys.casesOfCitizen(citizen.channel, citizen.id), {
      newestFirst: true,
      limit,
    });
  }

  async byExternal(system: string, id: string): Promise<Case | undefined> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.tables.desk,
        Key: keys.caseExternal(system, id),
        ConsistentRead: true,
      }),
    );
    return typeof res.Item?.number === 'string' ? this.get(res.Item.number) : undefined;
  }

  async expectIntake(citizen: { channel: string; id: string }, category: CaseCategory, until: string) {
    this.intakeEarly.forget(`${citizen.channel}#${citizen.id}`);
    await this.doc.send(
      new PutCommand({
        TableName: this.tables.desk,
        Item: {
          ...keys.caseIntake(citizen.channel, citizen.id),
          category,
          until,
          expiresAt: ttlFloor(Math.floor(Date.parse(until) / 1000)),
        },
      }),
    );
  }

  async takeIntake(citizen: { channel: string; id: string }, now: string): Promise<CaseCategory | null> {
    // Read ahead and none there (or expired): nothing to take, and no delete to wait for.
    const k = `${citizen.channel}#${citizen.id}`;
    const early = await this.intakeEarly.taken(k)?.then(
      (item) => ({ item }),
      () => null, // the early read failed: take as if it had not been made
    );
    if (early && !live(early.item, now)) return null;
    const res = await this.doc.send(
      new DeleteCommand({
        TableName: this.tables.desk,
        Key: keys.caseIntake(citizen.channel, citizen.id),
        ReturnValues: 'ALL_OLD',
      }),
    );
    const old = res.Attributes;
    if (!live(old, now)) return null;
    const parsed = CaseCategorySchema.safeParse(old.category);
    return parsed.success ? parsed.data : null;
  }

  async openedBetween(units: readonly string[], from: string, to: string): Promise<Case[]> {
    const lists = await Promise.all(
      units.flatMap((u) =>
        CASE_STATUSES.map((s) =>
          this.index(INDEX.unit, 1, keys.casesOfUnit(u, s), { between: [from, `${to}`], limit: 10_000 }),
        ),
      ),
    );
    return lists.flat().filter((c) => c.createdAt < to);
  }
}
