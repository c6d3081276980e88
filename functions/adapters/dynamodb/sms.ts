/**
 * The SMS channel's DynamoDB state:
 *  - SmsBudget (operations `SMSBUDGET#{month}`): the month's spend in fen, taken with ONE conditional
 *    ADD before each send (`spent ≤ ceiling − cost`), so concurrent senders stop exactly at the
 *    ceiling; given back when the gateway did not send. One item per month is a single partition:
 *    fine at SMS rates (a gateway takes thousands a second; DynamoDB takes 1,000 writes/s per key).
 *  - SmsNumberCap (ledger `SMSNUM#{id}/{date}`): messages to one number per civil day, below the
 *    gateway's own per-number cap.
 *  - SmsContacts (subscribers `SUB#sms#{id}/CONTACT`): the number, encrypted; beside the profile so
 *    it goes with the subscriber, read only by the deliver path.
 *  - SmsMessages (operations `SMSMSG#{provider}#{messageId}`): the delivery record a receipt updates.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { SmsBudget, SmsContacts, SmsMessages, SmsNumberCap } from '../../core/sms/ports.ts';
import { conditionally } from './conditional.ts';
import { keys } from './keys.ts';
import { ttlFloor } from './ttl.ts';

const DAY = 86_400;

export class DynamoSmsBudget implements SmsBudget {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  /** Takes `costFen` of the month's `ceilingFen`; false (nothing taken) when it would go over. */
  take(month: string, costFen: number, ceilingFen: number): Promise<boolean> {
    if (costFen > ceilingFen) return Promise.resolve(false);
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.smsBudget(month),
          UpdateExpression: 'ADD spentFen :c, sends :one',
          ConditionExpression: 'attribute_not_exists(spentFen) OR spentFen <= :max',
          ExpressionAttributeValues: { ':c': costFen, ':one': 1, ':max': ceilingFen - costFen },
        }),
      ),
    );
  }

  /** Gives back what a send that did not happen took. */
  async refund(month: string, costFen: number): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.smsBudget(month),
        UpdateExpression: 'ADD spentFen :c, sends :minus',
        ConditionExpression: 'attribute_exists(spentFen)',
        ExpressionAttributeValues: { ':c': -costFen, ':minus': -1 },
      }),
    );
  }

  async spent(month: string): Promise<{ spentFen: number; sends: number }> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.smsBudget(month), ConsistentRead: true }),
    );
    return { spentFen: Number(res.Item?.spentFen ?? 0), sends: Number(res.Item?.sends ?? 0) };
  }
}

export class DynamoSmsNumberCap implements SmsNumberCap {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  /** One message to this number today, if fewer than `cap` went already. */
  take(id: string, date: string, cap: number): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.smsNumberDay(id, date),
          UpdateExpression: 'ADD sent :one SET expiresAt = if_not_exists(expiresAt, :ttl)',
          ConditionExpression: 'attribute_not_exists(sent) OR sent < :cap',
          ExpressionAttributeValues: {
            ':one': 1,
            ':cap': cap,
            ':ttl': ttlFloor(Math.floor(Date.parse(`${date}T00:00:00+08:00`) / 1000) + 3 * DAY),
          },
        }),
      ),
    );
  }

  async giveBack(id: string, date: string): Promise<void> {
    await conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.smsNumberDay(id, date),
          UpdateExpression: 'ADD sent :minus',
          ConditionExpression: 'sent > :zero',
          ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
        }),
      ),
    );
  }

  async sentOn(id: string, date: string): Promise<number> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.smsNumberDay(id, date), ConsistentRead: true }),
    );
    return Number(res.Item?.sent ?? 0);
  }
}

const ContactItem = z.object({
  phone: z.string().startsWith('v1.'),
  optOutConfirmedAt: z.string().nullable().default(null),
});

export class DynamoSmsContacts implements SmsContacts {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  /** Stores the encrypted number (first time only: the ciphertext of the same number need not change). */
  async put(id: string, sealedPhone: string, at: string): Promise<void> {
    await conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.smsContact(id), phone: sealedPhone, createdAt: at, optOutConfirmedAt: null },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async get(id: string): Promise<z.infer<typeof ContactItem> | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.smsContact(id), ConsistentRead: true }),
    );
    return res.Item ? ContactItem.parse(res.Item) : undefined;
  }

  /** True for the one caller that may confirm the current opt-out (a confirmation goes out once). */
  claimOptOutConfirmation(id: string, at: string): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.smsContact(id),
          UpdateExpression: 'SET optOutConfirmedAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(optOutConfirmedAt) OR optOutConfirmedAt = :null)',
          ExpressionAttributeValues: { ':at': at, ':null': null },
        }),
      ),
    );
  }

  /** After a resubscribe, a later opt-out is confirmed again. */
  async resetOptOutConfirmation(id: string): Promise<void> {
    await conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.smsContact(id),
          UpdateExpression: 'SET optOutConfirmedAt = :null',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':null': null },
        }),
      ),
    );
  }
}

export const SmsDeliveryRecordSchema = z.object({
  provider: z.string(),
  messageId: z.string(),
  subscriberId: z.string(),
  kind: z.string(),
  pushKey: z.string().nullable(),
  runKey: z.string().nullable(),
  parts: z.number(),
  costFen: z.number(),
  sentAt: z.string(),
  status: z.enum(['submitted', 'delivered', 'failed']),
  reportCode: z.string().nullable().default(null),
  reportedAt: z.string().nullable().default(null),
});
export type SmsDeliveryRecord = z.infer<typeof SmsDeliveryRecordSchema>;

/** Delivery records live as long as a month's reconciliation needs them. */
const RECORD_DAYS = 40;

export class DynamoSmsMessages implements SmsMessages {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  async record(r: Omit<SmsDeliveryRecord, 'status' | 'reportCode' | 'reportedAt'>): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...keys.smsMessage(r.provider, r.messageId),
          ...r,
          status: 'submitted',
          reportCode: null,
          reportedAt: null,
          expiresAt: ttlFloor(Math.floor(Date.parse(r.sentAt) / 1000) + RECORD_DAYS * DAY),
        },
      }),
    );
  }

  /** Applies a receipt; 'unknown' when no send with this id is on record (nothing is created). */
  async receipt(
    provider: string,
    messageId: string,
    delivered: boolean,
    code: string,
    at: string | null,
  ): Promise<'updated' | 'unknown'> {
    const ok = await conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.smsMessage(provider, messageId),
          UpdateExpression: 'SET #s = :s, reportCode = :c, reportedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': delivered ? 'delivered' : 'failed', ':c': code, ':at': at },
        }),
      ),
    );
    return ok ? 'updated' : 'unknown';
  }

  async get(provider: string, messageId: string): Promise<SmsDeliveryRecord | undefined> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.smsMessage(provider, messageId),
        ConsistentRead: true,
      }),
    );
    return res.Item ? SmsDeliveryRecordSchema.parse(res.Item) : undefined;
  }
}
