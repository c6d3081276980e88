/**
 * Replies the webhook could not give within WeChat's 5 s, delivered through the customer-service
 * API at most once per message.
 *
 * Primary course of sendAsyncReply:
 *  1. the stored reply of the first attempt, once it finished; if it never finished (after it had its
 *     chance: a few receives), a note asking the citizen to send it again — re-running the request
 *     here could apply it out of order with their later messages;
 *  2. the send is claimed (at most once), then sent through the customer-service window
 *     (./customer-service.ts: 5 messages in 48 h after the citizen's message, 3 in a minute after a
 *     click, follow or scan); outside it nothing is sent and the reason is logged; a transient refusal
 *     releases the claim and is retried, any other refusal is final: logged, alarmed for configuration
 *     errors, and the follower's status updated when WeChat says they left or blocked the account.
 */
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { maskId } from '../privacy.ts';
import {
  type CustomerServiceDeps,
  type RefusalDeps,
  recordRefusal,
  sendCustomerService,
} from './customer-service.ts';
import type { CustomerServiceMessage } from './ports.ts';

/** The inbound record of the message being answered, as this use case needs it. */
export interface PendingReplies {
  /** Whether the first attempt finished, and the reply it gave (null: nothing to say). */
  state(key: string): Promise<{ done: boolean; reply: CustomerServiceMessage | null } | undefined>;
  /** Finishes the record with this text in place of the answer the first attempt never gave. */
  finishWith(key: string, text: string): Promise<void>;
  /** True for the one sender allowed to send the reply. */
  claimSend(key: string): Promise<boolean>;
  /** Gives the claim back: the reply was certainly not sent. */
  releaseSend(key: string): Promise<void>;
}

export interface AsyncReplyDeps extends RefusalDeps {
  account(id: string): Promise<WeChatAccount | undefined>;
  replies: PendingReplies;
  /** The one way a customer-service message goes out: within the follower's window. */
  customerService: CustomerServiceDeps;
  /** Fails when the account's access token cannot be had, before anything is claimed. */
  ensureToken(account: WeChatAccount): Promise<void>;
}

export interface AsyncReplyJob {
  accountId: string;
  openid: string;
  dedupeKey: string;
}

/** Thrown when the job must be retried later (the queue redelivers it). */
export class RetryLater extends Error {
  override name = 'RetryLater';
}

/** Receives the first attempt gets to finish on its own before we answer in its place. */
export const PATIENCE_RECEIVES = 3;
export const NOT_COMPLETED = '抱歉，系统繁忙，您刚才的消息可能没有处理完成，请稍后重新发送。';

export async function sendAsyncReply(
  job: AsyncReplyJob,
  receiveCount: number,
  deps: AsyncReplyDeps,
): Promise<'sent' | 'nothing-to-send' | 'window-closed' | 'already-sent' | 'refused'> {
  const account = await deps.account(job.accountId);
  if (!account) throw new RetryLater(`unknown account ${job.accountId}`);
  let state = await deps.replies.state(job.dedupeKey);
  if (!state?.done) {
    if (receiveCount < PATIENCE_RECEIVES) throw new RetryLater('first attempt still running');
    await deps.replies.finishWith(job.dedupeKey, NOT_COMPLETED);
    state = await deps.replies.state(job.dedupeKey);
  }
  if (!state?.reply) return 'nothing-to-send';
  await deps.ensureToken(account); // a token problem fails here, before the send is claimed
  if (!(await deps.replies.claimSend(job.dedupeKey))) return 'already-sent';
  const result = await sendCustomerService(account, job.openid, state.reply, deps.customerService);
  if (result.status === 'outside-window') {
    // Claimed and never sent: a reply this late would answer a conversation the citizen has left.
    deps.telemetry.log('info', 'async reply not sent: outside the customer-service window', {
      openid: maskId(job.openid),
      reason: result.reason,
    });
    deps.telemetry.metric('WeChatRepliesOutsideWindow');
    return 'window-closed';
  }
  if (result.status === 'sent') {
    deps.telemetry.metric('WeChatAsyncRepliesSent');
    return 'sent';
  }
  // A send that did not complete may have gone out: the claim stays, it is never sent twice.
  if (result.status === 'unknown') throw new RetryLater(result.message);
  const { refusal } = result;
  if (refusal.action === 'retry' || refusal.action === 'token') {
    await deps.replies.releaseSend(job.dedupeKey); // not sent: a later receive may try again
    throw new RetryLater(refusal.message);
  }
  await recordRefusal(refusal, job.openid, 'async reply not delivered', deps);
  return 'refused';
}
