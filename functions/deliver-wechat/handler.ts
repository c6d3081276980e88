/**
 * The only way a push reaches a WeChat follower. Per delivery:
 *  1. the follower's current status (opted-out / unfollowed / blocked end here, with that outcome);
 *  2. the cap and the dedupe: ONE conditional write on the follower's day ledger, immediately
 *     before the provider call (capped / duplicate / unknown-outcome end here);
 *  3. the template message (values cut to 20 characters, deterministic client_msg_id), paced by a
 *     per-invocation rate limit under the queue's maximum concurrency, within a daily quota counter
 *     that stops the run before WeChat's 45009;
 *  4. the outcome is settled on the ledger and counted on the run, once per batch.
 * At-most-once: once reserved, a push is never sent again, whatever happens after.
 */
import { createHash } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { type DeliveryMessage, DeliveryMessageSchema, type Outcome } from '../../schemas/pushes.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoDeferredPushes } from '../adapters/dynamodb/deferred-pushes.ts';
import { DynamoPushLedger } from '../adapters/dynamodb/push-ledger.ts';
import type { RunCounts } from '../adapters/dynamodb/push-runs.ts';
import { DynamoDailyQuota } from '../adapters/dynamodb/quota.ts';
import { WeChatApi, WeChatApiError } from '../adapters/wechat/api.ts';
import { DynamoTokenStore, StableTokenManager } from '../adapters/wechat/tokens.ts';
import { civilDate } from '../core/calendar.ts';
import { capRequest, quietUntil, restrictionReminder, templateValue } from '../core/pushes.ts';
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

const clientMsgId = (d: DeliveryMessage) =>
  createHash('sha256').update(`${d.pushKey}#${d.subscriberId}`).digest('hex').slice(0, 32);

async function templateData(d: DeliveryMessage) {
  if (d.values)
    return Object.fromEntries(
      Object.entries(d.values).map(([k, value]) => [k, { value: templateValue(value) }]),
    );
  const book = bookOf(await restrictionData.load());
  const answer = restrictionOn(book, d.city, d.date);
  const values = restrictionReminder(answer, book.cities.get(d.city)?.name ?? d.city, d.plates);
  return Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value }]));
}

async function deliver(
  d: DeliveryMessage,
  ledger: DynamoPushLedger,
  abortRun: (reason: string) => Promise<void>,
): Promise<Outcome> {
  const account = await accounts.get(d.account);
  const templateId = account?.templates[d.category];
  if (!account || !templateId) {
    await abortRun(`account '${d.account}' has no template for category '${d.category}'`);
    return 'failed';
  }
  const ref = { channel: 'wechat' as const, id: d.subscriberId };
  const { policy } = await policyStore.get();
  const now = clock.now();
  const req = capRequest(policy, 'wechat', d.category, now);
  const subscriber = await subscribers.get(ref);
  const status = subscriber?.status ?? 'unfollowed';
  if (status !== 'active') {
    // Not attempted; marked on the ledger so a redelivery is a duplicate rather than counted again.
    return (await ledger.skip('wechat', d.subscriberId, req.date, d.pushKey, status)) === 'duplicate'
      ? 'duplicate'
      : status;
  }

  // Quiet hours: a routine push waits for the window's end (not dropped); emergencies go now.
  const until = d.deferred ? null : quietUntil(policy, 'wechat', d.category, now);
  if (until) return (await deferred.defer(d, until, shardOf(ref))) ? 'deferred-quiet' : 'duplicate';
  const reservation = await ledger.reserve('wechat', d.subscriberId, d.pushKey, req, now.getTime());
  if (reservation === 'capped') return 'capped';
  if (reservation === 'duplicate') return 'duplicate';
  if (reservation === 'unknown-outcome') {
    // Settle it as such, so a redelivery of this message is a duplicate rather than counted again.
    await ledger.settle('wechat', d.subscriberId, req.date, d.pushKey, 'unknown-outcome');
    logger.warn('push reserved earlier but never confirmed; not sending again', {
      openid: maskId(d.subscriberId),
      pushKey: d.pushKey,
    });
    return 'unknown-outcome';
  }
  try {
    const res = await api.call(account, '/cgi-bin/message/template/send', {
      touser: d.subscriberId,
      template_id: templateId,
      client_msg_id: clientMsgId(d),
      data: await templateData(d),
    });
    await ledger.settle(
      'wechat',
      d.subscriberId,
      req.date,
      d.pushKey,
      `sent:${String(res.msgid ?? '')}|${d.category}|${d.runKey}|${clock.now().toISOString()}`,
    );
    return 'sent';
  } catch (error) {
    if (!(error instanceof WeChatApiError)) throw error;
    await ledger.settle('wechat', d.subscriberId, req.date, d.pushKey, `failed:${error.errcode}`);
    const now = clock.now().toISOString();
    if (error.action === 'recipient') {
      if (error.subscriberStatus === 'unfollowed') await subscribers.unfollow(ref, now);
      else if (error.subscriberStatus) await subscribers.setStatus(ref, error.subscriberStatus, now);
      return error.subscriberStatus === 'unfollowed'
        ? 'unfollowed'
        : error.subscriberStatus === 'blocked'
          ? 'blocked'
          : error.subscriberStatus === 'opted-out'
            ? 'opted-out'
            : 'provider-permanent';
    }
    if (error.action === 'abort') {
      metrics.addMetric('WeChatConfigErrors', MetricUnit.Count, 1);
      await abortRun(`WeChat ${error.errcode}: ${error.message}`);
    }
    return 'failed';
  }
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
  let quotaHeld = 0;
  const interval = 1000 / config.PUSH_RATE_PER_SECOND;
  let lastSend = 0;
  try {
    for (const record of event.Records) {
      try {
        const d = DeliveryMessageSchema.parse(JSON.parse(record.body));
        // The run's status once per batch (an abort elsewhere is seen by the next batch).
        if (!runs.has(d.runKey)) runs.set(d.runKey, await pushRuns.get(d.runKey));
        const run = aborted.has(d.runKey) ? undefined : runs.get(d.runKey);
        let outcome: Outcome | null;
        if (!run || run.status === 'aborted') {
          // The run stopped: nothing more is sent; its report counts these as unsent.
          aborted.add(d.runKey);
          outcome = null;
        } else {
          // The daily quota, reserved before each send so the account never reaches 45009.
          // Taken for the whole batch at once (one write per batch, not per send); units of messages that
          // end capped or duplicate are not given back, so a run stops a little before the real quota.
          const account = await accounts.get(d.account);
          if (account && quotaHeld === 0) {
            const date = civilDate(clock.now());
            const limit = config.WECHAT_DAILY_TEMPLATE_QUOTA;
            if (await quota.take(account.appId, date, event.Records.length, limit))
              quotaHeld = event.Records.length;
            else if (await quota.take(account.appId, date, 1, limit)) quotaHeld = 1;
          }
          if (account && quotaHeld === 0) {
            await pushRuns.abort(d.runKey, 'daily WeChat template quota reached', clock.now().toISOString());
            metrics.addMetric('WeChatQuotaExhausted', MetricUnit.Count, 1);
            aborted.add(d.runKey);
            outcome = null;
          } else {
            const wait = lastSend + interval - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            lastSend = performance.now();
            quotaHeld--;
            outcome = await deliver(d, ledger, async (reason) => {
              aborted.add(d.runKey);
              await pushRuns.abort(d.runKey, reason, clock.now().toISOString());
            });
          }
        }
        const c = counts.get(d.runKey) ?? {};
        if (outcome) c[outcome] = (c[outcome] ?? 0) + 1;
        counts.set(d.runKey, c);
        if (outcome === 'sent') sentByCategory.set(d.category, (sentByCategory.get(d.category) ?? 0) + 1);
      } catch (error) {
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
