/**
 * The one course every proof of ownership takes (a VIN's last 6, a file number, a code sent by SMS
 * to the registered phone): already verified; locked by today's wrong proofs (the follower's for
 * this subject, or anyone's for it); the proof compared; verified as an owner (notices follow,
 * counted in the week's measures) or counted as a wrong proof against both limits. Pure.
 */
import { type Clock, civilDate, isoWeek } from '../time.ts';
import type { Channel } from '../vocabulary.ts';
import type { CodeJobs, DriverRecords, Owner, Ownerships, SmsCodes, VerificationTally } from './ports.ts';
import type { Subject } from './subjects.ts';

export interface DeskDeps {
  records: Pick<DriverRecords, 'vehicle' | 'licence' | 'violations' | 'points' | 'due'>;
  ownerships: Ownerships;
  tally: VerificationTally;
  clock: Clock;
  pepper: Buffer;
  settings: {
    followerAttempts: number;
    subjectAttempts: number;
    retentionDays: number;
    /** Proof by a code sent by SMS to the registered phone (DRIVER_VERIFY_BY_SMS); absent: off. */
    smsCode?: { enabled: boolean; minutes: number; perDay: number };
  };
  /**
   * The codes, and the queue their SMS goes by (send-driver-code sends it), where the deployment may
   * prove ownership by SMS (receive-wechat).
   */
  sms?: { codes: SmsCodes; jobs: CodeJobs; newCode?: () => string };
}

export type VerifyResult =
  | { outcome: 'verified' | 'already'; display: string }
  | { outcome: 'not-bound' }
  | { outcome: 'wrong'; left: number }
  | { outcome: 'locked' };

export type Ref = { channel: Channel; id: string };

/** Today's wrong proofs reached either limit. */
export async function locked(ref: Ref, subject: Subject, day: string, deps: DeskDeps): Promise<boolean> {
  const before = await deps.ownerships.failures(ref, subject, day);
  return before.follower >= deps.settings.followerAttempts || before.subject >= deps.settings.subjectAttempts;
}

export async function verify(
  ref: Ref,
  account: string,
  subject: Subject,
  display: string,
  matches: () => Promise<boolean>,
  method: Owner['method'],
  deps: DeskDeps,
): Promise<VerifyResult> {
  const now = deps.clock.now();
  const day = civilDate(now);
  const week = isoWeek(day);
  if ((await deps.ownerships.verified(ref)).some((v) => v.subject.key === subject.key))
    return { outcome: 'already', display };
  const { followerAttempts, subjectAttempts } = deps.settings;
  if (await locked(ref, subject, day, deps)) {
    await deps.tally.count(week, 'locked');
    return { outcome: 'locked' };
  }
  await deps.tally.count(week, 'attempts');
  if (await matches()) {
    const expiresAt = Math.floor(now.getTime() / 1000) + deps.settings.retentionDays * 86_400;
    await deps.ownerships.verify(
      { ...ref, account, verifiedAt: now.toISOString(), method },
      subject,
      display,
      expiresAt,
    );
    await deps.tally.count(week, 'verified', 1);
    return { outcome: 'verified', display };
  }
  const after = await deps.ownerships.recordFailure(ref, subject, day);
  await deps.tally.count(week, 'wrong');
  const left = Math.max(0, followerAttempts - after.follower);
  return left === 0 || after.subject >= subjectAttempts ? { outcome: 'locked' } : { outcome: 'wrong', left };
}
