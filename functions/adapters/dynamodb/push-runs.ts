/**
 * Push runs: one item per run under its idempotent key (a schedule that fires twice, or an operator
 * who triggers again, gets the existing run back), counts by outcome added as they happen, and one
 * item per segment whose cursor makes expansion resumable page by page.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { OUTCOMES } from '../../../schemas/pushes.ts';
import type { RunCounts, RunLog } from '../../core/delivery/ports.ts';
import type { SegmentCursors } from '../../core/pushes/expansion.ts';
import { conditionally } from './conditional.ts';
import { keys } from './keys.ts';

export const PushRunSchema = z.object({
  key: z.string(),
  kind: z.enum(['restriction', 'notice']),
  category: z.string(),
  city: z.string(),
  date: z.string(),
  slot: z.string().nullable(),
  status: z.enum(['running', 'skipped', 'aborted']),
  reason: z.string().nullable(),
  segmentsTotal: z.number(),
  segmentsDone: z.number().default(0),
  counts: z.record(z.string(), z.number()).default({}),
  consumed: z
    .object({ read: z.number().default(0), write: z.number().default(0) })
    .default({ read: 0, write: 0 }),
  invocations: z.number().default(0),
  durationMs: z.number().default(0),
  /** Channels stopped by a configuration error (channel → reason); the run goes on for the others. */
  halts: z.record(z.string(), z.string()).default({}),
  startedAt: z.string(),
  lastActivityAt: z.string(),
});
/** `unsent`: planned recipients a run stopped before (aborted runs), so outcomes + unsent = planned. */
export type PushRun = z.infer<typeof PushRunSchema> & { done: boolean; settled: number; unsent: number };

function withProgress(raw: z.infer<typeof PushRunSchema>): PushRun {
  // A duplicate is an extra delivery, and a deferred push is settled later by its real outcome.
  const settled = OUTCOMES.filter((o) => o !== 'duplicate' && o !== 'deferred-quiet').reduce(
    (n, o) => n + (raw.counts[o] ?? 0),
    0,
  );
  const planned = raw.counts.planned ?? 0;
  const done = raw.status !== 'running' || (raw.segmentsDone >= raw.segmentsTotal && settled >= planned);
  return { ...raw, settled, done, unsent: raw.status === 'aborted' ? Math.max(0, planned - settled) : 0 };
}

export class DynamoPushRuns implements RunLog, SegmentCursors {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }
  private key = keys.run;

  /** Creates the run, or returns the one that already has this key. */
  async createOrGet(
    run: Omit<
      z.infer<typeof PushRunSchema>,
      'segmentsDone' | 'counts' | 'consumed' | 'invocations' | 'durationMs' | 'halts'
    >,
  ) {
    const created = await conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...this.key(run.key),
            ...keys.runListing(run.date.slice(0, 7), run.startedAt, run.key),
            ...run,
            segmentsDone: 0,
            counts: {},
            consumed: { read: 0, write: 0 },
            invocations: 0,
            durationMs: 0,
            halts: {},
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return { created, run: (await this.get(run.key))! };
  }

  async get(runKey: string): Promise<PushRun | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: this.key(runKey), ConsistentRead: true }),
    );
    return res.Item ? withProgress(PushRunSchema.parse(res.Item)) : undefined;
  }

  async list(month: string, limit = 50): Promise<PushRun[]> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': keys.runsOfMonth(month) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (res.Items ?? []).map((i) => withProgress(PushRunSchema.parse(i)));
  }

  /** Adds a batch's outcomes (one write per batch, not per recipient: the run item is shared). */
  async add(
    runKey: string,
    counts: RunCounts,
    usage: { read?: number; write?: number; invocations?: number; durationMs?: number },
    at: string,
  ) {
    const entries = Object.entries(counts).filter(([, n]) => n);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':at': at };
    const adds = entries.map(([k, n], i) => {
      names[`#o${i}`] = k;
      values[`:o${i}`] = n;
      return `counts.#o${i} :o${i}`;
    });
    for (const [field, n] of Object.entries({ read: usage.read, write: usage.write })) {
      if (n) {
        adds.push(`#consumed.#c_${field} :${field}`);
        names['#consumed'] = 'consumed';
        names[`#c_${field}`] = field; // read and write are DynamoDB reserved words
        values[`:${field}`] = n;
      }
    }
    if (usage.invocations) {
      adds.push('invocations :inv');
      values[':inv'] = usage.invocations;
    }
    if (usage.durationMs) {
      adds.push('durationMs :dur');
      values[':dur'] = Math.round(usage.durationMs);
    }
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key(runKey),
        UpdateExpression: `SET lastActivityAt = :at${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
      }),
    );
  }

  async abort(runKey: string, reason: string, at: string) {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(runKey),
          UpdateExpression: 'SET #s = :aborted, reason = :r, lastActivityAt = :at',
          ConditionExpression: '#s = :running',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':aborted': 'aborted',
            ':running': 'running',
            ':r': reason,
            ':at': at,
          },
        }),
      )
      .catch(() => {});
  }

  /**
   * Stops one channel of a running run (e.g. SMS credentials or template refused): its remaining
   * recipients are settled as failed without a send; the first reason recorded stays.
   */
  async haltChannel(runKey: string, channel: string, reason: string, at: string): Promise<void> {
    const update = (expression: string, condition: string, values: Record<string, unknown>) =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(runKey),
          UpdateExpression: `${expression}, lastActivityAt = :at`,
          ConditionExpression: condition,
          ...(expression.includes('#c') ? { ExpressionAttributeNames: { '#c': channel } } : {}),
          ExpressionAttributeValues: { ...values, ':at': at },
        }),
      );
    const halted = await conditionally(() =>
      update('SET halts.#c = if_not_exists(halts.#c, :r)', 'attribute_exists(halts)', { ':r': reason }),
    );
    // A run stored before runs carried `halts`: the map is created with this channel in it.
    if (!halted)
      await conditionally(() =>
        update('SET halts = :m', 'attribute_exists(pk) AND attribute_not_exists(halts)', {
          ':m': { [channel]: reason },
        }),
      );
  }

  async segmentCursor(
    runKey: string,
    segment: string,
  ): Promise<{ page: number; cursor: Record<string, unknown> | null; done: boolean }> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.runSegment(runKey, segment),
        ConsistentRead: true,
      }),
    );
    return { page: res.Item?.page ?? 0, cursor: res.Item?.cursor ?? null, done: res.Item?.done ?? false };
  }

  /**
   * Advances a segment from page `page` to the next (with the page's recipients counted as planned),
   * in one transaction guarded by the page number: a segment delivered twice counts each page once.
   */
  async advanceSegment(
    runKey: string,
    segment: string,
    page: number,
    next: Record<string, unknown> | null,
    planned: number,
    at: string,
  ): Promise<boolean> {
    const done = next === null;
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...keys.runSegment(runKey, segment), page: page + 1, cursor: next, done },
                ConditionExpression: page === 0 ? 'attribute_not_exists(pk) OR page = :p' : 'page = :p',
                ExpressionAttributeValues: { ':p': page },
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: this.key(runKey),
                UpdateExpression: `SET lastActivityAt = :at ADD counts.planned :n${done ? ', segmentsDone :one' : ''}`,
                ExpressionAttributeValues: { ':at': at, ':n': planned, ...(done ? { ':one': 1 } : {}) },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  }
}
