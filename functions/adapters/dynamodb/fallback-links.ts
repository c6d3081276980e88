/**
 * Linking a WeChat follower to an SMS number for fallback, proven by the number itself: the follower
 * asks in WeChat (短信备用) and gets a 6-digit code; the phone that is to receive the fallback texts
 * "WX <code>" to the department's SMS number. Codes live 10 minutes in the inbound table (TTL, and
 * checked in the condition since TTL deletion lags); a number may try 5 codes a day.
 */
import { randomInt } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FallbackLinks } from '../../core/sms/ports.ts';
import { keys } from './keys.ts';
import { ttlFloor } from './ttl.ts';

const CODE_TTL_MS = 10 * 60_000;
const TRIES_PER_DAY = 5;

export class DynamoFallbackLinks implements FallbackLinks {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  /** A fresh code for this follower (a collision with a live code draws again). */
  async start(openid: string, nowMs: number): Promise<string> {
    for (;;) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...keys.fallbackCode(code),
              openid,
              validUntil: nowMs + CODE_TTL_MS,
              expiresAt: ttlFloor(Math.floor((nowMs + CODE_TTL_MS) / 1000) + 3600),
            },
            ConditionExpression: 'attribute_not_exists(pk) OR validUntil < :now',
            ExpressionAttributeValues: { ':now': nowMs },
          }),
        );
        return code;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }

  /**
   * The follower a code was given to, consuming it; null when the code is unknown or expired, or the
   * number has used its tries for the day (`smsId` is the number's HMAC; `day` its civil date).
   */
  async consume(code: string, smsId: string, day: string, nowMs: number): Promise<string | null> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.fallbackTries(smsId, day),
          UpdateExpression: 'ADD tries :one SET expiresAt = if_not_exists(expiresAt, :ttl)',
          ConditionExpression: 'attribute_not_exists(tries) OR tries < :max',
          ExpressionAttributeValues: {
            ':one': 1,
            ':max': TRIES_PER_DAY,
            ':ttl': ttlFloor(Math.floor(nowMs / 1000) + 2 * 86_400),
          },
        }),
      );
      const res = await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: keys.fallbackCode(code),
          ConditionExpression: 'validUntil >= :now',
          ExpressionAttributeValues: { ':now': nowMs },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return typeof res.Attributes?.openid === 'string' ? res.Attributes.openid : null;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return null;
      throw error;
    }
  }
}
