/**
 * Push runs: one item per run under its idempotent key (a schedule that fires twice, or an operator
 * who triggers again, gets the existing run back), counts by outcome added as they happen, and one
 * item per segment whose cursor makes expansion resumable page by page. The write that settles a
 * run's last recipient (or expands its last segment) also ends it: `completed` or
 * `completed-with-failures` with `finishedAt` (functions/core/pushes/runs.ts `runProgress`).
 * Runs are listed newest first across months through gsi1 (one partition: a few runs a day).
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
import * as z from 'zod';
import { type PacePlan, PacePlanSchema, RunStatusSchema } from '../../../schemas/pushes.ts';
import type { RunCounts, RunLog } from '../../core/delivery/ports.ts';
import { ValidationError } from '../../core/errors.ts';
import { metDeadline } from '../../core/pushes/deadline.ts';
import type { SegmentCursors } from '../../core/pushes/expansion.ts';
import { runProgress } from '../../core/pushes/runs.ts';
import { conditionally } from './conditional.ts';
import { keys } from './keys.ts';

export const PushRunSchema = z.object({
  key: z.string(),
  kind: z.enum(['restriction', 'notice']),
  category: z.string(),
  city: z.string(),
  date: z.string(),
  slot: z.string().nullable(),
  status: RunStatusSchema,
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
  finishedAt: z.string().nullable().default(null),
  /** Restriction runs: the pace planned for the deadline (runs recorded before it have none). */
  pace: PacePlanSchema.nullable().default(null),
});
/** `unsent`: planned recipients a run stopped before (aborted runs), so outcomes + unsent = planned. */
export type PushRun = z.infer<typeof PushRunSchema> & {
  done: boolean;
  settled: number;
  unsent: number;
  metDeadline: boolean | null;
};

function withProgress(raw: z.infer<typeof PushRunSchema>): PushRun {
  const { settled, planned, finished } = runProgress(raw);
  const done = raw.status !== 'running' || finished;
  return {
    ...raw,
    settled,
    done,
    unsent: raw.status === 'aborted' ? Math.max(0, planned - settled) : 0,
    metDeadline: metDeadline(raw.pace, raw.finishedAt),
  };
}

/** The page cursor of the runs listing: the index key DynamoDB gave, opaque to callers. */
const ListingCursor = z.strictObject({
  pk: z.string().startsWith('RUN#').max(400),
  sk: z.literal('RUN'),
  gsi1pk: z.literal(keys.runsListed),
  gsi1sk: z.string().max(600),
});
const encodeCursor = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');
function decodeCursor(cursor: string) {
  try {
    return ListingCursor.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new ValidationError('The cursor is not one this API gave; start again without it.', [
      { path: 'query.cursor', message: 'not a cursor of this listing' },
    ]);
  }
}

/** The instants a month of Asia/Shanghai starts and the next one starts, as ISO strings in UTC. */
function monthBounds(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  const start = (ym: string) => new Date(`${ym}-01T00:00:00+08:00`).toISOString();
  return { from: start(month), to: start(next) };
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
      'segmentsDone' | 'counts' | 'consumed' | 'invocations' | 'durationMs' | 'halts' | 'finishedAt' | 'pace'
    > & { pace?: PacePlan | null | undefined },
  ) {
    const created = await conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...this.key(run.key),
            ...keys.runListing(run.startedAt, run.key),
            ...run,
            pace: run.pace ?? null,
            // A run with nothing to send ends as it is recorded.
            finishedAt: run.status === 'skipped' ? run.startedAt : null,
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

  /** Runs newest first, `limit` a page; `month` (YYYY-MM, Asia/Shanghai) keeps the runs it started. */
  async list(query: { limit: number; cursor?: string | undefined; month?: string | undefined }) {
    const bounds = query.month ? monthBounds(query.month) : null;
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: `gsi1pk = :p${bounds ? ' AND gsi1sk BETWEEN :from AND :to' : ''}`,
        ExpressionAttributeValues: {
          ':p': keys.runsListed,
          ...(bounds ? { ':from': bounds.from, ':to': bounds.to } : {}),
        },
        ScanIndexForward: false,
        Limit: query.limit,
        ...(query.cursor ? { ExclusiveStartKey: decodeCursor(query.cursor) } : {}),
      }),
    );
    return {
      runs: (res.Items ?? []).map((i) => withProgress(PushRunSchema.parse(i))),
      cursor: res.LastEvaluatedKey ? encodeCursor(res.LastEvaluatedKey) : null,
    };
  }

  /** Ends a running run whose every segment is expanded and every recipient settled. */
  private async finishIfDone(item: Record<string, unknown> | undefined, at: string): Promise<void> {
    const parsed = PushRunSchema.safeParse(item);
    if (!parsed.success) return;
    const { finished, ending } = runProgress(parsed.data);
    if (!finished) return;
    await conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(parsed.data.key),
          UpdateExpression: 'SET #s = :ending, finishedAt = :at',
          ConditionExpression: '#s = :running',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':ending': ending, ':running': 'running', ':at': at },
        }),
      ),
    );
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
    const res = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key(runKey),
        UpdateExpression: `SET lastActivityAt = :at${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (entries.length) await this.finishIfDone(res.Attributes, at);
  }

  async abort(runKey: string, reason: string, at: string) {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(runKey),
          UpdateExpression: 'SET #s = :aborted, reason = :r, lastActivityAt = :at, finishedAt = :at',
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
    settled: RunCounts = {},
  ): Promise<boolean> {
    const done = next === null;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const adds = Object.entries(settled)
      .filter(([, n]) => n)
      .map(([outcome, n], i) => {
        names[`#o${i}`] = outcome;
        values[`:o${i}`] = n;
        return `, counts.#o${i} :o${i}`;
      });
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
                UpdateExpression: `SET lastActivityAt = :at ADD counts.planned :n${done ? ', segmentsDone :one' : ''}${adds.join('')}`,
                ...(adds.length ? { ExpressionAttributeNames: names } : {}),
                ExpressionAttributeValues: {
                  ':at': at,
                  ':n': planned,
                  ...(done ? { ':one': 1 } : {}),
                  ...values,
                },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
    // The last segment's last page, or a page of only exempt recipients, may be what ends the run.
    if (done || adds.length) {
      const res = await this.doc.send(
        new GetCommand({ TableName: this.table, Key: this.key(runKey), ConsistentRead: true }),
      );
      await this.finishIfDone(res.Item, at);
    }
    return true;
  }
}
