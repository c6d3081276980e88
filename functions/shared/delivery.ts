/**
 * What every deliver-* queue consumer does around its provider calls, once: the run's status per
 * invocation (an aborted run sends nothing more; a channel halted by a configuration error settles
 * its remaining recipients as failed without a send, while the run goes on for the other channels), quiet hours (a routine bundle waits for the
 * window's end, whole), the bundle's receipt (recipients an earlier attempt finished are duplicates,
 * not touched again; what this attempt finishes is recorded in one write), and the run's counts,
 * consumed capacity and the weekly sent stats, written once per invocation.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  type DeliveryMessage,
  DeliveryMessageSchema,
  type Outcome,
  type Recipient,
} from '../../schemas/pushes.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoDeferredPushes } from '../adapters/dynamodb/deferred-pushes.ts';
import { DynamoPushLedger } from '../adapters/dynamodb/push-ledger.ts';
import type { RunCounts } from '../adapters/dynamodb/push-runs.ts';
import { quietUntil } from '../core/pushes/quiet-hours.ts';
import { shardOf } from '../core/subscribers/fanout.ts';
import { civilDate } from '../core/time.ts';
import type { Channel } from '../core/vocabulary.ts';
import { clock } from './clock.ts';
import { tableName } from './config.ts';
import { logger, metrics } from './powertools.ts';
import { policyStore, pushRuns, pushStats } from './pushes.ts';

/** What one recipient came to, and what the bundle's receipt records for it (null: nothing). */
export interface RecipientResult {
  outcome: Outcome;
  receipt: string | null;
}

export interface BundleContext {
  ledger: DynamoPushLedger;
  /** True once the run was aborted (here or, as of this invocation's start, elsewhere). */
  aborted(runKey: string): boolean;
  abortRun(runKey: string, reason: string): Promise<void>;
  /** True once this channel of the run was halted (a configuration error; other channels go on). */
  halted(runKey: string): boolean;
  /** Halts this channel of the run: its remaining recipients are settled as failed, not sent. */
  haltChannel(runKey: string, reason: string): Promise<void>;
}

/** What a recipient of a halted channel comes to: failed, without a send. */
export const HALTED: RecipientResult = { outcome: 'failed', receipt: 'failed:halted' };

/**
 * Delivers a bundle's recipients that are still to do; returns each finished recipient's result
 * (null: not attempted, e.g. the run stopped). Throwing before a recipient's reservation retries the
 * bundle; `deliverRecipients` must record what it finished through `finish` first.
 */
export type DeliverRecipients = (
  d: DeliveryMessage,
  todo: Recipient[],
  ctx: BundleContext,
  finish: (r: Recipient, result: RecipientResult) => void,
) => Promise<void>;

const ledgerTable = tableName('ledger');
const deferred = new DynamoDeferredPushes(documentClient, ledgerTable);
const stats = pushStats();

export async function consumeBundles(
  event: SQSEvent,
  channel: Channel,
  deliverRecipients: DeliverRecipients,
): Promise<SQSBatchResponse> {
  const started = performance.now();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  const runKeys = new Set<string>();
  const aborted = new Set<string>();
  const halted = new Set<string>();
  const runs = new Map<string, Awaited<ReturnType<typeof pushRuns.get>>>();
  const sentByCategory = new Map<string, number>();
  // Per invocation, so the capacity it counts is this invocation's own (containers run one batch at a
  // time on AWS; the local stack runs several in one process).
  const ledger = new DynamoPushLedger(documentClient, ledgerTable);
  const count = async (d: DeliveryMessage, outcomes: readonly Outcome[]) => {
    if (outcomes.length === 0) return;
    const c: RunCounts = {};
    // SMS fallbacks are extra deliveries of people already counted on WeChat: counted apart.
    for (const o of outcomes) {
      const k = (d.fallback ? `sms-fallback:${o}` : o) as Outcome;
      c[k] = (c[k] ?? 0) + 1;
    }
    // Right after the bundle's receipt, so a timeout later in the invocation loses no counts.
    await pushRuns.add(d.runKey, c, {}, clock.now().toISOString());
    runKeys.add(d.runKey);
    const sent = d.fallback ? 0 : outcomes.filter((o) => o === 'sent').length;
    if (sent) sentByCategory.set(d.category, (sentByCategory.get(d.category) ?? 0) + sent);
  };
  const ctx: BundleContext = {
    ledger,
    aborted: (runKey) => aborted.has(runKey),
    abortRun: async (runKey, reason) => {
      if (aborted.has(runKey)) return;
      aborted.add(runKey);
      await pushRuns.abort(runKey, reason, clock.now().toISOString());
    },
    halted: (runKey) => halted.has(runKey),
    haltChannel: async (runKey, reason) => {
      if (halted.has(runKey)) return;
      halted.add(runKey);
      logger.error('channel halted for this run', { runKey, channel, reason });
      metrics.addMetric('ChannelHalts', MetricUnit.Count, 1);
      // Never throws: it runs right after a provider answered, and that answer must stand.
      await pushRuns.haltChannel(runKey, channel, reason, clock.now().toISOString()).catch((error) => {
        logger.warn('channel halt not recorded on the run; this invocation still sends no more', {
          runKey,
          error: error as Error,
        });
      });
    },
  };
  try {
    for (const record of event.Records) {
      const outcomes: Outcome[] = [];
      let d: DeliveryMessage | undefined;
      try {
        d = DeliveryMessageSchema.parse(JSON.parse(record.body));
        const msg = d;
        if (msg.channel !== channel) throw new Error(`a ${msg.channel} bundle on the ${channel} queue`);
        // The run's status once per invocation (an abort elsewhere is seen by the next one).
        if (!runs.has(msg.runKey)) runs.set(msg.runKey, await pushRuns.get(msg.runKey));
        const run = runs.get(msg.runKey);
        if (!run || run.status === 'aborted') aborted.add(msg.runKey);
        if (run?.halts[channel]) halted.add(msg.runKey);
        // The run stopped: nothing more is sent; its report counts these as unsent.
        if (aborted.has(msg.runKey)) continue;
        // Quiet hours: a routine push waits for the window's end (not dropped); emergencies go now.
        const { policy } = await policyStore.get();
        const until = msg.deferred ? null : quietUntil(policy, channel, msg.category, clock.now());
        if (until) {
          const first = await deferred.defer(msg, until, shardOf({ channel, id: msg.bundle }));
          outcomes.push(...msg.recipients.map(() => (first ? 'deferred-quiet' : 'duplicate') as Outcome));
          continue;
        }
        const done = await ledger.receipt(msg.bundle);
        for (const r of msg.recipients) if (done.has(r.id)) outcomes.push('duplicate');
        const todo = msg.recipients.filter((r) => !done.has(r.id));
        if (todo.length === 0) continue;
        const receipt = new Map<string, string>();
        const finish = (r: Recipient, result: RecipientResult) => {
          outcomes.push(result.outcome);
          if (result.receipt) receipt.set(r.id, result.receipt);
        };
        try {
          // A halted channel sends nothing more in this run; every recipient still ends in one outcome.
          if (halted.has(msg.runKey)) for (const r of todo) finish(r, HALTED);
          else await deliverRecipients(msg, todo, ctx, finish);
        } finally {
          // Whatever happened, what finished is recorded, so a redelivery does not touch it again.
          await ledger.recordReceipt(msg.bundle, receipt, clock.now().getTime());
        }
      } catch (error) {
        logger.warn('delivery will be retried', {
          messageId: record.messageId,
          error: (error as Error).message,
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      } finally {
        if (d) await count(d, outcomes);
      }
    }
  } finally {
    // Capacity and duration are attributed to the first run of the batch (batches rarely mix runs).
    const [first] = runKeys;
    if (first)
      await pushRuns.add(
        first,
        {},
        {
          read: ledger.consumed.read,
          write: ledger.consumed.write,
          invocations: 1,
          durationMs: performance.now() - started,
        },
        clock.now().toISOString(),
      );
    const today = civilDate(clock.now());
    for (const [category, n] of sentByCategory) await stats.addSent(category, today, n);
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
  return { batchItemFailures };
}

/** Runs `work` over the items with at most `concurrency` in flight; stops taking new ones on `stop()`. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length && failure === null && !stop()) {
        const item = items[next++]!;
        try {
          await work(item);
        } catch (error) {
          failure ??= { error };
        }
      }
    }),
  );
  if (failure) throw (failure as { error: unknown }).error;
}

/** A per-invocation rate limit: each call waits for its own slot, `perSecond` slots a second. */
export function pacer(perSecond: number): () => Promise<void> {
  const interval = 1000 / perSecond;
  let nextSlot = 0;
  return async () => {
    const now = performance.now();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + interval;
    if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
  };
}
