/**
 * Proof of ownership by a code sent by SMS to the phone the platform registered for the plate or
 * licence (DRIVER_VERIFY_BY_SMS), for a follower without the VIN or file number at hand. Pure.
 *
 * Primary course of requestCode (验证 京A12345 短信, 验证驾驶证 <驾驶证号> 短信):
 *  1. off in this deployment: said so, with the VIN (file number) way;
 *  2. a plate must be bound by this follower; verified already, or locked by today's wrong proofs:
 *     said so, nothing sent;
 *  3. the send is counted before the registry is read — at most one a minute and
 *     DRIVER_SMS_CODES_PER_DAY a day per follower, as many a day per plate or licence whoever asks —
 *     so asking about plates that have no record costs the same as asking about one that has;
 *  4. no registered phone (no record, or a record without a phone) is one answer: the SMS way is not
 *     available for it, and the VIN way is offered (the reply does not say which of the two it was);
 *  5. a fresh 6-digit code (crypto random) is kept only as its keyed hash (HMAC under the pepper,
 *     bound to the follower and the subject), pending for DRIVER_SMS_CODE_MINUTES; a follower has one
 *     pending code, a new one replaces it;
 *  6. its SMS is handed to the `driver-codes` queue (./ports.ts CodeJobs), so the webhook holds no
 *     SMS gateway and answers within WeChat's 5 s; the reply says the code is being sent, names the
 *     phone by its last 4 digits only, and what to do if it does not arrive (the VIN way).
 * sendCodeJob (send-driver-code, the queue's consumer): a code withdrawn, replaced or expired since is
 * not sent; otherwise through the SMS delivery path (codeSmsSender: the number's status, the
 * per-number daily cap, the person's cap and at-most-once by push key on the push ledger, the month's
 * budget) — a second delivery of the job finds its push key on the ledger and sends nothing. A send
 * that was blocked (budget, cap, refused, failed) withdraws the code and tells the follower why in a
 * WeChat customer-service message (a follower note: they wrote moments ago, so their window is
 * open; sent at most once by key); a note that cannot be handed on is counted, nothing personal.
 * confirmCode (验证码 123456): the follower's pending code, unexpired (and its plate still bound),
 * through the same course as a
 * VIN (./proof.ts: locked, wrong codes counted against DRIVER_VERIFY_ATTEMPTS and
 * DRIVER_SUBJECT_ATTEMPTS), compared in constant time; a match consumes it (single use, even when two
 * messages race) and verifies ownership as the VIN does. Nothing here is logged: no phone, no code,
 * no plate.
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { DriverCodeJob } from '../../../schemas/drivers.ts';
import { civilDate } from '../time.ts';
import type { PendingCode } from './ports.ts';
import { type DeskDeps, locked, type Ref, type VerifyResult, verify } from './proof.ts';
import { licenceKey, maskLicence, type Subject, vehicleKey } from './subjects.ts';

/** At most one code a follower this often. */
export const CODE_INTERVAL_MS = 60_000;

export type SmsCodeRequest =
  | { kind: 'plate'; plate: string; bound: readonly string[] }
  | { kind: 'licence'; licenceNumber: string };

export type CodeRequestResult =
  | { outcome: 'disabled' | 'not-bound' | 'locked' | 'too-soon' | 'daily-limit' | 'unavailable' }
  | { outcome: 'already'; display: string }
  | { outcome: 'sending'; display: string; phoneTail: string; minutes: number }
  /** The SMS could not be handed to the queue: the code is withdrawn. */
  | { outcome: 'failed' };

export type CodeConfirmResult = VerifyResult | { outcome: 'no-code' } | { outcome: 'disabled' };

/** A 6-digit code, uniformly random (crypto). */
export const newCode = () => randomInt(0, 1_000_000).toString().padStart(6, '0');

/** The code as kept: its keyed hash, bound to the follower and the subject. */
export const codeHash = (pepper: Buffer, ref: Ref, subject: Subject, code: string) =>
  createHmac('sha256', pepper)
    .update(`sms-code:${ref.channel}:${ref.id}:${subject.key}:${code}`)
    .digest('hex');

function codeMatches(pepper: Buffer, ref: Ref, pending: PendingCode, code: string): boolean {
  const given = Buffer.from(codeHash(pepper, ref, pending.subject, code), 'hex');
  const expected = Buffer.from(pending.hash, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const enabled = (deps: DeskDeps) => deps.settings.smsCode?.enabled === true && deps.sms !== undefined;

/** How the code's SMS names the plate or licence (its `subject` value). */
export const SUBJECT_PREFIX = { plate: '车辆', licence: '驾驶证' } as const;

/** The subject and what replies call it, and the registered phone's id and masked form, if any. */
async function registered(req: SmsCodeRequest, deps: DeskDeps) {
  if (req.kind === 'plate') {
    const subject = vehicleKey(deps.pepper, req.plate);
    return {
      subject,
      display: req.plate,
      // The newest registration with a phone, of any plate type.
      phone: async () =>
        (await deps.records.vehicle(subject))
          .filter((r) => r.phone)
          .sort((a, b) => b.asOf.localeCompare(a.asOf))[0]?.phone ?? null,
    };
  }
  const subject = licenceKey(deps.pepper, req.licenceNumber);
  return {
    subject,
    display: maskLicence(req.licenceNumber),
    phone: async () => (await deps.records.licence(subject))?.phone ?? null,
  };
}

export async function requestCode(
  ref: Ref,
  account: string,
  req: SmsCodeRequest,
  deps: DeskDeps,
): Promise<CodeRequestResult> {
  // Only WeChat followers are told in WeChat when a send is blocked.
  if (!enabled(deps) || ref.channel !== 'wechat') return { outcome: 'disabled' };
  const sms = deps.sms!;
  const { minutes, perDay } = deps.settings.smsCode!;
  if (req.kind === 'plate' && !req.bound.includes(req.plate)) return { outcome: 'not-bound' };
  const { subject, display, phone } = await registered(req, deps);
  if ((await deps.ownerships.verified(ref)).some((v) => v.subject.key === subject.key))
    return { outcome: 'already', display };
  const now = deps.clock.now();
  const day = civilDate(now);
  if (await locked(ref, subject, day, deps)) return { outcome: 'locked' };
  const taken = await sms.codes.take(ref, subject, day, now.getTime(), {
    intervalMs: CODE_INTERVAL_MS,
    perDay,
  });
  if (taken !== 'ok') return { outcome: taken };
  const registeredPhone = await phone();
  if (!registeredPhone) return { outcome: 'unavailable' };

  const code = (sms.newCode ?? newCode)();
  const hash = codeHash(deps.pepper, ref, subject, code);
  await sms.codes.put(ref, { subject, display, hash, expiresAtMs: now.getTime() + minutes * 60_000 });
  try {
    await sms.jobs.send({
      phoneId: registeredPhone.id,
      // Opaque: push keys are logged and recorded on the ledger.
      pushKey: `driver-code#${randomBytes(12).toString('hex')}`,
      values: { code, subject: `${SUBJECT_PREFIX[req.kind]}${display}`, minutes: String(minutes) },
      follower: { channel: 'wechat', id: ref.id, accountId: account },
      kind: req.kind,
      hash,
    });
  } catch {
    // Not handed on (or not known to be): withdrawn, so a job that did get through sends nothing.
    await sms.codes.consume(ref, hash);
    return { outcome: 'failed' };
  }
  return { outcome: 'sending', display, phoneTail: registeredPhone.masked.slice(-4), minutes };
}

export async function confirmCode(
  ref: Ref,
  account: string,
  req: { code: string; bound: readonly string[] },
  deps: DeskDeps,
): Promise<{ subject: Subject | null; result: CodeConfirmResult }> {
  if (!enabled(deps)) return { subject: null, result: { outcome: 'disabled' } };
  const codes = deps.sms!.codes;
  const pending = await codes.pending(ref);
  if (!pending || pending.expiresAtMs <= deps.clock.now().getTime())
    return { subject: null, result: { outcome: 'no-code' } };
  // A plate unbound since the code was sent is proved no more than by a VIN.
  const { subject } = pending;
  if (subject.type === 'vehicle' && !req.bound.some((p) => vehicleKey(deps.pepper, p).key === subject.key))
    return { subject, result: { outcome: 'not-bound' } };
  const result = await verify(
    ref,
    account,
    pending.subject,
    pending.display,
    // Consumed by the match: a second message with the same code (or a race) finds none.
    async () => codeMatches(deps.pepper, ref, pending, req.code) && (await codes.consume(ref, pending.hash)),
    'sms-code',
    deps,
  );
  return { subject: pending.subject, result };
}

// Replies ------------------------------------------------------------------------------------------

const HOW_BY_VIN = {
  plate: (plate: string) => `“验证 ${plate} 车架号后6位”（车架号见行驶证）`,
  licence: () => '“验证驾驶证 驾驶证号 档案编号”（档案编号为驾驶证副页上的12位数字）',
};

/** What the follower is told after asking for a code. */
export function codeRequestReply(
  r: CodeRequestResult,
  req: SmsCodeRequest,
  settings: { perDay: number; followerAttempts: number },
): string {
  const what = req.kind === 'plate' ? '车辆' : '驾驶证';
  const alt = req.kind === 'plate' ? HOW_BY_VIN.plate(req.plate) : HOW_BY_VIN.licence();
  const again = req.kind === 'plate' ? `“验证 ${req.plate} 短信”` : '“验证驾驶证 驾驶证号 短信”';
  switch (r.outcome) {
    case 'disabled':
      return `本号暂未开通短信验证，请发送${alt}验证。`;
    case 'not-bound':
      return `请先发送“绑定 ${req.kind === 'plate' ? req.plate : '京A12345'}”绑定车牌，再发送${again}。`;
    case 'already':
      return `${what} ${r.display} 已验证。发送“违法”“记分”“年检”可查询。`;
    case 'locked':
      return `今天的验证次数已用完（每天 ${settings.followerAttempts} 次），请明天再试；如有疑问请拨打 12123。`;
    case 'too-soon':
      return '验证码发送过于频繁，请1分钟后再试。';
    case 'daily-limit':
      return `今天获取验证码的次数已用完（每天 ${settings.perDay} 次），请明天再试，或发送${alt}验证。`;
    case 'unavailable':
      return `该${what}暂不能通过短信验证，请发送${alt}验证。`;
    case 'sending':
      return `验证码正在发送至${what} ${r.display} 登记的尾号${r.phoneTail}的手机，${r.minutes}分钟内有效，收到后请发送“验证码 6位数字”完成验证。如未收到，可1分钟后重新发送${again}，或发送${alt}验证。`;
    case 'failed':
      return `短信暂时未能发送，请稍后再试，或发送${alt}验证。`;
  }
}

/** What the follower is told (a customer-service message) when the job could not send the code. */
export function codeBlockedNote(
  outcome: 'budget' | 'capped' | 'refused' | 'failed',
  job: Pick<DriverCodeJob, 'kind' | 'values'>,
): string {
  const alt =
    job.kind === 'plate'
      ? HOW_BY_VIN.plate(job.values.subject.slice(SUBJECT_PREFIX.plate.length))
      : HOW_BY_VIN.licence();
  const why = {
    budget: '本月短信验证额度已用完',
    capped: '今天发送到该手机的短信已达上限',
    refused: '短信暂时无法送达该手机',
    failed: '短信暂时无法送达该手机',
  }[outcome];
  const next = outcome === 'capped' ? '请明天再试，或' : outcome === 'budget' ? '请' : '请稍后再试，或';
  return `验证码未能发送：${why}，刚才的验证码已作废。${next}发送${alt}验证。`;
}

/** What the follower is told after sending a code, where it is not the VIN path's own answer. */
export function codeConfirmReply(
  r: { outcome: 'no-code' | 'disabled' } | { outcome: 'wrong'; left: number },
) {
  switch (r.outcome) {
    case 'disabled':
      return '本号暂未开通短信验证，请发送“验证 京A12345 车架号后6位”验证。';
    case 'no-code':
      return '没有待使用的验证码，或验证码已过期：请重新发送“验证 京A12345 短信”获取（驾驶证：“验证驾驶证 驾驶证号 短信”）。';
    case 'wrong':
      return `验证码不正确（今天还可尝试 ${r.left} 次），请核对短信后重新发送“验证码 6位数字”。`;
  }
}
