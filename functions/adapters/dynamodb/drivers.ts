/**
 * Driver records in DynamoDB (the `drivers` table): one partition per vehicle or licence, named by
 * its keyed hash — the registry (`REG#<plate type>` / `REG`), the followers who proved ownership
 * (`REGOWNER#…`, read with the registry in one Query), violations, points, due dates (on the sparse
 * `gsi1` by date and shard), who its notices go to (one HOLDERS item: read 100 subjects a
 * BatchGetItem) and the day's wrong proofs; one partition per follower with what they
 * verified, their pending SMS code (its keyed hash) and the codes sent; sealed registered phones by
 * their SMS identity; weekly verification counts. Every record
 * write is conditional on the platform's time of the change, so an event applied twice is a
 * duplicate and an older one is stale. Items are validated with zod when read back; every item
 * expires by TTL after the retention.
 */

import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { DUE_KINDS, type DueKind } from '../../../schemas/drivers.ts';
import type {
  DriverRecord,
  DriverRecords,
  DueRecord,
  Holders,
  LicenceRecord,
  Owner,
  Ownerships,
  PendingCode,
  PointsRecord,
  SmsCodes,
  VehicleRecord,
  VerificationTally,
  Verified,
  ViolationRecord,
  WriteOutcome,
} from '../../core/drivers/ports.ts';
import { recordId } from '../../core/drivers/ports.ts';
import { DUE_SHARDS, type DueIndex } from '../../core/drivers/reminders.ts';
import type { Subject } from '../../core/drivers/subjects.ts';
import type { PageCursor } from '../../core/pushes/expansion.ts';
import type { Channel } from '../../core/vocabulary.ts';
import { keys } from './keys.ts';
import { ReadAhead } from './read-ahead.ts';
import { ttlFloor } from './ttl.ts';

const SubjectSchema = z.object({ type: z.enum(['vehicle', 'licence']), key: z.string() });
const Sealed = z.object({ salt: z.string(), hash: z.string() });
const Phone = z.object({ id: z.string(), sealed: z.string(), masked: z.string() }).nullable();
const Versioned = { asOf: z.string(), eventId: z.string(), subject: SubjectSchema };
const RecordSchema: z.ZodType<DriverRecord> = z.discriminatedUnion('type', [
  z.object({
    ...Versioned,
    type: z.literal('vehicle'),
    plate: z.string(),
    plateType: z.string(),
    vin: Sealed,
    phone: Phone,
  }),
  z.object({ ...Versioned, type: z.literal('licence'), masked: z.string(), file: Sealed, phone: Phone }),
  z.object({
    ...Versioned,
    type: z.literal('violation'),
    violationId: z.string(),
    plate: z.string(),
    plateType: z.string(),
    time: z.string(),
    place: z.string(),
    act: z.string(),
    fineYuan: z.number(),
    points: z.number(),
    photos: z.array(z.string()),
    state: z.enum(['unprocessed', 'processed', 'paid']),
  }),
  z.object({
    ...Versioned,
    type: z.literal('points'),
    masked: z.string(),
    points: z.number(),
    cycleEnd: z.string().nullable(),
  }),
  z.object({
    ...Versioned,
    type: z.literal('due'),
    kind: z.enum(DUE_KINDS),
    display: z.string(),
    dueDate: z.string(),
  }),
]);
const OwnerItem = z.object({
  channel: z.enum(['wechat', 'sms']),
  id: z.string(),
  account: z.string(),
  verifiedAt: z.string(),
  method: z.enum(['vin', 'file-number', 'sms-code']),
});
const VerifiedItem = z.object({ subject: SubjectSchema, display: z.string(), verifiedAt: z.string() });

/** A verified owner's attribute on the subject's HOLDERS item. */
const OWNER_ATTRIBUTE = 'owner:';
const ownerAttribute = (channel: Channel, id: string) => `${OWNER_ATTRIBUTE}${channel}:${id}`;

/** The shard of the due-date index a subject's due records are on. */
export const dueShard = (s: Subject) =>
  createHash('sha256').update(s.key).digest().readUInt32BE(0) % DUE_SHARDS;

/** A record's key in its subject's partition. */
function keyOf(r: DriverRecord) {
  switch (r.type) {
    case 'vehicle':
      return keys.driverRegistry(r.subject, r.plateType);
    case 'licence':
      return keys.driverRegistry(r.subject);
    case 'violation':
      return keys.driverViolation(r.subject, r.violationId);
    case 'points':
      return keys.driverPoints(r.subject);
    case 'due':
      return keys.driverDue(r.subject, r.kind);
  }
}

export class DynamoDriverRecords implements DriverRecords, DueIndex {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  /** Write capacity this instance consumed (the benchmark reports it per event). */
  readonly consumed = { read: 0, write: 0 };
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  private cost(
    c: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> | undefined,
    kind: 'read' | 'write',
  ) {
    const list = Array.isArray(c) ? c : c ? [c] : [];
    this.consumed[kind] += list.reduce((n, x) => n + (x.CapacityUnits ?? 0), 0);
  }

  private async query(pk: string, prefix: string, consistent = false) {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': pk, ':p': prefix },
          ConsistentRead: consistent,
          ReturnConsumedCapacity: 'TOTAL',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      this.cost(res.ConsumedCapacity, 'read');
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async current(records: readonly DriverRecord[]): Promise<Map<string, DriverRecord>> {
    const out = new Map<string, DriverRecord>();
    const unique = [...new Map(records.map((r) => [recordId(r), keyOf(r)])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      let pending: Record<string, unknown>[] | undefined = unique.slice(i, i + 100);
      for (let attempt = 0; pending?.length; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        const res: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({
            RequestItems: {
              [this.table]: {
                Keys: pending,
                ProjectionExpression: '#d',
                ExpressionAttributeNames: { '#d': 'data' },
              },
            },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        this.cost(res.ConsumedCapacity, 'read');
        for (const item of res.Responses?.[this.table] ?? []) {
          const r = RecordSchema.parse(item.data);
          out.set(recordId(r), r);
        }
        pending = res.UnprocessedKeys?.[this.table]?.Keys;
        if (attempt > 8 && pending?.length) throw new Error('BatchGetItem left keys unprocessed');
      }
    }
    return out;
  }

  async apply(record: DriverRecord, expiresAt: number): Promise<WriteOutcome> {
    const asOfMs = Date.parse(record.asOf);
    const due =
      record.type === 'due'
        ? {
            gsi1pk: keys.driverDueIndex(record.dueDate, dueShard(record.subject)),
            gsi1sk: keys.driverDueIndexSort(record.kind, record.subject),
          }
        : {};
    try {
      const res = await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keyOf(record),
            ...due,
            eventId: record.eventId,
            asOfMs,
            data: record,
            expiresAt: ttlFloor(expiresAt),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR (eventId <> :e AND asOfMs < :t)',
          ExpressionAttributeValues: { ':e': record.eventId, ':t': asOfMs },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.cost(res.ConsumedCapacity, 'write');
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      this.consumed.write += 1;
      const old = error.Item as { eventId?: { S?: string } } | undefined;
      return old?.eventId?.S === record.eventId ? 'duplicate' : 'stale';
    }
    // The registered phone by its SMS identity, for SMS to registered phones (deliver-sms), and as
    // the subject's holder.
    if ((record.type === 'vehicle' || record.type === 'licence') && record.phone) {
      const res = await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.registeredPhone(record.phone.id),
            phone: record.phone.sealed,
            expiresAt: ttlFloor(expiresAt),
          },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.cost(res.ConsumedCapacity, 'write');
      const holders = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.driverHolders(record.subject),
          UpdateExpression: 'SET phoneId = :p, expiresAt = :t',
          ExpressionAttributeValues: { ':p': record.phone.id, ':t': ttlFloor(expiresAt) },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.cost(holders.ConsumedCapacity, 'write');
    }
    return 'applied';
  }

  /** One BatchGetItem per 100 subjects (their HOLDERS items); a subject without one has nobody. */
  async holders(subjects: readonly Subject[]): Promise<Map<string, Holders>> {
    const unique = [...new Map(subjects.map((s) => [s.key, s])).values()];
    const out = new Map<string, Holders>(unique.map((s) => [s.key, { owners: [], phoneId: null }]));
    const byPk = new Map(unique.map((s) => [keys.driverSubject(s), s.key]));
    for (let i = 0; i < unique.length; i += 100) {
      let pending: Record<string, unknown>[] | undefined = unique
        .slice(i, i + 100)
        .map((s) => keys.driverHolders(s));
      for (let attempt = 0; pending?.length; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        const res: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true } },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        this.cost(res.ConsumedCapacity, 'read');
        for (const item of res.Responses?.[this.table] ?? []) {
          const key = byPk.get(String(item.pk));
          if (!key) continue;
          const owners = Object.entries(item)
            .filter(([k]) => k.startsWith(OWNER_ATTRIBUTE))
            .map(([, v]) => OwnerItem.parse(v));
          out.set(key, { owners, phoneId: typeof item.phoneId === 'string' ? item.phoneId : null });
        }
        pending = res.UnprocessedKeys?.[this.table]?.Keys;
        if (attempt > 8 && pending?.length) throw new Error('BatchGetItem left keys unprocessed');
      }
    }
    return out;
  }

  private records<T extends DriverRecord>(items: Record<string, unknown>[]): T[] {
    return items.map((i) => RecordSchema.parse(i.data) as T);
  }

  async vehicle(subject: Subject): Promise<VehicleRecord[]> {
    return this.records(
      await this.query(keys.driverSubject(subject), keys.driverVehicleRegistryPrefix, true),
    );
  }

  private async one<T extends DriverRecord>(key: { pk: string; sk: string }): Promise<T | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: key }));
    return res.Item ? (RecordSchema.parse(res.Item.data) as T) : undefined;
  }

  licence(subject: Subject): Promise<LicenceRecord | undefined> {
    return this.one(keys.driverRegistry(subject));
  }
  async violations(subject: Subject): Promise<ViolationRecord[]> {
    return this.records(await this.query(keys.driverSubject(subject), keys.driverViolationsPrefix));
  }
  violation(subject: Subject, violationId: string): Promise<ViolationRecord | undefined> {
    return this.one(keys.driverViolation(subject, violationId));
  }
  points(subject: Subject): Promise<PointsRecord | undefined> {
    return this.one(keys.driverPoints(subject));
  }
  async due(subject: Subject): Promise<DueRecord[]> {
    return this.records(await this.query(keys.driverSubject(subject), keys.driverDuePrefix));
  }

  async page(kind: DueKind, dueDate: string, shard: number, cursor: PageCursor, pageSize: number) {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p AND begins_with(gsi1sk, :k)',
        ExpressionAttributeValues: { ':p': keys.driverDueIndex(dueDate, shard), ':k': `${kind}#` },
        Limit: pageSize,
        ReturnConsumedCapacity: 'TOTAL',
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );
    this.cost(res.ConsumedCapacity, 'read');
    return {
      // The index is eventually consistent: a record moved to another due date since is skipped.
      items: this.records<DueRecord>(res.Items ?? []).filter((r) => r.dueDate === dueDate && r.kind === kind),
      next: (res.LastEvaluatedKey as PageCursor) ?? null,
    };
  }
}

export class DynamoOwnerships implements Ownerships {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  async verify(owner: Owner, subject: Subject, display: string, expiresAt: number): Promise<void> {
    this.early.forget(`${owner.channel}#${owner.id}`);
    const ttl = ttlFloor(expiresAt);
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.table,
              Item: { ...keys.driverOwner(subject, owner.channel, owner.id), ...owner, expiresAt: ttl },
            },
          },
          {
            Put: {
              TableName: this.table,
              Item: {
                ...keys.driverVerified(owner.channel, owner.id, subject),
                subject,
                display,
                verifiedAt: owner.verifiedAt,
                expiresAt: ttl,
              },
            },
          },
          {
            Update: {
              TableName: this.table,
              Key: keys.driverHolders(subject),
              UpdateExpression: 'SET #o = :o, expiresAt = :t',
              ExpressionAttributeNames: { '#o': ownerAttribute(owner.channel, owner.id) },
              ExpressionAttributeValues: { ':o': owner, ':t': ttl },
            },
          },
        ],
      }),
    );
  }

  async unverify(ref: { channel: Channel; id: string }, subject: Subject): Promise<void> {
    this.early.forget(`${ref.channel}#${ref.id}`);
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.table, Key: keys.driverOwner(subject, ref.channel, ref.id) } },
          { Delete: { TableName: this.table, Key: keys.driverVerified(ref.channel, ref.id, subject) } },
          {
            Update: {
              TableName: this.table,
              Key: keys.driverHolders(subject),
              UpdateExpression: 'REMOVE #o',
              ExpressionAttributeNames: { '#o': ownerAttribute(ref.channel, ref.id) },
            },
          },
        ],
      }),
    );
  }

  /** What a follower proved, read from ./read-ahead.ts when `readAhead` began it (a 违法 / 记分 / 年检 question). */
  private readonly early = new ReadAhead<Verified[]>();

  readAhead(ref: { channel: Channel; id: string }): void {
    this.early.begin(`${ref.channel}#${ref.id}`, () => this.readVerified(ref));
  }

  verified(ref: { channel: Channel; id: string }): Promise<Verified[]> {
    return this.early.take(`${ref.channel}#${ref.id}`, () => this.readVerified(ref));
  }

  private async readVerified(ref: { channel: Channel; id: string }): Promise<Verified[]> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: {
          ':pk': keys.driverFollower(ref.channel, ref.id),
          ':p': keys.driverVerifiedPrefix,
        },
        ConsistentRead: true,
      }),
    );
    return (res.Items ?? []).map((i) => VerifiedItem.parse(i));
  }

  private async add(key: { pk: string; sk: string }, n: number, day: string): Promise<number> {
    const res = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key,
        UpdateExpression: 'ADD failures :n SET expiresAt = if_not_exists(expiresAt, :ttl)',
        ExpressionAttributeValues: {
          ':n': n,
          ':ttl': ttlFloor(Date.parse(`${day}T00:00:00+08:00`) / 1000 + 2 * 86_400),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Number(res.Attributes?.failures ?? 0);
  }

  async recordFailure(ref: { channel: Channel; id: string }, subject: Subject, day: string) {
    const [follower, bySubject] = await Promise.all([
      this.add(keys.driverFollowerTries(ref.channel, ref.id, subject, day), 1, day),
      this.add(keys.driverSubjectTries(subject, day), 1, day),
    ]);
    return { follower, subject: bySubject };
  }

  async failures(ref: { channel: Channel; id: string }, subject: Subject, day: string) {
    const res = await this.doc.send(
      new BatchGetCommand({
        RequestItems: {
          [this.table]: {
            Keys: [
              keys.driverFollowerTries(ref.channel, ref.id, subject, day),
              keys.driverSubjectTries(subject, day),
            ],
            ConsistentRead: true,
          },
        },
      }),
    );
    const items = res.Responses?.[this.table] ?? [];
    const of = (pk: string) => Number(items.find((i) => i.pk === pk)?.failures ?? 0);
    return {
      follower: of(keys.driverFollower(ref.channel, ref.id)),
      subject: of(keys.driverSubject(subject)),
    };
  }
}

export class DynamoVerificationTally implements VerificationTally {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  async count(week: string, outcome: 'attempts' | 'verified' | 'wrong' | 'locked', ownersDelta = 0) {
    if (!(outcome === 'verified' && ownersDelta < 0))
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.driverStats(week),
          UpdateExpression: 'ADD #o :one',
          ExpressionAttributeNames: { '#o': outcome },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    if (ownersDelta)
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.driverStats('total'),
          UpdateExpression: 'ADD owners :d',
          ExpressionAttributeValues: { ':d': ownersDelta },
        }),
      );
  }

  async weeks(list: readonly string[]) {
    const res = await this.doc.send(
      new BatchGetCommand({
        RequestItems: { [this.table]: { Keys: [...list, 'total'].map((w) => keys.driverStats(w)) } },
      }),
    );
    const items = res.Responses?.[this.table] ?? [];
    const at = (w: string) => items.find((i) => i.pk === keys.driverStats(w).pk) ?? {};
    return {
      weeks: list.map((w) => {
        const i = at(w) as Record<string, unknown>;
        const n = (k: string) => Number(i[k] ?? 0);
        return {
          week: w,
          attempts: n('attempts'),
          verified: n('verified'),
          wrong: n('wrong'),
          locked: n('locked'),
        };
      }),
      owners: Number((at('total') as Record<string, unknown>).owners ?? 0),
    };
  }
}

/** Registered phones for SMS delivery: the sealed number by its SMS identity. */
export class DynamoRegisteredPhones {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }
  async get(phoneId: string): Promise<{ phone: string; optOutConfirmedAt: null } | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.registeredPhone(phoneId) }),
    );
    return res.Item ? { phone: z.string().parse(res.Item.phone), optOutConfirmedAt: null } : undefined;
  }
}

const PendingCodeItem = z.object({
  subject: SubjectSchema,
  display: z.string(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  expiresAtMs: z.number(),
});

/**
 * Codes sent by SMS (core/drivers/sms-code.ts): a follower's one pending code, kept as its keyed
 * hash until it is used or its TTL passes, and the sends counted in one transaction — the follower's
 * last send (the interval), the follower's sends of the day and the subject's sends of the day.
 */
export class DynamoSmsCodes implements SmsCodes {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  async take(
    ref: { channel: Channel; id: string },
    subject: Subject,
    day: string,
    nowMs: number,
    limits: { intervalMs: number; perDay: number },
  ): Promise<'ok' | 'too-soon' | 'daily-limit'> {
    const dayTtl = ttlFloor(Date.parse(`${day}T00:00:00+08:00`) / 1000 + 2 * 86_400);
    const count = (Key: { pk: string; sk: string }) => ({
      Update: {
        TableName: this.table,
        Key,
        UpdateExpression: 'SET sends = if_not_exists(sends, :zero) + :one, expiresAt = :ttl',
        ConditionExpression: 'attribute_not_exists(sends) OR sends < :max',
        ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': limits.perDay, ':ttl': dayTtl },
      },
    });
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: keys.driverCodeLast(ref.channel, ref.id),
                UpdateExpression: 'SET lastAt = :now, expiresAt = :ttl',
                ConditionExpression: 'attribute_not_exists(lastAt) OR lastAt <= :since',
                ExpressionAttributeValues: {
                  ':now': nowMs,
                  ':since': nowMs - limits.intervalMs,
                  ':ttl': ttlFloor(Math.floor(nowMs / 1000) + 86_400),
                },
              },
            },
            count(keys.driverFollowerCodes(ref.channel, ref.id, day)),
            count(keys.driverSubjectCodes(subject, day)),
          ],
        }),
      );
      return 'ok';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (!reasons.some((r) => r.Code === 'ConditionalCheckFailed')) throw error;
      return reasons[0]?.Code === 'ConditionalCheckFailed' ? 'too-soon' : 'daily-limit';
    }
  }

  async put(ref: { channel: Channel; id: string }, code: PendingCode): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...keys.driverPendingCode(ref.channel, ref.id),
          ...code,
          expiresAt: ttlFloor(Math.ceil(code.expiresAtMs / 1000)),
        },
      }),
    );
  }

  async pending(ref: { channel: Channel; id: string }): Promise<PendingCode | undefined> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.driverPendingCode(ref.channel, ref.id),
        ConsistentRead: true,
      }),
    );
    return res.Item ? PendingCodeItem.parse(res.Item) : undefined;
  }

  async claimSend(ref: { channel: Channel; id: string }, hash: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.driverPendingCode(ref.channel, ref.id),
          UpdateExpression: 'SET sendClaimed = :yes',
          ConditionExpression: '#h = :h AND attribute_not_exists(sendClaimed)',
          ExpressionAttributeNames: { '#h': 'hash' },
          ExpressionAttributeValues: { ':h': hash, ':yes': true },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async consume(ref: { channel: Channel; id: string }, hash: string): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: keys.driverPendingCode(ref.channel, ref.id),
          ConditionExpression: '#h = :h',
          ExpressionAttributeNames: { '#h': 'hash' },
          ExpressionAttributeValues: { ':h': hash },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
