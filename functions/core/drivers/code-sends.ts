/**
 * The code's SMS, sent by the `driver-codes` queue's consumer (send-driver-code) away from the
 * webhook: the code the follower asked for (./sms-code.ts requestCode) through the one SMS delivery
 * path. Pure.
 *
 * Primary course of sendCodeJob:
 *  1. a code withdrawn, replaced or expired since the job was queued is not sent;
 *  2. the SMS through deliverSms (codeSmsSender): the number's status (a TD there stops it), the
 *     per-number daily cap, a `transactional` reservation on the person's ledger by the job's push
 *     key (a second delivery of the job finds it there: `duplicate`, nothing sent) and the month's
 *     budget;
 *  3. sent, or its outcome unknown (it may have gone out): done — the follower was told it is on its
 *     way;
 *  4. blocked (budget, the phone's cap, refused, failed): the code is withdrawn and the follower told
 *     why, with the VIN way, in a WeChat customer-service message (a follower note on the
 *     `wechat-replies` queue: they wrote moments ago, so the window is open; sent at most once by
 *     its key); a note that cannot be handed on is counted (DriverCodeNotesFailed).
 * Nothing personal is logged: the push key is opaque; no phone, code or plate.
 */
import type { DriverCodeJob } from '../../../schemas/drivers.ts';
import { deliverSms, type SmsDeliverDeps } from '../delivery/sms.ts';
import type { FollowerNotes } from '../sms/replies.ts';
import { type Clock, civilDate } from '../time.ts';
import { SMS_TEMPLATE } from './notices.ts';
import type { CodeSms, SmsCodes } from './ports.ts';
import { codeBlockedNote } from './sms-code.ts';

export interface CodeJobDeps {
  codes: Pick<SmsCodes, 'pending' | 'consume' | 'claimSend'>;
  sender: CodeSms;
  /** The customer-service message that tells the follower a send was blocked (once, by key). */
  followers: FollowerNotes;
  clock: Clock;
  log(level: 'info' | 'warn', message: string, details: Record<string, unknown>): void;
  metric(name: string): void;
}

export type CodeJobResult = 'withdrawn' | Awaited<ReturnType<CodeSms['send']>>;

/** The `driver-codes` queue's job: the code's SMS, or its withdrawal and the follower told why. */
export async function sendCodeJob(job: DriverCodeJob, deps: CodeJobDeps): Promise<CodeJobResult> {
  const ref = { channel: job.follower.channel, id: job.follower.id };
  const { pushKey } = job;
  const pending = await deps.codes.pending(ref);
  if (!pending || pending.hash !== job.hash || pending.expiresAtMs <= deps.clock.now().getTime()) {
    deps.log('info', 'driver code not sent: withdrawn, replaced or expired since', { pushKey });
    deps.metric('DriverCodesWithdrawnBeforeSend');
    return 'withdrawn';
  }
  // Once per code: a redelivered job finds it claimed (the ledger's push key alone would not hold
  // across midnight). A crash after the claim leaves the code unsent; the follower may ask again.
  if (!(await deps.codes.claimSend(ref, job.hash))) {
    deps.log('info', 'driver code SMS duplicate: not sent again', { pushKey });
    return 'duplicate';
  }
  const sent = await deps.sender.send({ phoneId: job.phoneId }, { pushKey, values: { ...job.values } });
  if (sent === 'sent' || sent === 'uncertain' || sent === 'duplicate') {
    if (sent === 'sent') deps.metric('DriverCodesSent');
    else deps.log('info', `driver code SMS ${sent}: not sent again`, { pushKey });
    return sent;
  }
  // Nothing went out: the code is withdrawn (unless it was answered, replaced or withdrawn meanwhile).
  deps.metric('DriverCodesBlocked');
  if (!(await deps.codes.consume(ref, job.hash))) return sent;
  try {
    await deps.followers.tell(
      { openid: job.follower.id, accountId: job.follower.accountId },
      `${pushKey}#blocked`,
      codeBlockedNote(sent, job),
    );
  } catch (error) {
    deps.log('warn', 'driver code blocked; the follower could not be told', {
      pushKey,
      outcome: sent,
      error: error instanceof Error ? error.name : 'unknown',
    });
    deps.metric('DriverCodeNotesFailed');
  }
  return sent;
}

// Sending ------------------------------------------------------------------------------------------

/**
 * The code's SMS through the one SMS delivery path (core/delivery/sms.ts deliverSms), as a
 * `transactional` message to the registered phone: its status (a TD there stops it), the
 * per-number daily cap, the person's cap and at-most-once on the push ledger, the month's budget.
 * Counted on the day's run `driver-code#<date>`; the code itself is only in the message.
 */
export function codeSmsSender(deps: SmsDeliverDeps): CodeSms {
  return {
    async send(to, message) {
      const outcome = await deliverSms(
        {
          subscriberId: to.phoneId,
          category: 'transactional',
          pushKey: message.pushKey,
          runKey: `driver-code#${civilDate(deps.clock.now())}`,
          bundle: message.pushKey,
          values: { [SMS_TEMPLATE]: 'driver-code', ...message.values },
          registeredPhone: true,
        },
        deps,
      );
      switch (outcome) {
        case 'sent':
        case 'duplicate':
        case 'budget':
        case 'capped':
          return outcome;
        case 'unknown-outcome':
          return 'uncertain';
        case 'opted-out':
        case 'unfollowed':
        case 'blocked':
        case 'provider-permanent':
          return 'refused';
        default:
          return 'failed';
      }
    },
  };
}
