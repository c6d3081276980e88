/**
 * The only way a push reaches a WeChat follower. A delivery message is a bundle of up to 50
 * recipients of one push; per bundle:
 *  0. its receipt is read: recipients an earlier attempt finished are duplicates, not touched again;
 *  1. quiet hours defer the whole bundle (routine pushes), the daily quota is taken for it at once,
 *     and the recipients' statuses come in one batch read (opted-out / unfollowed / blocked end here);
 *  2. per recipient, paced (a per-invocation rate limit, a few sends in flight): the cap and the dedupe
 *     in ONE conditional write on the follower's day ledger, immediately before the template send
 *     (values cut to 20 characters, deterministic client_msg_id);
 *  3. the receipt records every finished recipient in one write; the run's counts, once per invocation.
 * At-most-once: once reserved, a push is never sent again, whatever happens after. A success costs one
 * ledger write; only pushes that did not go out are settled on the ledger with their reason.
 */
import { createHash } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import {
  type DeliveryMessage,
  DeliveryMessageSchema,
  type Outcome,
  type Recipient,
} from '../../schemas/pushes.ts';
import type { WeChatAccount } from '../../schemas/wechat.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoDeferredPushes } from '../adapters/dynamodb/deferred-pushes.ts';
import { DynamoPushLedger } from '../adapters/dynamodb/push-ledger.ts';
import type { RunCounts } from '../adapters/dynamodb/push-runs.ts';
import { DynamoDailyQuota } from '../adapters/dynamodb/quota.ts';
import { WeChatApi, WeChatApiError } from '../adapters/wechat/api.ts';
import { DynamoTokenStore, StableTokenManager } from '../adapters/wechat/tokens.ts';
import { civilDate } from '../core/calendar.ts';
import {
  type CapRequest,
  capRequest,
  quietUntil,
  restrictionReminder,
  templateValue,
} from '../core/pushes.ts';
import { bookOf, restrictionOn } from '../core/restrictions.ts';
import { maskId, shardOf } from '../core/subscribers.ts';
import { clock } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { policyStore, pushRuns, pushStats } from '../shared/pushes.ts';
import { restrictionData } from '../shared/restriction-data.ts';
import { accounts, subscribers, wechatApiBase } from '../shared/wechat.ts';

const config = z
  .object({
    PUSH_RATE_PER_SECOND: z.coerce.number().positive().default(20),
    /** Template sends in flight at once per invocation (WeChat answers in ~100–300 ms). */
    PUSH_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(8),
    WECHAT_DAILY_TEMPLATE_QUOTA: z.coerce.number().int().positive().default(100_000),
  })
  .parse(process.env);

const ledgerTable = tableName('ledger');
const deferred = new DynamoDeferredPushes(documentClient, ledgerTable);
const quota = new DynamoDailyQuota(documentClient, tableName('operations'));
const tokens = new StableTokenManager({
  baseUrl: wechatApiBase,
  store: new DynamoTokenStore(documentClient, tableName('operations')),
});
const api = new WeChatApi({ baseUrl: wechatApiBase, tokens });
const stats = pushStats();

const clientMsgId = (d: DeliveryMessage, r: Recipient) =>
  createHash('sha256').update(`${d.pushKey}#${r.id}`).digest('hex').slice(0, 32);

async function templateData(d: DeliveryMessage, r: Recipient) {
  if (d.values)
    return Object.fromEntries(
      Object.entries(d.values).map(([k, value]) => [k, { value: templateValue(value) }]),
    );
  const book = bookOf(await restrictionData.load());
  const answer = restrictionOn(book, d.city, d.date);
  const values = restrictionReminder(answer, book.cities.get(d.city)?.name ?? d.city, r.plates);
  return Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value }]));
}

/** What one recipient came to, and what the bundle's receipt records for it (null: nothing). */
interface Result {
  outcome: Outcome;
  receipt: string | null;
}

interface Invocation {
  ledger: DynamoPushLedger;
  /** Waits for this invocation's next send slot (the per-invocation rate limit). */
  pace: () => Promise<void>;
  /** Takes the daily template quota for a bundle's sends at once, when that much is left. */
  holdQuota: (account: WeChatAccount, n: number) => Promise<void>;
  /** Takes one unit of the account's daily template quota (from what is held); false when it is spent. */
  takeQuota: (account: WeChatAccount) => Promise<boolean>;
  aborted: Set<string>;
  abortRun: (runKey: string, reason: string) => Promise<void>;
}

const RECIPIENT_OUTCOME = { unfollowed: 'unfollowed', blocked: 'blocked', 'opted-out': 'opted-out' } as const;

async function deliverOne(
  d: DeliveryMessage,
  r: Recipient,
  status: string,
  account: WeChatAccount,
  templateId: string,
  req: CapRequest,
  inv: Invocation,
): Promise<Result | null> {
  const ref = { channel: 'wechat' as const, id: r.id };
  if (status !== 'active') {
    // Not attempted; marked on the ledger so another bundle with this push sees a duplicate.
    const skipped = await inv.ledger.skip('wechat', r.id, req.date, d.pushKey, status);
    return skipped === 'duplicate'
      ? { outcome: 'duplicate', receipt: null }
      : { outcome: status as Outcome, receipt: `skipped:${status}` };
  }
  await inv.pace();
  if (inv.aborted.has(d.runKey)) return null;
  if (!(await inv.takeQuota(account))) {
    metrics.addMetric('WeChatQuotaExhausted', MetricUnit.Count, 1);
    await inv.abortRun(d.runKey, 'daily WeChat template quota reached');
    return null;
  }
  const meta = { category: d.category, runKey: d.runKey, bundle: d.bundle };
  const reservation = await inv.ledger.reserve('wechat', r.id, d.pushKey, req, meta, clock.now().getTime());
  if (reservation === 'capped') return { outcome: 'capped', receipt: 'capped' };
  if (reservation === 'duplicate') return { outcome: 'duplicate', receipt: null };
  if (reservation === 'unknown-outcome') {
    // Settled as such, so any later redelivery of this push is a duplicate rather than counted again.
    await inv.ledger.settle('wechat', r.id, req.date, d.pushKey, 'unknown-outcome');
    logger.warn('push reserved earlier but never confirmed; not sending again', {
      openid: maskId(r.id),
      pushKey: d.pushKey,
    });
    return { outcome: 'unknown-outcome', receipt: 'unknown-outcome' };
  }
  // Reserved: from here on this push is never attempted again, whatever happens.
  try {
    const res = await api.call(account, '/cgi-bin/message/template/send', {
      touser: r.id,
      template_id: templateId,
      client_msg_id: clientMsgId(d, r),
      data: await templateData(d, r),
    });
    return { outcome: 'sent', receipt: `sent:${String(res.msgid ?? '')}` };
  } catch (error) {
    if (!(error instanceof WeChatApiError)) {
      logger.error('push reserved but its send did not complete; recorded as unknown outcome', {
        openid: maskId(r.id),
        pushKey: d.pushKey,
        error: (error as Error).message,
      });
      await inv.ledger.settle('wechat', r.id, req.date, d.pushKey, 'unknown-outcome').catch(() => undefined); // a later redelivery finds it in the receipt or as an old reservation
      return { outcome: 'unknown-outcome', receipt: 'unknown-outcome' };
    }
    await inv.ledger.settle('wechat', r.id, req.date, d.pushKey, `failed:${error.errcode}`);
    const now = clock.now().toISOString();
    if (error.action === 'recipient') {
      if (error.subscriberStatus === 'unfollowed') await subscribers.unfollow(ref, now);
      else if (error.subscriberStatus) await subscribers.setStatus(ref, error.subscriberStatus, now);
      const outcome = error.subscriberStatus
        ? RECIPIENT_OUTCOME[error.subscriberStatus]
        : 'provider-permanent';
      return { outcome, receipt: `failed:${error.errcode}` };
    }
    if (error.action === 'abort') {
      metrics.addMetric('WeChatConfigErrors', MetricUnit.Count, 1);
      await inv.abortRun(d.runKey, `WeChat ${error.errcode}: ${error.message}`);
    }
    return { outcome: 'failed', receipt: `failed:${error.errcode}` };
  }
}

/** Runs one bundle; returns the outcome of each recipient it finished. */
async function deliverBundle(d: DeliveryMessage, inv: Invocation): Promise<Outcome[]> {
  const account = await accounts.get(d.account);
  const templateId = account?.templates[d.category];
  if (!account || !templateId) {
    await inv.abortRun(d.runKey, `account '${d.account}' has no template for category '${d.category}'`);
    return [];
  }
  const { policy } = await policyStore.get();
  const now = clock.now();
  // Quiet hours: a routine push waits for the window's end (not dropped); emergencies go now.
  const until = d.deferred ? null : quietUntil(policy, 'wechat', d.category, now);
  if (until) {
    const first = await deferred.defer(d, until, shardOf({ channel: 'wechat', id: d.bundle }));
    return d.recipients.map(() => (first ? 'deferred-quiet' : 'duplicate'));
  }
  const done = await inv.ledger.receipt(d.bundle);
  const todo = d.recipients.filter((r) => !done.has(r.id));
  const outcomes: Outcome[] = d.recipients.filter((r) => done.has(r.id)).map(() => 'duplicate');
  if (todo.length === 0) return outcomes;
  const statuses = await subscribers.statuses(
    'wechat',
    todo.map((r) => r.id),
  );
  await inv.holdQuota(account, todo.filter((r) => statuses.get(r.id) === 'active').length);
  const req = capRequest(policy, 'wechat', d.category, now);
  const receipt = new Map<string, string>();
  let next = 0;
  let failure: unknown = null;
  try {
    await Promise.all(
      Array.from({ length: Math.min(config.PUSH_CONCURRENCY, todo.length) }, async () => {
        while (next < todo.length && failure === null && !inv.aborted.has(d.runKey)) {
          const r = todo[next++]!;
          try {
            const result = await deliverOne(
              d,
              r,
              statuses.get(r.id) ?? 'unfollowed',
              account,
              templateId,
              req,
              inv,
            );
            if (!result) continue;
            outcomes.push(result.outcome);
            if (result.receipt) receipt.set(r.id, result.receipt);
          } catch (error) {
            failure = error; // before any reservation: the bundle is retried for the rest
          }
        }
      }),
    );
  } finally {
    // Whatever happened, what finished is recorded, so a redelivery does not touch it again.
    await inv.ledger.recordReceipt(d.bundle, receipt, clock.now().getTime());
  }
  if (failure !== null) throw Object.assign(failure as Error, { finished: outcomes });
  return outcomes;
}

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const started = performance.now();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  const counts = new Map<string, RunCounts>();
  const aborted = new Set<string>();
  const runs = new Map<string, Awaited<ReturnType<typeof pushRuns.get>>>();
  const sentByCategory = new Map<string, number>();
  // Per invocation, so the capacity it counts is this batch's own (containers run one batch at a time on
  // AWS; the local stack runs several in one process).
  const ledger = new DynamoPushLedger(documentClient, ledgerTable);
  const interval = 1000 / config.PUSH_RATE_PER_SECOND;
  let nextSlot = 0;
  // The daily quota, taken for each bundle's active recipients at once (one write per bundle, not per
  // send) before its sends, so the account never reaches 45009; units of recipients that end capped
  // or duplicate are not given back, so a run stops a little before the real quota.
  let quotaHeld = 0;
  const count = (runKey: string, category: string, outcomes: readonly Outcome[]) => {
    const c = counts.get(runKey) ?? {};
    for (const o of outcomes) c[o] = (c[o] ?? 0) + 1;
    counts.set(runKey, c);
    const sent = outcomes.filter((o) => o === 'sent').length;
    if (sent) sentByCategory.set(category, (sentByCategory.get(category) ?? 0) + sent);
  };
  try {
    for (const record of event.Records) {
      let d: DeliveryMessage | undefined;
      try {
        d = DeliveryMessageSchema.parse(JSON.parse(record.body));
        const msg = d;
        // The run's status once per invocation (an abort elsewhere is seen by the next one).
        if (!runs.has(msg.runKey)) runs.set(msg.runKey, await pushRuns.get(msg.runKey));
        const run = runs.get(msg.runKey);
        if (!run || run.status === 'aborted') aborted.add(msg.runKey);
        // The run stopped: nothing more is sent; its report counts these as unsent.
        if (aborted.has(msg.runKey)) continue;
        const inv: Invocation = {
          ledger,
          aborted,
          pace: async () => {
            const now = performance.now();
            const slot = Math.max(now, nextSlot);
            nextSlot = slot + interval;
            if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
          },
          holdQuota: async (account, n) => {
            const date = civilDate(clock.now());
            if (
              n > quotaHeld &&
              (await quota.take(account.appId, date, n - quotaHeld, config.WECHAT_DAILY_TEMPLATE_QUOTA))
            )
              quotaHeld = n;
          },
          takeQuota: async (account) => {
            if (quotaHeld > 0) {
              quotaHeld--;
              return true;
            }
            // The bundle's share was not available at once: one unit at a time up to the limit.
            return quota.take(account.appId, civilDate(clock.now()), 1, config.WECHAT_DAILY_TEMPLATE_QUOTA);
          },
          abortRun: async (runKey, reason) => {
            if (aborted.has(runKey)) return;
            aborted.add(runKey);
            await pushRuns.abort(runKey, reason, clock.now().toISOString());
          },
        };
        count(msg.runKey, msg.category, await deliverBundle(msg, inv));
      } catch (error) {
        const finished = (error as { finished?: Outcome[] }).finished;
        if (d && finished) count(d.runKey, d.category, finished);
        logger.warn('delivery will be retried', {
          messageId: record.messageId,
          error: (error as Error).message,
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
  } finally {
    const at = clock.now().toISOString();
    for (const [i, runKey] of [...counts.keys()].entries()) {
      // Capacity and duration are attributed to the first run of the batch (batches rarely mix runs).
      const usage =
        i === 0
          ? {
              read: ledger.consumed.read,
              write: ledger.consumed.write,
              invocations: 1,
              durationMs: performance.now() - started,
            }
          : {};
      await pushRuns.add(runKey, counts.get(runKey)!, usage, at);
    }
    const today = civilDate(clock.now());
    for (const [category, n] of sentByCategory) await stats.addSent(category, today, n);
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
  return { batchItemFailures };
};
