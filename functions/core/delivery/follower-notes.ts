/**
 * Notes to a WeChat follower about a request of their own that another channel completed — the
 * phone that linked itself as their 短信备用 fallback (core/sms/replies.ts), and a code proving a
 * plate whose SMS could not be sent (core/drivers/code-sends.ts). Sent as a
 * customer-service message, within the follower's window (./customer-service.ts), at most once per
 * note.
 *
 * Primary course of sendFollowerNote:
 *  1. the account and its token (a token problem fails before anything is claimed);
 *  2. the note is claimed once by its key; a second delivery of the job sends nothing;
 *  3. the send through the window; outside it nothing is sent and the reason is logged (the follower
 *     asked minutes ago, so this is rare); a transient refusal gives the claim back and is retried;
 *     any other refusal is final and handled as for any customer-service message.
 */
import type { FollowerNoteJob, WeChatAccount } from '../../../schemas/wechat.ts';
import { maskId } from '../privacy.ts';
import { RetryLater } from './async-reply.ts';
import {
  type CustomerServiceDeps,
  type RefusalDeps,
  recordRefusal,
  sendCustomerService,
} from './customer-service.ts';
import type { Telemetry } from './ports.ts';

/** Which notes went out (or were handed to WeChat): claimed once by key. */
export interface NoteClaims {
  /** True for the one sender allowed to send the note. */
  claim(key: string): Promise<boolean>;
  /** Gives the claim back: the note was certainly not sent. */
  release(key: string): Promise<void>;
}

export interface FollowerNoteDeps extends RefusalDeps {
  account(id: string): Promise<WeChatAccount | undefined>;
  notes: NoteClaims;
  customerService: CustomerServiceDeps;
  ensureToken(account: WeChatAccount): Promise<void>;
  telemetry: Telemetry;
}

export async function sendFollowerNote(
  job: FollowerNoteJob,
  deps: FollowerNoteDeps,
): Promise<'sent' | 'already-sent' | 'outside-window' | 'unknown' | 'refused'> {
  const account = await deps.account(job.accountId);
  if (!account) throw new RetryLater(`unknown account ${job.accountId}`);
  await deps.ensureToken(account);
  if (!(await deps.notes.claim(job.key))) return 'already-sent';
  const result = await sendCustomerService(
    account,
    job.openid,
    { type: 'text', content: job.text },
    deps.customerService,
  );
  if (result.status === 'sent') {
    deps.telemetry.metric('WeChatFollowerNotesSent');
    return 'sent';
  }
  if (result.status === 'outside-window') {
    deps.telemetry.log('info', 'follower note not sent: outside the customer-service window', {
      openid: maskId(job.openid),
      reason: result.reason,
    });
    deps.telemetry.metric('WeChatRepliesOutsideWindow');
    return 'outside-window';
  }
  // It may have gone out: the claim stays, so it is never sent twice.
  if (result.status === 'unknown') {
    deps.telemetry.log('warn', 'follower note outcome unknown', { openid: maskId(job.openid) });
    return 'unknown';
  }
  if (result.refusal.action === 'retry' || result.refusal.action === 'token') {
    await deps.notes.release(job.key);
    throw new RetryLater(result.refusal.message);
  }
  await recordRefusal(result.refusal, job.openid, 'follower note not delivered', deps);
  return 'refused';
}
