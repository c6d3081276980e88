/**
 * The only way a push reaches a WeChat follower. Per bundle (around it, ./bundles.ts):
 *  1. the account and how it sends the category: a template message (typed keys or keyword1..4), a
 *     long-term subscription notice (订阅通知) to followers who accepted it, or — for an account that
 *     cannot send template messages — nothing one by one (its mass send reached them, ./mass-send.ts);
 *     an account with none of these for the category aborts the run, nothing is sent;
 *  2. the followers' statuses in one batch read (opted-out / unfollowed / blocked end here, marked on
 *     the ledger so another bundle of this push sees a duplicate; a follower with no profile is an
 *     invalid recipient, settled alone), the consents of the subscription template in one more, and
 *     the account's daily template quota taken for the bundle at once, so the account never reaches
 *     45009;
 *  3. per follower, paced (a per-invocation rate, a few sends in flight): the template's keys filled
 *     and made valid by type (functions/core/wechat/templates.ts; a value that cannot be made valid is
 *     never sent, so WeChat's 47003 is not met), then the cap and the dedupe in ONE conditional write
 *     on the follower's day ledger, immediately before the send (a deterministic client_msg_id); a
 *     push the ledger already holds ends as what holds it (an earlier attempt's outcome, another entry
 *     of the push). A transient refusal (busy, the token, the minute quota: after the API client's
 *     own retries) gives the reservation back and leaves the follower for the bundle's next attempt,
 *     as does an exception; only WeChat's permanent answers are permanent outcomes;
 *  4. a follower WeChat finds messaged too often (43117) is given back to the ledger and deferred
 *     alone, not the run (which is told it waits, so it is not reported stalled meanwhile);
 *  5. followers WeChat can no longer reach who linked a number (短信备用) get the push by SMS: one
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
import { quietUntil } from '../pushes/quiet-hours.ts';
import { type RestrictionBook, restrictionOn } from '../restrictions/engine.ts';
import { shardOf } from '../subscribers/fanout.ts';
import type { SubscriberRepository } from '../subscribers/subscriber.ts';
import { type Clock, civilDate } from '../time.ts';
import { restrictionPlaceholders } from '../wechat/placeholders.ts';
import { renderTemplate, subscriptionOf, type TemplateMapping, templateOf } from '../wechat/templates.ts';
import {
  type BundleAttempt,
  type DeliverRecipients,
  earlierResult,
  type RecipientResult,
} from './bundles.ts';
import { FREQUENCY_ATTEMPTS, FREQUENCY_RETRY_MS, frequencyBundle } from './frequency.ts';
import { pacer, pool } from './pacing.ts';
import type {
  DailyQuota,
  DeferredPushes,
  DeliveryQueue,
  PolicySource,
  SubscriptionConsents,
  Telemetry,
  Timer,
  WeChatMessages,
  WeChatSendResult,
} from './ports.ts';

export interface WeChatDeliveryDeps {
  account(id: string): Promise<WeChatAccount | undefined>;
  subscribers: Pick<SubscriberRepository, 'statuses' | 'get' | 'unfollow' | 'setStatus'>;
  wechat: Pick<WeChatMessages, 'sendTemplate' | 'sendSubscription'>;
  consents: SubscriptionConsents;
  quota: DailyQuota;
  policy: PolicySource;
  restrictions(): Promise<RestrictionBook>;
  /** Where SMS fallback bundles go (the deliveries topic). */
  deliveries: DeliveryQueue;
  /** Where a follower WeChat found messaged too often waits (released by release-deferred-pushes). */
  deferred: DeferredPushes;
  clock: Clock;
  timer: Timer;
  telemetry: Telemetry;
  settings: {
    /** Template sends per second per invocation; the queue's maximum concurrency multiplies it. */
    ratePerSecond: number;
    /** The most a run's planned rate (`DeliveryMessage.ratePerSecond`) may ask of one invocation. */
    maxRatePerSecond: number;
    /** Template sends in flight at once per invocation (WeChat answers in ~100–300 ms). */
    concurrency: number;
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

/** How an account sends this bundle's category. */
interface Paths {
  template: TemplateMapping | null;
  subscription: TemplateMapping | null;
  /** Followers who accepted the subscription template. */
  consented: Set<string>;
}

/** The values a follower's message is filled from: the notice's, or the reminder from the engine. */
async function valuesFor(d: DeliveryMessage, r: Recipient, deps: WeChatDeliveryDeps) {
  if (d.values) return d.values;
  const book = await deps.restrictions();
  const answer = restrictionOn(book, d.city, d.date);
  return restrictionPlaceholders(answer, book.cities.get(d.city)?.name ?? d.city, r.plates);
}

interface Send {
  d: DeliveryMessage;
  account: WeChatAccount;
  paths: Paths;
  req: CapRequest;
  ctx: BundleAttempt;
  pace: () => Promise<void>;
  takeQuota: (account: WeChatAccount) => Promise<boolean>;
}

/** The message a follower gets on the path they are on, or why it cannot be made. */
async function compose(r: Recipient, s: Send, deps: WeChatDeliveryDeps) {
  const { d, account, paths } = s;
  const onSubscription = paths.subscription !== null && paths.consented.has(r.id);
  const mapping = onSubscription ? paths.subscription! : paths.template;
  if (!mapping) return null;
  const rendered = renderTemplate(mapping, d.category, await valuesFor(d, r, deps), account);
  return { onSubscription, mapping, rendered };
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
  const message = await compose(r, s, deps);
  if (!message) {
    // Only subscription notices for this category, and this follower has not accepted one.
    const skipped = await ledger.skip('wechat', r.id, s.req.date, d.pushKey, 'not-subscribed');
    return skipped === 'duplicate'
      ? earlier()
      : { outcome: 'not-subscribed', receipt: 'skipped:not-subscribed' };
  }
  const { rendered, mapping, onSubscription } = message;
  if (!rendered.ok) {
    // Never sent as it stands (WeChat would answer 47003): a notice's values are everyone's, so its run stops.
    deps.telemetry.metric('WeChatTemplateValuesRefused');
    const reason = `template ${mapping.id} cannot be filled: ${rendered.problems.join('; ')}`;
    deps.telemetry.log('error', 'template values refused; not sent', { pushKey: d.pushKey, reason });
    if (d.category !== 'restriction') await ctx.abortRun(d.runKey, reason);
    return { outcome: 'failed', receipt: 'failed:template-values' };
  }
  await s.pace();
  if (ctx.aborted(d.runKey)) return null;
  if (!onSubscription && !(await s.takeQuota(s.account))) {
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
  const result: WeChatSendResult = onSubscription
    ? await deps.wechat.sendSubscription(s.account, {
        touser: r.id,
        templateId: mapping.id,
        data: rendered.data,
        page: rendered.url,
      })
    : await deps.wechat.sendTemplate(s.account, {
        touser: r.id,
        templateId: mapping.id,
        clientMsgId: clientMsgId(d.pushKey, r.id),
        data: rendered.data,
        url: rendered.url,
      });
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
  if (refusal.errcode === 43117) return deferTooFrequent(r, s, deps);
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
  // The follower took the subscription back (43101): the template path is theirs from the next push.
  if (onSubscription && refusal.errcode === 43101)
    await deps.consents.record(r.id, [{ templateId: mapping.id, accepted: false }], now);
  if (refusal.action === 'recipient') {
    if (refusal.subscriberStatus === 'unfollowed') await deps.subscribers.unfollow(ref, now);
    else if (refusal.subscriberStatus) await deps.subscribers.setStatus(ref, refusal.subscriberStatus, now);
    const outcome = refusal.subscriberStatus
      ? SKIPPED_STATUS[refusal.subscriberStatus]
      : 'provider-permanent';
    return { outcome, receipt: `failed:${refusal.errcode}` };
  }
  if (refusal.action === 'abort' || refusal.errcode === 47003) {
    deps.telemetry.metric('WeChatConfigErrors');
    await ctx.abortRun(d.runKey, `WeChat ${refusal.errcode}: ${refusal.message}`);
  }
  return { outcome: 'failed', receipt: `failed:${refusal.errcode}` };
}

/**
 * 43117: WeChat finds this follower messaged too often. The push certainly did not go out, so its
 * reservation is given back and the follower alone is deferred (never into quiet hours); the run goes
 * on, told it waits until then (not stalled meanwhile). After FREQUENCY_ATTEMPTS it is a failure. The
 * deferred bundle's id names its origin and attempt (`<bundle>#43117#<openid>#<n>`), so a resume
 * finds it from the receipt's `deferred:43117#<n>` (functions/adapters/dynamodb/push-runs.ts).
 */
async function deferTooFrequent(r: Recipient, s: Send, deps: WeChatDeliveryDeps): Promise<RecipientResult> {
  const { d, ctx } = s;
  const attempt = (d.frequencyAttempt ?? 0) + 1;
  deps.telemetry.metric('WeChatTooFrequent');
  if (attempt > FREQUENCY_ATTEMPTS) {
    await ctx.ledger.settle('wechat', r.id, s.req.date, d.pushKey, 'failed:43117');
    return { outcome: 'failed', receipt: 'failed:43117' };
  }
  await ctx.ledger.release('wechat', r.id, s.req.date, d.pushKey, s.req.klass);
  const { policy } = await deps.policy.get();
  const later = new Date(deps.clock.now().getTime() + FREQUENCY_RETRY_MS);
  const releaseAt = quietUntil(policy, 'wechat', d.category, later) ?? later;
  const { fallbackValues, ...rest } = d;
  const alone: DeliveryMessage = {
    ...rest,
    ...(fallbackValues ? { fallbackValues } : {}),
    bundle: frequencyBundle(d.bundle, r.id, attempt),
    recipients: [r],
    deferred: true,
    frequencyAttempt: attempt,
  };
  await deps.deferred.defer(alone, releaseAt, shardOf({ channel: 'wechat', id: r.id }));
  await ctx.waitUntil(d.runKey, releaseAt);
  return { outcome: 'deferred-frequency', receipt: `deferred:43117#${attempt}` };
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
    const {
      fallbackValues,
      values: _wechatValues,
      deferred: _deferred,
      frequencyAttempt: _attempt,
      ...base
    } = d;
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

/** How the account sends the category, or why it cannot (the run is aborted). */
function pathsOf(account: WeChatAccount | undefined, d: DeliveryMessage) {
  if (!account) return { problem: `account '${d.account}' is not configured` };
  const template = templateOf(account, d.category, d.values);
  const subscription = subscriptionOf(account, d.category);
  if (!template && !subscription)
    return { problem: `account '${d.account}' has no template for category '${d.category}'` };
  return { account, template, subscription };
}

/** WeChat delivery for one invocation (the daily quota it holds is per invocation). */
export function weChatDelivery(deps: WeChatDeliveryDeps): DeliverRecipients {
  const { settings, clock } = deps;
  // A run paced for its deadline carries its rate; the invocation goes at the fastest of its bundles',
  // within the configured maximum.
  let rate = settings.ratePerSecond;
  const pace = pacer(() => rate, deps.timer);
  // The daily quota, taken for each bundle's template recipients at once (one write per bundle, not
  // per send) before its sends; units of recipients that end capped or duplicate are not given back,
  // so a run stops a little before the real quota.
  let quotaHeld = 0;
  const takeQuota = async (account: WeChatAccount) => {
    if (quotaHeld > 0) {
      quotaHeld--;
      return true;
    }
    // The bundle's share was not available at once: one unit at a time up to the limit.
    return deps.quota.take(account.appId, civilDate(clock.now()), 1, account.dailyTemplateQuota);
  };
  return async (d, todo, ctx, finish) => {
    if (d.ratePerSecond) rate = Math.min(Math.max(rate, d.ratePerSecond), settings.maxRatePerSecond);
    const account = await deps.account(d.account);
    if (account?.kind === 'subscription') {
      // It cannot send template messages: a notice reached its followers by its mass send
      // (./mass-send.ts); anything else (a restriction reminder) it cannot send them at all.
      const notice = d.category === 'notice' || d.category === 'emergency';
      for (const r of todo) {
        if (notice) finish(r, { outcome: 'mass-send', receipt: 'mass-send' });
        else {
          const date = civilDate(clock.now());
          const skipped = await ctx.ledger.skip('wechat', r.id, date, d.pushKey, 'unsendable');
          finish(
            r,
            skipped === 'duplicate'
              ? earlierResult(await ctx.ledger.earlier('wechat', r.id, date, d.pushKey, d.bundle))
              : { outcome: 'unsendable', receipt: 'skipped:unsendable' },
          );
        }
      }
      return;
    }
    const found = pathsOf(account, d);
    if ('problem' in found) {
      await ctx.abortRun(d.runKey, found.problem!);
      return;
    }
    const statuses = await deps.subscribers.statuses(
      'wechat',
      todo.map((r) => r.id),
    );
    const active = todo.filter((r) => statuses.get(r.id) === 'active');
    const consented = found.subscription
      ? await deps.consents.accepted(
          active.map((r) => r.id),
          found.subscription.id,
        )
      : new Set<string>();
    const templated = found.template ? active.filter((r) => !consented.has(r.id)).length : 0;
    if (templated > quotaHeld) {
      const date = civilDate(clock.now());
      if (
        await deps.quota.take(
          found.account.appId,
          date,
          templated - quotaHeld,
          found.account.dailyTemplateQuota,
        )
      )
        quotaHeld = templated;
    }
    const { policy } = await deps.policy.get();
    const send: Send = {
      d,
      account: found.account,
      paths: { template: found.template, subscription: found.subscription, consented },
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
        if (result.receipt?.startsWith('failed:') && FALLBACK_AFTER.has(result.outcome as Outcome))
          unreachable.push(r);
        finish(r, result);
      },
      () => ctx.aborted(d.runKey),
    );
    if (unreachable.length) await fallBackToSms(d, unreachable, deps);
  };
}
