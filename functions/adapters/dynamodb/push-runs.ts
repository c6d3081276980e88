/**
 * Push runs: one item per run under its idempotent key (a schedule that fires twice, or an operator
 * who triggers again, gets the existing run back), counts by outcome added as they happen, one item
 * per segment (its message, written when the run is planned, and the cursor that makes expansion
 * resumable page by page) and one item per expanded page (the bundles it became and the recipients
 * settled at expansion), written in the same transaction that advances the cursor and counts the
 * page as planned. A bundle attempt's outcomes go into its receipt (ledger table) and onto the run in
 * one transaction, once per recipient. So what a run has not finished is always known — segments not
 * expanded, recipients of its pages missing from their bundle's receipt — and `unfinished` lists it
 * for a resume. The write that settles a run's last recipient (or expands its last segment) also
 * ends it: `completed` or `completed-with-failures` with `finishedAt` (functions/core/pushes/runs.ts
 * `runProgress`). Runs are listed newest first across months through gsi1 (one partition: a few
 * runs a day).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  type DeliveryMessage,
  DeliveryMessageSchema,
  OutcomeSchema,
  type PacePlan,
  PacePlanSchema,
  type Recipient,
  RunStatusSchema,
  type SegmentMessage,
  SegmentMessageSchema,
} from '../../../schemas/pushes.ts';
import { type MassSendJob, MassSendJobSchema } from '../../../schemas/wechat.ts';
import { frequencyBundle, frequencyDeferral } from '../../core/delivery/frequency.ts';
import type { ReceiptEntry, RunCounts, RunLog } from '../../core/delivery/ports.ts';
import { ValidationError } from '../../core/errors.ts';
import { metDeadline } from '../../core/pushes/deadline.ts';
import { type PageManifest, type SegmentCursors, segmentName } from '../../core/pushes/expansion.ts';
import type { RunRecovery } from '../../core/pushes/resume.ts';
import { pendingMassSends, runProgress } from '../../core/pushes/runs.ts';
import { conditionally, retryOnConflict } from './conditional.ts';
import { keys } from './keys.ts';
import { batchGetAll, queryAll } from './paging.ts';
import { receiptUpdate } from './push-ledger.ts';
import { ttlFloor } from './ttl.ts';

/** A follower of a page's bundle deferred alone after 43117, to this attempt. */
interface Deferral {
  origin: DeliveryMessage;
  recipient: Recipient;
  attempt: number;
}

/** Pages are what a resume reads; a run is resumable for a few days (its receipts live 3). */
const PAGE_DAYS = 7;

export const PushRunSchema = z.object({
  key: z.string(),
  kind: z.enum(['restriction', 'notice', 'driver']),
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
  /** Until when its routine bundles wait out quiet hours: not stalled before. */
  waitingUntil: z.string().nullable().default(null),
  /** How often what it had not finished was emitted again (an operator, the sweep), and when last. */
  resumes: z.number().default(0),
  lastResumedAt: z.string().nullable().default(null),
  /** The article mass sends planned with it (a notice for subscription accounts)… */
  massSendJobs: z.array(MassSendJobSchema).default([]),
  /** …and each one's result by account, recorded once (`recordMassSend`). */
  massSends: z.record(z.string(), z.string()).default({}),
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

/**
 * `done` once the run has ended (the write that settles its last recipient ends it right after; a
 * run whose last recipients are settled but that did not end — its writer died in between — is
 * ended by its resume).
 */
function withProgress(raw: z.infer<typeof PushRunSchema>): PushRun {
  const { settled, planned } = runProgress(raw);
  const done = raw.status !== 'running';
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

/** `ADD counts.<k> :n` for each count. */
function countUpdate(entries: ReadonlyArray<[string, number | undefined]>) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds = entries
    .filter(([, n]) => n)
    .map(([k, n], i) => {
      names[`#o${i}`] = k;
      values[`:o${i}`] = n;
      return `counts.#o${i} :o${i}`;
    });
  return { names, values, adds };
}

const SegmentItem = z.object({ message: SegmentMessageSchema.optional(), done: z.boolean().default(false) });
const PageItem = z.object({
  bundles: z.array(DeliveryMessageSchema),
  settled: z.array(z.object({ id: z.string(), outcome: OutcomeSchema })).default([]),
});

/**
 * A page's manifest is stored gzipped (`z`, binary): its 500 recipients' ids and plates are ~33 KB
 * of JSON, written in the page's transaction at 2 WRU per KB (~0.13 WRU a push); gzipped ~14 KB.
 * Pages written before hold `bundles` and `settled` as is.
 */
export function pageManifestItem(manifest: PageManifest): { z: Uint8Array } {
  return { z: gzipSync(JSON.stringify(manifest)) };
}

/** A stored page's manifest (either form); null when it cannot be read. */
export function pageManifestOf(item: Record<string, unknown>): PageManifest | null {
  let raw: unknown = item;
  if (item.z instanceof Uint8Array) {
    try {
      raw = JSON.parse(gunzipSync(item.z).toString('utf8'));
    } catch {
      return null;
    }
  }
  const parsed = PageItem.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export class DynamoPushRuns implements RunLog, SegmentCursors, RunRecovery {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  /** The ledger table, where bundles' receipts are (functions that record or read outcomes). */
  private readonly receipts: string | undefined;
  constructor(doc: DynamoDBDocumentClient, table: string, options: { receipts?: string } = {}) {
    this.doc = doc;
    this.table = table;
    this.receipts = options.receipts;
  }
  private key = keys.run;

  private receiptsTable(): string {
    if (!this.receipts) throw new Error('this function was not given the ledger table (bundle receipts)');
    return this.receipts;
  }

  /**
   * Creates the run with its segments (each with its message, so a resume can emit it again), or
   * returns the one that already has this key. Segments go first: a run is never without them.
   */
  async createOrGet(
    run: Omit<
      z.infer<typeof PushRunSchema>,
      | 'segmentsDone'
      | 'counts'
      | 'consumed'
      | 'invocations'
      | 'durationMs'
      | 'halts'
      | 'finishedAt'
      | 'waitingUntil'
      | 'resumes'
      | 'lastResumedAt'
      | 'massSendJobs'
      | 'massSends'
      | 'pace'
    > & { massSendJobs?: readonly MassSendJob[]; pace?: PacePlan | null | undefined },
    segments: readonly SegmentMessage[] = [],
  ) {
    for (let i = 0; i < segments.length; i += 25)
      await Promise.all(
        segments.slice(i, i + 25).map((message) =>
          conditionally(() =>
            this.doc.send(
              new PutCommand({
                TableName: this.table,
                Item: {
                  ...keys.runSegment(run.key, segmentName(message)),
                  message,
                  page: 0,
                  cursor: null,
                  done: false,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              }),
            ),
          ),
        ),
      );
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
            waitingUntil: null,
            resumes: 0,
            lastResumedAt: null,
            massSendJobs: run.massSendJobs ?? [],
            massSends: {},
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

  /** The outcome counts of many runs by key, 100 a BatchGetItem (absent: no such run). */
  async countsOf(runKeys: readonly string[]): Promise<Map<string, Record<string, number>>> {
    const out = new Map<string, Record<string, number>>();
    for (let i = 0; i < runKeys.length; i += 100) {
      let pending: Record<string, unknown>[] | undefined = runKeys.slice(i, i + 100).map((k) => this.key(k));
      for (let attempt = 0; pending?.length; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        const res: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({
            RequestItems: {
              [this.table]: {
                Keys: pending,
                ProjectionExpression: '#k, #c',
                ExpressionAttributeNames: { '#k': 'key', '#c': 'counts' },
              },
            },
          }),
        );
        for (const item of res.Responses?.[this.table] ?? [])
          out.set(String(item.key), PushRunSchema.shape.counts.parse(item.counts));
        pending = res.UnprocessedKeys?.[this.table]?.Keys;
        if (attempt > 8 && pending?.length) throw new Error('BatchGetItem left keys unprocessed');
      }
    }
    return out;
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
    const { names, values, adds } = countUpdate(Object.entries(counts));
    values[':at'] = at;
    const counted = adds.length > 0;
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
    if (counted) await this.finishIfDone(res.Attributes, at);
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
   * Advances a segment from page `page` to the next (with the page's recipients counted as planned,
   * and the page's bundles kept), in one transaction guarded by the page number: a segment delivered
   * twice counts each page once, and the page's bundles are exactly the ones recorded.
   */
  async advanceSegment(
    runKey: string,
    segment: string,
    page: number,
    next: Record<string, unknown> | null,
    planned: number,
    at: string,
    settled: RunCounts = {},
    manifest: PageManifest = { bundles: [], settled: [] },
  ): Promise<boolean> {
    const done = next === null;
    const { names, values, adds } = countUpdate(Object.entries(settled));
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: keys.runSegment(runKey, segment),
                UpdateExpression: 'SET page = :next, #cursor = :cursor, done = :done',
                ConditionExpression: page === 0 ? 'attribute_not_exists(page) OR page = :p' : 'page = :p',
                ExpressionAttributeNames: { '#cursor': 'cursor' },
                ExpressionAttributeValues: { ':p': page, ':next': page + 1, ':cursor': next, ':done': done },
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: {
                  ...keys.runPage(runKey, segment, page),
                  ...pageManifestItem(manifest),
                  expiresAt: ttlFloor(Math.floor(Date.parse(at) / 1000) + PAGE_DAYS * 86_400),
                },
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: this.key(runKey),
                UpdateExpression: `SET lastActivityAt = :at ADD counts.planned :n${done ? ', segmentsDone :one' : ''}${adds.map((a) => `, ${a}`).join('')}`,
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

  /** The receipt and the counts of a bundle attempt in one transaction, once per recipient. */
  async record(
    runKey: string,
    bundle: string,
    entries: readonly ReceiptEntry[],
    at: string,
  ): Promise<RunCounts> {
    const receipts = this.receiptsTable();
    let pending = [...entries];
    let attempt = 0;
    const counted = await retryOnConflict(async () => {
      if (attempt++ > 0) {
        // Cancelled: a concurrent copy of the bundle recorded some of these first (or only a
        // conflict): those are its to count.
        const res = await this.doc.send(
          new GetCommand({ TableName: receipts, Key: keys.receipt(bundle), ConsistentRead: true }),
        );
        pending = pending.filter((e) => res.Item?.[`o:${e.id}`] === undefined);
      }
      if (pending.length === 0) return {};
      const counts: RunCounts = {};
      for (const e of pending) if (e.count) counts[e.count] = (counts[e.count] ?? 0) + 1;
      const receipt = receiptUpdate(
        receipts,
        bundle,
        new Map(pending.map((e) => [e.id, e.receipt])),
        Date.parse(at),
        { unrecorded: true },
      );
      const run = countUpdate(Object.entries(counts));
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: receipt },
            {
              Update: {
                TableName: this.table,
                Key: this.key(runKey),
                UpdateExpression: `SET lastActivityAt = :at${run.adds.length ? ` ADD ${run.adds.join(', ')}` : ''}`,
                ...(run.adds.length ? { ExpressionAttributeNames: run.names } : {}),
                ExpressionAttributeValues: { ':at': at, ...run.values },
              },
            },
          ],
        }),
      );
      return counts;
    });
    if (Object.keys(counted).length) {
      const res = await this.doc.send(
        new GetCommand({ TableName: this.table, Key: this.key(runKey), ConsistentRead: true }),
      );
      await this.finishIfDone(res.Item, at);
    }
    return counted;
  }

  /** Its routine bundles wait until `until` (quiet hours): the latest such instant is kept. */
  async waitUntil(runKey: string, until: string): Promise<void> {
    await conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(runKey),
          UpdateExpression: 'SET waitingUntil = :u',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(waitingUntil) OR waitingUntil = :null OR waitingUntil < :u)',
          ExpressionAttributeValues: { ':u': until, ':null': null },
        }),
      ),
    );
  }

  /** Every item of a run's partition under a sort-key prefix. */
  private partition(runKey: string, prefix: string): Promise<Record<string, unknown>[]> {
    return queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': this.key(runKey).pk, ':prefix': prefix },
      ConsistentRead: true,
    });
  }

  /**
   * What a run has not finished: the segments not expanded to their end (with their messages) and,
   * of the bundles its pages became, the recipients their receipt does not record.
   */
  async unfinished(
    runKey: string,
  ): Promise<{ segments: SegmentMessage[]; bundles: DeliveryMessage[]; massSends: MassSendJob[] }> {
    const segments = (await this.partition(runKey, keys.runSegmentPrefix)).flatMap((item) => {
      const s = SegmentItem.safeParse(item);
      return s.success && !s.data.done && s.data.message ? [s.data.message] : [];
    });
    const bundles = (await this.partition(runKey, keys.runPagePrefix)).flatMap(
      (item) => pageManifestOf(item)?.bundles ?? [],
    );
    const recorded = await this.receiptsOf(bundles.map((b) => b.bundle));
    const open: DeliveryMessage[] = [];
    let deferred: Deferral[] = [];
    for (const b of bundles) {
      const done = recorded.get(b.bundle);
      const recipients = b.recipients.filter((r) => done?.[`o:${r.id}`] === undefined);
      if (recipients.length) open.push({ ...b, recipients });
      for (const r of b.recipients) {
        const attempt = frequencyDeferral(done?.[`o:${r.id}`]);
        if (attempt) deferred.push({ origin: b, recipient: r, attempt });
      }
    }
    // A follower deferred alone after WeChat's 43117 is unfinished until the receipt of the bundle
    // it was deferred in holds them (which may defer them again).
    while (deferred.length) {
      const alone = deferred.map((w) => ({
        ...w,
        bundle: frequencyBundle(w.origin.bundle, w.recipient.id, w.attempt),
      }));
      const got = await this.receiptsOf(alone.map((a) => a.bundle));
      deferred = [];
      for (const a of alone) {
        const value = got.get(a.bundle)?.[`o:${a.recipient.id}`];
        const again = frequencyDeferral(value);
        if (again) deferred.push({ origin: a.origin, recipient: a.recipient, attempt: again });
        else if (value === undefined) {
          // Emitted as its deferral would have been, through quiet hours like any routine bundle.
          const { deferred: _released, ...origin } = a.origin;
          open.push({ ...origin, bundle: a.bundle, recipients: [a.recipient], frequencyAttempt: a.attempt });
        }
      }
    }
    const run = await this.get(runKey);
    return { segments, bundles: open, massSends: run ? pendingMassSends(run) : [] };
  }

  /**
   * Records a planned mass send's result once (a second copy of the job, or a retry after a crash
   * between the send and this write, records nothing and counts nothing): `mass-send:<result>` is
   * counted on the run, and the run ends if that was all it waited for. Returns whether it recorded.
   */
  async recordMassSend(runKey: string, accountId: string, result: string, at: string): Promise<boolean> {
    let after: Record<string, unknown> | undefined;
    const recorded = await conditionally(async () => {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(runKey),
          UpdateExpression: 'SET massSends.#a = :r, lastActivityAt = :at ADD counts.#k :one',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(massSends.#a)',
          ExpressionAttributeNames: { '#a': accountId, '#k': `mass-send:${result}` },
          ExpressionAttributeValues: { ':r': result, ':at': at, ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      after = res.Attributes;
    });
    if (recorded) await this.finishIfDone(after, at);
    return recorded;
  }

  /** Receipts by bundle. */
  private async receiptsOf(bundles: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    const items = await batchGetAll(this.doc, this.receiptsTable(), bundles.map(keys.receipt), {
      ConsistentRead: true,
    });
    return new Map(items.map((item) => [String(item.pk).slice('RECEIPT#'.length), item]));
  }

  /** Ends the run if all it planned is settled (what the last settling write does, done again). */
  async finish(runKey: string, at: string): Promise<void> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: this.key(runKey), ConsistentRead: true }),
    );
    await this.finishIfDone(res.Item, at);
  }

  /** A resume was made: counted, and it is the run's latest activity. */
  async markResumed(runKey: string, at: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key(runKey),
        UpdateExpression: 'SET lastActivityAt = :at, lastResumedAt = :at ADD resumes :one',
        ExpressionAttributeValues: { ':at': at, ':one': 1 },
      }),
    );
  }

  /** Runs still running that started at or after `since` (the sweep looks at the last days). */
  async running(since: string): Promise<PushRun[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p AND gsi1sk >= :since',
      FilterExpression: '#s = :running',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':p': keys.runsListed, ':since': since, ':running': 'running' },
    });
    return items.map((i) => withProgress(PushRunSchema.parse(i)));
  }
}
