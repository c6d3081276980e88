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
import type { DeliveryMessage, Outcome, Recipient } from '../../schemas/pushes.ts';
import type { WeChatAccount } from '../../schemas/wechat.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoDailyQuota } from '../adapters/dynamodb/quota.ts';
import { publish } from '../adapters/sns/publisher.ts';
import { WeChatApi, WeChatApiError } from '../adapters/wechat/api.ts';
import { DynamoTokenStore, StableTokenManager } from '../adapters/wechat/tokens.ts';
import { maskId } from '../core/privacy.ts';
import { type CapRequest, capRequest } from '../core/pushes/cap.ts';
import { restrictionReminder, templateValue } from '../core/pushes/messages.ts';
import { bookOf, restrictionOn } from '../core/restrictions/engine.ts';
import { civilDate } from '../core/time.ts';
import { clock } from '../shared/clock.ts';
import { tableName, topicArn } from '../shared/config.ts';
import { type BundleContext, consumeBundles, pacer, pool, type RecipientResult } from '../shared/delivery.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { policyStore } from '../shared/pushes.ts';
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

const quota = new DynamoDailyQuota(documentClient, tableName('operations'));
const tokens = new StableTokenManager({
  baseUrl: wechatApiBase,
  store: new DynamoTokenStore(documentClient, tableName('operations')),
});
const api = new WeChatApi({ baseUrl: wechatApiBase, tokens });
const deliveriesTopic = topicArn('push-deliveries');

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

interface WeChatSend {
  account: WeChatAccount;
  templateId: string;
  req: CapRequest;
  ctx: BundleContext;
  pace: () => Promise<void>;
  takeQuota: (account: WeChatAccount) => Promise<boolean>;
}

const RECIPIENT_OUTCOME = { unfollowed: 'unfollowed', blocked: 'blocked', 'opted-out': 'opted-out' } as const;

async function deliverOne(
  d: DeliveryMessage,
  r: Recipient,
  status: string,
  s: WeChatSend,
): Promise<RecipientResult | null> {
  const { ledger } = s.ctx;
  const ref = { channel: 'wechat' as const, id: r.id };
  if (status !== 'active') {
    // Not attempted; marked on the ledger so another bundle with this push sees a duplicate.
    const skipped = await ledger.skip('wechat', r.id, s.req.date, d.pushKey, status);
    return skipped === 'duplicate'
      ? { outcome: 'duplicate', receipt: null }
      : { outcome: status as Outcome, receipt: `skipped:${status}` };
  }
  await s.pace();
  if (s.ctx.aborted(d.runKey)) return null;
  if (!(await s.takeQuota(s.account))) {
    metrics.addMetric('WeChatQuotaExhausted', MetricUnit.Count, 1);
    await s.ctx.abortRun(d.runKey, 'daily WeChat template quota reached');
    return null;
  }
  const meta = { category: d.category, runKey: d.runKey, bundle: d.bundle };
  const reservation = await ledger.reserve('wechat', r.id, d.pushKey, s.req, meta, clock.now().getTime());
  if (reservation === 'capped') return { outcome: 'capped', receipt: 'capped' };
  if (reservation === 'duplicate') return { outcome: 'duplicate', receipt: null };
  if (reservation === 'unknown-outcome') {
    // Settled as such, so any later redelivery of this push is a duplicate rather than counted again.
    await ledger.settle('wechat', r.id, s.req.date, d.pushKey, 'unknown-outcome');
    logger.warn('push reserved earlier but never confirmed; not sending again', {
      openid: maskId(r.id),
      pushKey: d.pushKey,
    });
    return { outcome: 'unknown-outcome', receipt: 'unknown-outcome' };
  }
  // Reserved: from here on this push is never attempted again, whatever happens.
  try {
    const res = await api.call(s.account, '/cgi-bin/message/template/send', {
      touser: r.id,
      template_id: s.templateId,
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
      await ledger.settle('wechat', r.id, s.req.date, d.pushKey, 'unknown-outcome').catch(() => undefined); // a later redelivery finds it in the receipt or as an old reservation
      return { outcome: 'unknown-outcome', receipt: 'unknown-outcome' };
    }
    await ledger.settle('wechat', r.id, s.req.date, d.pushKey, `failed:${error.errcode}`);
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
      await s.ctx.abortRun(d.runKey, `WeChat ${error.errcode}: ${error.message}`);
    }
    return { outcome: 'failed', receipt: `failed:${error.errcode}` };
  }
}

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const pace = pacer(config.PUSH_RATE_PER_SECOND);
  // The daily quota, taken for each bundle's active recipients at once (one write per bundle, not per
  // send) before its sends, so the account never reaches 45009; units of recipients that end capped
  // or duplicate are not given back, so a run stops a little before the real quota.
  let quotaHeld = 0;
  const takeQuota = async (account: WeChatAccount) => {
    if (quotaHeld > 0) {
      quotaHeld--;
      return true;
    }
    // The bundle's share was not available at once: one unit at a time up to the limit.
    return quota.take(account.appId, civilDate(clock.now()), 1, config.WECHAT_DAILY_TEMPLATE_QUOTA);
  };
  return consumeBundles(event, 'wechat', async (d, todo, ctx, finish) => {
    const account = await accounts.get(d.account);
    const templateId = account?.templates[d.category];
    if (!account || !templateId) {
      await ctx.abortRun(d.runKey, `account '${d.account}' has no template for category '${d.category}'`);
      return;
    }
    const statuses = await subscribers.statuses(
      'wechat',
      todo.map((r) => r.id),
    );
    const active = todo.filter((r) => statuses.get(r.id) === 'active').length;
    if (active > quotaHeld) {
      const date = civilDate(clock.now());
      if (await quota.take(account.appId, date, active - quotaHeld, config.WECHAT_DAILY_TEMPLATE_QUOTA))
        quotaHeld = active;
    }
    const { policy } = await policyStore.get();
    const send: WeChatSend = {
      account,
      templateId,
      req: capRequest(policy, 'wechat', d.category, clock.now()),
      ctx,
      pace,
      takeQuota,
    };
    const failedForGood: Recipient[] = [];
    await pool(
      todo,
      config.PUSH_CONCURRENCY,
      async (r) => {
        const result = await deliverOne(d, r, statuses.get(r.id) ?? 'unfollowed', send);
        if (!result) return;
        if (result.receipt?.startsWith('failed:') && PERMANENT.has(result.outcome)) failedForGood.push(r);
        finish(r, result);
      },
      () => ctx.aborted(d.runKey),
    );
    if (failedForGood.length) await fallBackToSms(d, failedForGood);
  });
};

/**
 * WeChat outcomes after which the follower cannot be reached there: an SMS fallback may go instead.
 * Only leaving the account (43004, 40003): a follower who refused the message (43101, 48002) or whom
 * the account blacklisted (43019) is not to be reached another way.
 */
const PERMANENT = new Set<Outcome>(['unfollowed']);

/**
 * Followers who linked a number (短信备用) and whose WeChat delivery failed permanently get the push
 * by SMS: one SMS bundle through the deliveries topic, so deliver-sms applies its own cap, dedupe
 * (the same push key on the SMS ledger) and budget. Published at most once per bundle attempt; a
 * failure to publish loses the fallback, never the WeChat outcome (logged and counted as a metric).
 */
async function fallBackToSms(d: DeliveryMessage, recipients: Recipient[]) {
  try {
    const linked: Recipient[] = [];
    for (const r of recipients) {
      const smsId = (await subscribers.get({ channel: 'wechat', id: r.id }))?.smsFallback;
      if (smsId) linked.push({ id: smsId, plates: r.plates });
    }
    if (!linked.length) return;
    const { fallbackValues, values: _wechatValues, deferred: _deferred, ...base } = d;
    const message: DeliveryMessage = {
      ...base,
      bundle: `${d.bundle}#sms-fallback`,
      channel: 'sms',
      account: 'sms',
      recipients: linked,
      ...(fallbackValues ? { values: fallbackValues } : {}),
      fallback: true,
    };
    await publish(deliveriesTopic, message, { channel: 'sms', category: d.category });
    metrics.addMetric('SmsFallbacks', MetricUnit.Count, linked.length);
  } catch (error) {
    logger.error('SMS fallback not published', { bundle: d.bundle, error: (error as Error).message });
    metrics.addMetric('SmsFallbackFailures', MetricUnit.Count, 1);
  }
}
