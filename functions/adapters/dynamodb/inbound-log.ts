/**
 * Inbound de-duplication with reply replay. WeChat delivers a message up to three times over ~15 s;
 * the first delivery claims the record with a conditional write (`attribute_not_exists(pk) OR
 * expiresAt < now`, because TTL deletion is lazy), later deliveries read it: a stored reply is
 * replayed, a message still in progress is handed to the asynchronous path exactly once.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { conditionally } from './conditional.ts';
import { keys } from './keys.ts';

export const InboundRecordSchema = z.object({
  state: z.enum(['processing', 'done']),
  /** The plain passive reply XML, or null when the answer was `success`. */
  reply: z.string().nullable().default(null),
  /** Set once when the reply must go out through the customer-service API. */
  async: z.boolean().default(false),
  asyncSent: z.boolean().default(false),
  claimedAt: z.number(),
  expiresAt: z.number(),
});
export type InboundRecord = z.infer<typeof InboundRecordSchema>;

export interface InboundLog {
  /** 'claimed' for the first delivery, else the record as it stands (kept `retentionSeconds`). */
  claim(key: string, nowMs: number, retentionSeconds?: number): Promise<'claimed' | InboundRecord>;
  get(key: string): Promise<InboundRecord | undefined>;
  complete(key: string, reply: string | null): Promise<void>;
  /** True for the one caller that switched the message to asynchronous delivery. */
  markAsync(key: string): Promise<boolean>;
  /** True for the one caller allowed to send the stored reply through the customer-service API. */
  claimAsyncSend(key: string): Promise<boolean>;
  /** Gives a send claim back after a transient failure, so a retry may send. */
  releaseAsyncSend(key: string): Promise<void>;
  /** Forgets a claim still processing (its work failed), so WeChat's retry starts afresh. */
  release(key: string): Promise<void>;
  /**
   * Plain mode only (no signature covers the body): binds a request's timestamp+nonce to the one
   * message it carried. False when the same query arrives with another message — a replay.
   */
  bindNonce(nonceKey: string, messageKey: string, nowMs: number): Promise<boolean>;
}

/** Kept well beyond WeChat's ~15 s retry window. */
export const INBOUND_RETENTION_SECONDS = 15 * 60;

export class DynamoInboundLog implements InboundLog {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  async claim(
    key: string,
    nowMs: number,
    retentionSeconds = INBOUND_RETENTION_SECONDS,
  ): Promise<'claimed' | InboundRecord> {
    const nowS = Math.floor(nowMs / 1000);
    const claimed = await conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.inbound(key),
            state: 'processing',
            reply: null,
            async: false,
            asyncSent: false,
            claimedAt: nowMs,
            expiresAt: nowS + retentionSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowS },
        }),
      ),
    );
    if (claimed) return 'claimed';
    const existing = await this.get(key);
    if (!existing) throw new Error('inbound record vanished between claim and read');
    return existing;
  }

  async get(key: string): Promise<InboundRecord | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.inbound(key), ConsistentRead: true }),
    );
    return res.Item ? InboundRecordSchema.parse(res.Item) : undefined;
  }

  async complete(key: string, reply: string | null): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.inbound(key),
        UpdateExpression: 'SET #s = :done, reply = :r',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':done': 'done', ':r': reply },
      }),
    );
  }

  private async flip(key: string, attribute: 'async' | 'asyncSent', extraCondition = ''): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.inbound(key),
          UpdateExpression: 'SET #a = :t',
          ConditionExpression: `attribute_exists(pk) AND #a = :f${extraCondition}`,
          ExpressionAttributeNames: { '#a': attribute, ...(extraCondition ? { '#s': 'state' } : {}) },
          ExpressionAttributeValues: {
            ':t': true,
            ':f': false,
            ...(extraCondition ? { ':done': 'done' } : {}),
          },
        }),
      ),
    );
  }

  markAsync(key: string) {
    return this.flip(key, 'async');
  }

  claimAsyncSend(key: string) {
    return this.flip(key, 'asyncSent', ' AND #s = :done');
  }

  async releaseAsyncSend(key: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.inbound(key),
        UpdateExpression: 'SET asyncSent = :f',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':f': false },
      }),
    );
  }

  bindNonce(nonceKey: string, messageKey: string, nowMs: number): Promise<boolean> {
    const nowS = Math.floor(nowMs / 1000);
    return conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.inbound(`nonce#${nonceKey}`),
            messageKey,
            expiresAt: nowS + INBOUND_RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR messageKey = :m OR expiresAt < :now',
          ExpressionAttributeValues: { ':m': messageKey, ':now': nowS },
        }),
      ),
    );
  }

  async release(key: string): Promise<void> {
    await conditionally(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: keys.inbound(key),
          ConditionExpression: '#s = :processing',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':processing': 'processing' },
        }),
      ),
    );
  }
}
