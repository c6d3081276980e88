/**
 * The only way a push reaches a WeChat follower. Per bundle (around it, ./bundles.ts):
 *  1. the account and its template for the category (none: the run is aborted, nothing is sent);
 *  2. the followers' statuses in one batch read (opted-out / unfollowed / blocked end here, marked on
 *     the ledger so another bundle of this push sees a duplicate; a follower with no profile is an
 *     invalid recipient, settled alone), and the daily template quota taken for the bundle's active
 *     followers at once, so the account never reaches 45009;
 *  3. per follower, paced (a per-invocation rate, a few sends in flight): the cap and the dedupe in
 *     ONE conditional write on the follower's day ledger, immediately before the template send
 *     (values within 20 characters, a deterministic client_msg_id); a push the ledger already holds
 *     ends as what holds it (an earlier attempt's outcome, another entry of the push). A transient
 *     refusal (busy, the token, the minute quota: after the API client's own retries) gives the
 *     reservation back and leaves the follower for the bundle's next attempt, as does an exception;
 *     only WeChat's permanent answers are permanent outcomes;
 *  4. followers WeChat can no longer reach who linked a number (短信备用) get the push by SMS: one
 *     SMS bundle through the deliveries queue, so SMS delivery applies its own cap, dedupe and budget.
 * At-most-once: once reserved, a push is never sent again, whatever happens after. A success costs one
 * ledger write; only pushes that did not go out are settled on the ledger with their reason.
 */
import { createHash } from 'node:crypto';
import type { DeliveryMessage, Outcome, Recipient } from '../../../schemas/pushes.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { errorName } from '../errors.ts';
import { maskId } from '../privacy.ts';
import { type CapRequest, capRequest } from '../pushes/cap.ts';
import { restrictionReminder, templateValue } from '../pushes/messages.ts';
import { type RestrictionBook, restrictionOn } from '../restrictions/engine.ts';
import type { SubscriberRepository } from '../subscribers/subscriber.ts';
import { type Clock, civilDate } from '../time.ts';
import {
  type BundleAttempt,
  type DeliverRecipients,
  earlierResult,
  type RecipientResult,
} from './bundles.ts';
import { pacer, pool } from './pacing.ts';
import type {
  DailyQuota,
  DeliveryQueue,
  PolicySource,
  Telemetry,
  TemplateMessage,
  Timer,
  WeChatMessages,
} from './ports.ts';

export interface WeChatDeliveryDeps {
  account(id: string): Promise<WeChatAccount | undefined>;
  subscribers: Pick<SubscriberRepository, 'statuses' | 'get' | 'unfollow' | 'setStatus'>;
  wechat: Pick<WeChatMessages, 'sendTemplate'>;
  quota: DailyQuota;
  policy: PolicySource;
  restrictions(): Promise<RestrictionBook>;
  /** Where SMS fallback bundles go (the deliveries topic). */
  deliveries: DeliveryQueue;
  clock: Clock;
  timer: Timer;
  telemetry: Telemetry;
  settings: {
    /** Template sends per second per invocation; the queue's maximum concurrency multiplies it. */
    ratePerSecond: number;
    /** Template sends in flight at once per invocation (WeChat answers in ~100–300 ms). */
    concurrency: number;
    /** The account's daily template-message quota. */
    dailyTemplateQuota: number;
  };
}

/** Deterministic per (push, follower): WeChat drops a repeated client_msg_id. */
export const clientMsgId = (pushKey: string, openid: string) =>
  createHash('sha256').update(`${pushKey}#${openid}`).digest('hex').slice(0, 32);

const SKIPPED_STATUS = {
  unfollowed: 'unfollowed',
  blocked: 'blocked',
  'opted-out': 'opted-out',
  /** No profile: nobody the push can be for. */
  'invalid-recipient': 'invalid-recipient',
} as const;

/**
 * WeChat outcomes after which the follower cannot be reached there: an SMS fallback may go instead.
 * Only leaving the account (43004, 40003): a follower who refused the message (43101, 48002) or whom
 * the account blacklisted (43019) is not to be reached another way.
 */
const FALLBACK_AFTER = new Set<Outcome>(['unfollowed']);

/** The template values a follower sees: the planner's (notices), or the reminder from the engine. */
async function templateData(d: DeliveryMessage, r: Recipient, deps: WeChatDeliveryDeps) {
  if (d.values)
    return Object.fromEntries(
      Object.entries(d.values).map(([k, value]) => [k, { value: templateValue(value) }]),
    );
  const book = await deps.restrictions();
  const answer = restrictionOn(book, d.city, d.date);
  const values = restrictionReminder(answer, book.cities.get(d.city)?.name ?? d.city, r.plates);
  return Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value }]));
}

interface Send {
  d: DeliveryMessage;
  account: WeChatAccount;
  templateId: string;
  req: CapRequest;
  ctx: BundleAttempt;
  pace: () => Promise<void>;
  takeQuota: (account: WeChatAccount) => Promise<boolean>;
}

/** One follower of a bundle: null when not attempted (the run stopped meanwhile) or left for the next attempt. */
async function deliverToFollower(
  r: Recipient,
  status: string,
  s: Send,
  deps: WeChatDeliveryDeps,
): Promise<RecipientResult | null> {
  const { d, ctx } = s;
  const { ledger } = ctx;
  const earlier = () => ledger.earlier('wechat', r.id, s.req.date, d.pushKey, d.bundle).then(earlierResult);
  if (status !== 'active') {
    // Not attempted; marked on the ledger so another bundle with this push sees a duplicate.
    const skipped = await ledger.skip('wechat', r.id, s.req.date, d.pushKey, status);
    const outcome = SKIPPED_STATUS[status as keyof typeof SKIPPED_STATUS] ?? 'unfollowed';
    return skipped === 'duplicate' ? earlier() : { outcome, receipt: `skipped:${status}` };
  }
  await s.pace();
  if (ctx.aborted(d.runKey)) return null;
  if (!(await s.takeQuota(s.account))) {
    deps.telemetry.metric('WeChatQuotaExhausted');
    await ctx.abortRun(d.runKey, 'daily WeChat template quota reached');
    return null;
  }
  const meta = { category: d.category, runKey: d.runKey, bundle: d.bundle };
  const reservation = await ledger.reserve(
    'wechat',
    r.id,
    d.pushKey,
    s.req,
    meta,
    deps.clock.now().getTime(),
  );
  if (reservation === 'capped') return { outcome: 'capped', receipt: 'capped' };
  if (reservation === 'duplicate') return earlier();
  if (reservation === 'unknown-outcome') {
    // Settled as such, so any later redelivery of this push is a duplicate rather than counted again.
    await ledger.settle('wechat', r.id, s.req.date, d.pushKey, 'unknown-outcome');
    deps.telemetry.log('warn', 'push reserved earlier but never confirmed; not sending again', {
      openid: maskId(r.id),
      pushKey: d.pushKey,
    });
    return { outcome: 'unknown-outcome', receipt: 'unknown-outcome' };
  }
  // Reserved: from here on this push is never attempted again, whatever happens.
  const message: TemplateMessage = {
    touser: r.id,
    templateId: s.templateId,
    clientMsgId: clientMsgId(d.pushKey, r.id),
    data: await templateData(d, r, deps),
  };
  const result = await deps.wechat.sendTemplate(s.account, message);
  if (result.status === 'sent') return { outcome: 'sent', receipt: `sent:${result.msgid ?? ''}` };
  if (result.status === 'unknown') {
    deps.telemetry.log('error', 'push reserved but its send did not complete; recorded as unknown outcome', {
      openid: maskId(r.id),
      pushKey: d.pushKey,
      error: result.message,
    });
    // A later redelivery finds it in the receipt or as an old reservation, should this write fail.
    await ledger.settle('wechat', r.id, s.req.date, d.pushKey, 'unknown-outcome').catch(() => undefined);
    return { outcome: 'unknown-outcome', receipt: 'unknown-outcome' };
  }
  const { refusal } = result;
  if (refusal.action === 'retry' || refusal.action === 'token') {
    // WeChat did not take it (busy, the token, the minute quota), after the API client's own
    // retries: the reservation is given back and the follower waits for the bundle's next attempt.
    await ledger.release('wechat', r.id, s.req.date, d.pushKey, s.req.klass);
    ctx.retryLater(r, `WeChat ${refusal.errcode}`);
    return null;
  }
  await ledger.settle('wechat', r.id, s.req.date, d.pushKey, `failed:${refusal.errcode}`);
  const ref = { channel: 'wechat' as const, id: r.id };
  const now = deps.clock.now().toISOString();
  if (refusal.action === 'recipient') {
    if (refusal.subscriberStatus === 'unfollowed') await deps.subscribers.unfollow(ref, now);
    else if (refusal.subscriberStatus) await deps.subscribers.setStatus(ref, refusal.subscriberStatus, now);
    const outcome = refusal.subscriberStatus
      ? SKIPPED_STATUS[refusal.subscriberStatus]
      : 'provider-permanent';
    return { outcome, receipt: `failed:${refusal.errcode}` };
  }
  if (refusal.action === 'abort') {
    deps.telemetry.metric('WeChatConfigErrors');
    await ctx.abortRun(d.runKey, `WeChat ${refusal.errcode}: ${refusal.message}`);
  }
  return { outcome: 'failed', receipt: `failed:${refusal.errcode}` };
}

/**
 * Followers who linked a number (短信备用) and whose WeChat delivery failed permanently get the push
 * by SMS. Published at most once per bundle attempt; a failure to publish loses the fallback, never
 * the WeChat outcome (logged and counted as a metric).
 */
async function fallBackToSms(d: DeliveryMessage, recipients: Recipient[], deps: WeChatDeliveryDeps) {
  try {
    const linked: Recipient[] = [];
    for (const r of recipients) {
      const smsId = (await deps.subscribers.get({ channel: 'wechat', id: r.id }))?.smsFallback;
      if (smsId) linked.push({ id: smsId, plates: r.plates });
    }
    if (!linked.length) return;
    const { fallbackValues, values: _wechatValues, deferred: _deferred, ...base } = d;
    await deps.deliveries.publish([
      {
        ...base,
        bundle: `${d.bundle}#sms-fallback`,
        channel: 'sms',
        account: 'sms',
        recipients: linked,
        ...(fallbackValues ? { values: fallbackValues } : {}),
        fallback: true,
      },
    ]);
    deps.telemetry.metric('SmsFallbacks', linked.length);
  } catch (error) {
    deps.telemetry.log('error', 'SMS fallback not published', {
      bundle: d.bundle,
      error: error instanceof Error ? error.message : String(error),
    });
    deps.telemetry.metric('SmsFallbackFailures');
  }
}

/** WeChat delivery for one invocation (the daily quota it holds is per invocation). */
export function weChatDelivery(deps: WeChatDeliveryDeps): DeliverRecipients {
  const { settings, clock } = deps;
  const pace = pacer(settings.ratePerSecond, deps.timer);
  // The daily quota, taken for each bundle's active recipients at once (one write per bundle, not per
  // send) before its sends; units of recipients that end capped or duplicate are not given back, so a
  // run stops a little before the real quota.
  let quotaHeld = 0;
  const takeQuota = async (account: WeChatAccount) => {
    if (quotaHeld > 0) {
      quotaHeld--;
      return true;
    }
    // The bundle's share was not available at once: one unit at a time up to the limit.
    return deps.quota.take(account.appId, civilDate(clock.now()), 1, settings.dailyTemplateQuota);
  };
  return async (d, todo, ctx, finish) => {
    const account = await deps.account(d.account);
    const templateId = account?.templates[d.category];
    if (!account || !templateId) {
      await ctx.abortRun(d.runKey, `account '${d.account}' has no template for category '${d.category}'`);
      return;
    }
    const statuses = await deps.subscribers.statuses(
      'wechat',
      todo.map((r) => r.id),
    );
    const active = todo.filter((r) => statuses.get(r.id) === 'active').length;
    if (active > quotaHeld) {
      const date = civilDate(clock.now());
      if (await deps.quota.take(account.appId, date, active - quotaHeld, settings.dailyTemplateQuota))
        quotaHeld = active;
    }
    const { policy } = await deps.policy.get();
    const send: Send = {
      d,
      account,
      templateId,
      req: capRequest(policy, 'wechat', d.category, clock.now()),
      ctx,
      pace,
      takeQuota,
    };
    const unreachable: Recipient[] = [];
    await pool(
      todo,
      settings.concurrency,
      async (r) => {
        let result: RecipientResult | null;
        try {
          result = await deliverToFollower(r, statuses.get(r.id) ?? 'invalid-recipient', send, deps);
        } catch (error) {
          // This follower alone: the others of the bundle go on; it is tried again next attempt.
          ctx.retryLater(r, errorName(error));
          return;
        }
        if (!result) return;
        if (result.receipt?.startsWith('failed:') && FALLBACK_AFTER.has(result.outcome)) unreachable.push(r);
        finish(r, result);
      },
      () => ctx.aborted(d.runKey),
    );
    if (unreachable.length) await fallBackToSms(d, unreachable, deps);
  };
}
