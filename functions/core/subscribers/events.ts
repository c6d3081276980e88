/**
 * What the platforms tell us about a follower outside a conversation, and what follows from it:
 *  - a follower who leaves (unfollow) or blocks the account has that charged to the push that most
 *    plausibly caused it (the last one within 24 h), per category and run;
 *  - WeChat's report of a template message (TEMPLATESENDJOBFINISH) is recorded by its msgid, counted
 *    on the run that sent it (`delivered`, `failed:user block`, `failed:system failed`, next to
 *    `sent`), and a `failed:user block` marks the follower blocked (charged like an unfollow).
 */
import type { RunLog } from '../delivery/ports.ts';
import type { Clock } from '../time.ts';
import type { Channel } from '../vocabulary.ts';
import type { SubscriberRef, SubscriberRepository } from './subscriber.ts';

export interface FollowerEventDeps {
  attribution: {
    attributeUnfollow(channel: Channel, id: string, at: Date, kind: 'unfollow' | 'block'): Promise<unknown>;
  };
  outcomes: {
    record(appId: string, msgId: string, openid: string, status: string, at: string): Promise<void>;
  };
  subscribers: Pick<SubscriberRepository, 'setStatus'>;
  /** The run that sent a template message to this follower, by the msgid WeChat returned. */
  receipts: { runOf(openid: string, msgId: string, at: Date): Promise<string | null> };
  runs: Pick<RunLog, 'add'>;
  clock: Clock;
}

export async function followerLeft(ref: SubscriberRef, deps: FollowerEventDeps): Promise<void> {
  await deps.attribution.attributeUnfollow(ref.channel, ref.id, deps.clock.now(), 'unfollow');
}

export async function templateMessageFinished(
  appId: string,
  ref: SubscriberRef,
  msgId: string,
  status: string,
  deps: FollowerEventDeps,
): Promise<void> {
  const at = deps.clock.now();
  await deps.outcomes.record(appId, msgId, ref.id, status, at.toISOString());
  const runKey = await deps.receipts.runOf(ref.id, msgId, at);
  if (runKey) await deps.runs.add(runKey, { [receiptOutcome(status)]: 1 }, {}, at.toISOString());
  if (status !== 'failed:user block') return;
  await deps.attribution.attributeUnfollow(ref.channel, ref.id, at, 'block');
  await deps.subscribers.setStatus(ref, 'blocked', at.toISOString());
}

/** How a template message's reported status is counted on its run. */
export function receiptOutcome(
  status: string,
): 'delivered' | 'failed:user block' | 'failed:system failed' | 'failed:other' {
  const s = status.replace(/\s+/g, '');
  if (s === 'success') return 'delivered';
  if (s === 'failed:userblock') return 'failed:user block';
  if (s === 'failed:systemfailed') return 'failed:system failed';
  return 'failed:other';
}
