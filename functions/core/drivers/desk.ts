/**
 * What a citizen says to us about their own vehicle or licence (the conversation's driver intents,
 * core/conversation): proving ownership, and asking 违法 / 记分 / 年检. Only a follower who proved
 * ownership gets anything personal; everyone else is told how to prove it. Replies never repeat a
 * VIN, a file number or a licence number (licences are shown masked).
 *
 * Primary course of verification:
 *  1. a plate must be bound by this follower first (licences are not bound);
 *  2. a follower who sent too many wrong proofs for it today, or a plate or licence that received too
 *     many wrong proofs today from anyone, is locked until tomorrow (Asia/Shanghai);
 *  3. the proof is compared in constant time with the salted keyed hash the registry keeps (any plate
 *     type of the plate); a plate or licence the platform has not registered counts as a wrong proof
 *     (so the answer does not tell whether a record exists);
 *  4. verified: the follower is an owner (notices follow), counted in the week's measures.
 * Where the deployment enables it, a code sent by SMS to the registered phone is a proof too
 * (./sms-code.ts); every proof takes the one course of ./proof.ts.
 */
import { daysBetween, isoWeek, today } from '../time.ts';
import type { Verified } from './ports.ts';
import { type DeskDeps, type Ref, type VerifyResult, verify } from './proof.ts';
import {
  codeConfirmReply,
  codeRequestReply,
  confirmCode,
  requestCode,
  type SmsCodeRequest,
} from './sms-code.ts';
import { licenceKey, maskLicence, proofMatches, vehicleKey } from './subjects.ts';

export type { DeskDeps, VerifyResult };

/** 验证 <plate> <VIN last 6>: `bound` are the follower's bound plates (canonical). */
export async function verifyPlate(
  ref: Ref,
  account: string,
  req: { plate: string; vinLast6: string; bound: readonly string[] },
  deps: DeskDeps,
): Promise<VerifyResult> {
  if (!req.bound.includes(req.plate)) return { outcome: 'not-bound' };
  const subject = vehicleKey(deps.pepper, req.plate);
  return verify(
    ref,
    account,
    subject,
    req.plate,
    async () =>
      (await deps.records.vehicle(subject)).some((r) => proofMatches(deps.pepper, r.vin, req.vinLast6)),
    'vin',
    deps,
  );
}

/** 验证驾驶证 <licence number> <file number>. */
export async function verifyLicence(
  ref: Ref,
  account: string,
  req: { licenceNumber: string; fileNumber: string },
  deps: DeskDeps,
): Promise<VerifyResult> {
  const subject = licenceKey(deps.pepper, req.licenceNumber);
  return verify(
    ref,
    account,
    subject,
    maskLicence(req.licenceNumber),
    async () => {
      const r = await deps.records.licence(subject);
      return r !== undefined && proofMatches(deps.pepper, r.file, req.fileNumber);
    },
    'file-number',
    deps,
  );
}

/** A plate unbound: its ownership goes with it (a new binding must verify again). */
export async function plateUnbound(ref: Ref, plates: readonly string[], deps: DeskDeps): Promise<void> {
  const mine = await deps.ownerships.verified(ref);
  for (const plate of plates) {
    const subject = vehicleKey(deps.pepper, plate);
    if (mine.some((v) => v.subject.key === subject.key)) {
      await deps.ownerships.unverify(ref, subject);
      await deps.tally.count(isoWeek(today(deps.clock)), 'verified', -1).catch(() => undefined);
    }
  }
}

/** 解绑驾驶证: every verified licence of the follower. */
export async function licencesUnbound(ref: Ref, deps: DeskDeps): Promise<number> {
  const licences = (await deps.ownerships.verified(ref)).filter((v) => v.subject.type === 'licence');
  for (const l of licences) await deps.ownerships.unverify(ref, l.subject);
  return licences.length;
}

// Replies ------------------------------------------------------------------------------------------

export const HOW_TO_VERIFY_PLATE =
  '为保护个人信息，违法、年检等车辆信息只发送给验证过的车主：请发送“验证 京A12345 车架号后6位”（车牌需先绑定，车架号见行驶证）。';
export const HOW_TO_VERIFY_LICENCE =
  '驾驶证记分只告知验证过的驾驶人本人：请发送“验证驾驶证 驾驶证号 档案编号”（档案编号为驾驶证副页上的12位数字）。';
const HANDOFF = '缴纳罚款、处理违法请使用“交管12123”App。';

export function verifyReply(r: VerifyResult, what: 'plate' | 'licence', limit: number): string {
  switch (r.outcome) {
    case 'verified':
      return `验证成功：${what === 'plate' ? '车辆' : '驾驶证'} ${r.display} 的违法、记分、年检等提醒将发送给您（夜间的提醒在 07:00 后送达）。发送“违法”“记分”“年检”可随时查询。`;
    case 'already':
      return `${what === 'plate' ? '车辆' : '驾驶证'} ${r.display} 已验证。发送“违法”“记分”“年检”可查询。`;
    case 'not-bound':
      return '请先发送“绑定 京A12345”绑定车牌，再发送“验证 京A12345 车架号后6位”。';
    case 'wrong':
      return `验证未通过：${what === 'plate' ? '车架号后6位' : '驾驶证号或档案编号'}与登记信息不符（今天还可尝试 ${r.left} 次）。如刚办理登记，请稍后再试。`;
    case 'locked':
      return `今天的验证次数已用完（每天 ${limit} 次），请明天再试；如有疑问请拨打 12123。`;
  }
}

const fmtDate = (date: string) => {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
};

/** 违法 (and menu 1): the verified plates' unprocessed violations, with the 12123 hand-off. */
export async function violationsReply(ref: Ref, deps: DeskDeps): Promise<string> {
  const vehicles = (await deps.ownerships.verified(ref)).filter((v) => v.subject.type === 'vehicle');
  if (vehicles.length === 0) return `${HOW_TO_VERIFY_PLATE}${HANDOFF}`;
  // Each plate's records are read at once (one round trip however many plates), in the plates' order.
  const records = await Promise.all(vehicles.map((v) => deps.records.violations(v.subject)));
  const lines = vehicles.map((v, i) => {
    const open = records[i]!.filter((x) => x.state === 'unprocessed');
    if (open.length === 0) return `${v.display}：暂无未处理的交通违法。`;
    const fine = open.reduce((n, x) => n + x.fineYuan, 0);
    const points = open.reduce((n, x) => n + x.points, 0);
    return `${v.display}：未处理违法 ${open.length} 条，罚款共 ${fine} 元，记分共 ${points} 分。`;
  });
  return `${lines.join('\n')}\n${HANDOFF}`;
}

/** 记分: the verified licences' points in the cycle. */
export async function pointsReply(ref: Ref, deps: DeskDeps): Promise<string> {
  const licences = (await deps.ownerships.verified(ref)).filter((v) => v.subject.type === 'licence');
  if (licences.length === 0) return HOW_TO_VERIFY_LICENCE;
  const points = await Promise.all(licences.map((l) => deps.records.points(l.subject)));
  const lines = licences.map((l, i) => {
    const p = points[i];
    return p
      ? `驾驶证 ${l.display}：本记分周期已记 ${p.points} 分（满分 12 分）${p.cycleEnd ? `，周期至${fmtDate(p.cycleEnd)}` : ''}。`
      : `驾驶证 ${l.display}：暂无记分信息。`;
  });
  return `${lines.join('\n')}\n详情请见“交管12123”App。`;
}

/** 年检: the verified plates' inspection (and compulsory insurance) dates. */
export async function inspectionReply(ref: Ref, deps: DeskDeps): Promise<string> {
  const vehicles = (await deps.ownerships.verified(ref)).filter((v) => v.subject.type === 'vehicle');
  if (vehicles.length === 0) return HOW_TO_VERIFY_PLATE;
  const day = today(deps.clock);
  const dues = await Promise.all(vehicles.map((v) => deps.records.due(v.subject)));
  const lines: string[] = [];
  for (const [i, v] of vehicles.entries()) {
    const due = dues[i]!;
    const at = (kind: string) => due.find((d) => d.kind === kind);
    const inspection = at('inspection-due');
    const insurance = at('insurance-expiry');
    const when = (date: string) => {
      const days = daysBetween(day, date);
      return days >= 0 ? `（还有 ${days} 天）` : `（已逾期 ${-days} 天，请尽快检验）`;
    };
    lines.push(
      inspection
        ? `${v.display}：检验有效期至${fmtDate(inspection.dueDate)}${when(inspection.dueDate)}。`
        : `${v.display}：暂无检验信息。`,
    );
    if (insurance) lines.push(`${v.display}：交强险至${fmtDate(insurance.dueDate)}。`);
  }
  return `${lines.join('\n')}\n可在到期前3个月内申请检验，预约请使用“交管12123”App。`;
}

export type { Verified };

/** The desk as the conversation uses it (ConversationDeps.drivers). */
export interface DriverDesk {
  verifyPlate(
    ref: Ref,
    account: string,
    req: { plate: string; vinLast6: string; bound: readonly string[] },
  ): Promise<string>;
  verifyLicence(
    ref: Ref,
    account: string,
    req: { licenceNumber: string; fileNumber: string },
  ): Promise<string>;
  query(ref: Ref, what: 'violations' | 'points' | 'inspection'): Promise<string>;
  unbound(ref: Ref, plates: readonly string[]): Promise<void>;
  licencesUnbound(ref: Ref): Promise<string>;
  /** 验证 京A12345 短信 / 验证驾驶证 <号> 短信: a code by SMS to the registered phone (`account`: told there if blocked). */
  requestCode(ref: Ref, account: string, req: SmsCodeRequest): Promise<string>;
  /** 验证码 123456. */
  confirmCode(ref: Ref, account: string, req: { code: string; bound: readonly string[] }): Promise<string>;
}

export function driverDesk(deps: DeskDeps): DriverDesk {
  const limit = deps.settings.followerAttempts;
  return {
    verifyPlate: async (ref, account, req) =>
      verifyReply(await verifyPlate(ref, account, req, deps), 'plate', limit),
    verifyLicence: async (ref, account, req) =>
      verifyReply(await verifyLicence(ref, account, req, deps), 'licence', limit),
    query: (ref, what) =>
      what === 'violations'
        ? violationsReply(ref, deps)
        : what === 'points'
          ? pointsReply(ref, deps)
          : inspectionReply(ref, deps),
    unbound: (ref, plates) => plateUnbound(ref, plates, deps),
    licencesUnbound: async (ref) => {
      const n = await licencesUnbound(ref, deps);
      return n ? '已取消驾驶证验证，将不再收到记分与换证提醒。' : '您还没有验证驾驶证。';
    },
    requestCode: async (ref, account, req) =>
      codeRequestReply(await requestCode(ref, account, req, deps), req, {
        perDay: deps.settings.smsCode?.perDay ?? 0,
        followerAttempts: limit,
      }),
    confirmCode: async (ref, account, req) => {
      const { subject, result } = await confirmCode(ref, account, req, deps);
      if (result.outcome === 'not-bound') return verifyReply(result, 'plate', limit);
      if (result.outcome === 'no-code' || result.outcome === 'disabled' || result.outcome === 'wrong')
        return codeConfirmReply(result);
      return verifyReply(result, subject?.type === 'licence' ? 'licence' : 'plate', limit);
    },
  };
}
