/**
 * Pushes and unfollows per category per ISO week (operations `STATS#{category}#{week}`), and the
 * attribution of an unfollow (or a block) to the push that most plausibly caused it: the most
 * recent one sent within 24 h before. Unfollows per 1,000 pushes by category is the number that
 * tells a department whether its cap is right.
 */
import { BatchGetCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PushTally } from '../../core/delivery/ports.ts';
import { attributableSend } from '../../core/pushes/attribution.ts';
import { addDays, civilDate, isoWeek } from '../../core/time.ts';
import type { Channel } from '../../core/vocabulary.ts';
import { keys } from './keys.ts';
import { recentReservations } from './push-ledger.ts';

export class DynamoPushStats implements PushTally {
  private readonly doc: DynamoDBDocumentClient;
  private readonly operations: string;
  private readonly ledger: string;
  constructor(doc: DynamoDBDocumentClient, tables: { operations: string; ledger: string }) {
    this.doc = doc;
    this.operations = tables.operations;
    this.ledger = tables.ledger;
  }

  private key = keys.pushStats;

  /** Adds a batch's sends (one write per category per batch). */
  async addSent(category: string, date: string, n: number): Promise<void> {
    if (n <= 0) return;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.operations,
        Key: this.key(category, isoWeek(date)),
        UpdateExpression: 'ADD sent :n',
        ExpressionAttributeValues: { ':n': n },
      }),
    );
  }

  /** Attributes an unfollow/block to the last push within 24 h, if any; returns what it was charged to. */
  async attributeUnfollow(channel: Channel, id: string, at: Date, kind: 'unfollow' | 'block') {
    // Pushes reserved for this person that did not end in a recorded failure or skip (a success writes
    // nothing more than its reservation; a crash's unknown outcome may have been sent, so it counts).
    const sends = (await recentReservations(this.doc, this.ledger, channel, id, at)).flatMap((r) =>
      (r.settled === undefined || r.settled.startsWith('sent') || r.settled === 'unknown-outcome') &&
      r.category &&
      r.runKey
        ? [{ category: r.category, runKey: r.runKey, at: new Date(r.reservedAt).toISOString() }]
        : [],
    );
    const charged = attributableSend(sends, at);
    if (!charged) return null;
    const field = kind === 'unfollow' ? 'unfollows' : 'blocks';
    await this.doc.send(
      new UpdateCommand({
        TableName: this.operations,
        Key: this.key(charged.category, isoWeek(civilDate(new Date(charged.at)))),
        UpdateExpression: 'ADD #f :one',
        ExpressionAttributeNames: { '#f': field },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.operations,
          Key: keys.run(charged.runKey),
          UpdateExpression: 'ADD counts.#f :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#f': `attributed-${field}` },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      )
      .catch(() => {}); // a run that has expired from the table is still counted in the weekly stats
    return charged;
  }

  /** Pushes and unfollows per 1,000 pushes, by category and ISO week, for the last `weeks` weeks. */
  async report(categories: readonly string[], now: Date, weeks: number) {
    const weekKeys = Array.from({ length: weeks }, (_, i) => isoWeek(addDays(civilDate(now), -7 * i)));
    const wanted = categories.flatMap((c) => weekKeys.map((w) => this.key(c, w)));
    const found = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < wanted.length; i += 100) {
      const res = await this.doc.send(
        new BatchGetCommand({ RequestItems: { [this.operations]: { Keys: wanted.slice(i, i + 100) } } }),
      );
      for (const item of res.Responses?.[this.operations] ?? []) found.set(String(item.pk), item);
    }
    return categories.flatMap((category) =>
      weekKeys.map((week) => {
        const item = found.get(keys.pushStats(category, week).pk);
        const sent = Number(item?.sent ?? 0);
        const unfollows = Number(item?.unfollows ?? 0);
        const blocks = Number(item?.blocks ?? 0);
        return {
          category,
          week,
          pushes: sent,
          unfollows,
          blocks,
          unfollowsPer1000: sent ? Math.round(((unfollows + blocks) / sent) * 1000 * 100) / 100 : null,
        };
      }),
    );
  }
}
