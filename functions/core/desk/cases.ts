/**
 * A case (诉求), pure: how it is opened (its number, unit and deadlines), the moves officers make on
 * it and what each status allows, what a citizen's later message does to it, and when it is overdue.
 *
 *   new ──assign──► assigned ──reply──► replied ──close──► closed
 *    │ └────────────reply─────────────────▲  │                │
 *    └──transfer (back to new, another unit) └─citizen writes─┘ (within reopenDays: assigned again)
 *
 * Every move is checked against the status (a ConflictError listing what is allowed now) and bumps
 * the version the store guards; who may make it at all is the role matrix and `mayWork`.
 */
import {
  CATEGORY_WORDS,
  type Case,
  type CaseCategory,
  type CaseChannel,
  type CaseMessage,
  type CaseStatus,
  type Citizen,
  type DeskConfig,
} from '../../../schemas/desk.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../errors.ts';
import type { CalendarIndex } from '../restrictions/calendar.ts';
import { civilDate } from '../time.ts';
import type { Actor } from '../vocabulary.ts';
import { routeCase, unitOf, unitsOfStaff } from './routing.ts';
import { addWorkingDays, addWorkingHours } from './working-time.ts';

export type CaseAction = 'reply' | 'note' | 'assign' | 'transfer' | 'close';

const MOVES: Record<CaseStatus, readonly CaseAction[]> = {
  new: ['reply', 'note', 'assign', 'transfer', 'close'],
  assigned: ['reply', 'note', 'assign', 'transfer', 'close'],
  replied: ['reply', 'note', 'assign', 'transfer', 'close'],
  closed: ['note'],
};

export const allowedCaseActions = (c: Pick<Case, 'status'>): CaseAction[] => [...MOVES[c.status]];

export function ensureCaseAllows(c: Case, action: CaseAction): void {
  const allowed = allowedCaseActions(c);
  if (!allowed.includes(action))
    throw new ConflictError(
      `Case ${c.number} is ${c.status}; it cannot be ${PAST[action]} now. Allowed: ${allowed.join(', ')}.`,
      { currentStatus: c.status, allowed },
    );
}
const PAST: Record<CaseAction, string> = {
  reply: 'answered',
  note: 'noted',
  assign: 'assigned',
  transfer: 'transferred',
  close: 'closed',
};

/** yymmdd (Asia/Shanghai) and the day's sequence: 2612010042. */
export function caseNumber(now: Date, sequence: number): string {
  return `${civilDate(now).replace(/-/g, '').slice(2)}${String(sequence).padStart(4, '0')}`;
}

/** The first words of a text, for lists and notices (60 characters). */
export const subjectOf = (text: string) => {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= 60 ? one : `${one.slice(0, 59)}…`;
};

export interface OpenCase {
  channel: CaseChannel;
  category: CaseCategory;
  text: string;
  citizen: Citizen | null;
  area: string | null;
  externalId: string | null;
}

export interface DeskContext {
  config: DeskConfig;
  calendar: CalendarIndex;
  retentionDays: number;
}

/** A new case and its first message: routed, with both deadlines counted in working time. */
export function openCase(
  input: OpenCase,
  ctx: DeskContext,
  now: Date,
  number: string,
  messageId: string,
): { case: Case; message: CaseMessage } {
  const deadline = ctx.config.deadlines[input.category];
  const at = now.toISOString();
  const c: Case = {
    number,
    channel: input.channel,
    category: input.category,
    subject: subjectOf(input.text),
    citizen: input.citizen,
    externalId: input.externalId,
    area: input.area,
    unit: routeCase(ctx.config, input),
    assignee: null,
    status: 'new',
    version: 1,
    createdAt: at,
    updatedAt: at,
    firstAnswerDue: addWorkingHours(
      ctx.calendar,
      ctx.config.workingHours,
      now,
      deadline.firstAnswerHours,
    ).toISOString(),
    resolutionDue: addWorkingDays(
      ctx.calendar,
      ctx.config.workingHours,
      now,
      deadline.resolutionDays,
    ).toISOString(),
    firstAnsweredAt: null,
    closedAt: null,
    escalatedAt: null,
    escalation: null,
    lastCitizenAt: at,
    satisfaction: null,
    satisfactionAskedAt: null,
    expiresAt: Math.floor(now.getTime() / 1000) + ctx.retentionDays * 86_400,
  };
  const message: CaseMessage = {
    id: messageId,
    at,
    from: input.channel === 'hotline' || input.channel === 'web' ? 'system' : 'citizen',
    author: null,
    text: input.text,
    attachment: null,
    delivery: null,
  };
  return { case: c, message };
}

/** Whether a staff member may see and work a case: its unit's officers and supervisors, the assignee, supervisors, admin. */
export function mayWork(c: Pick<Case, 'unit' | 'assignee'>, actor: Actor, config: DeskConfig): boolean {
  if (actor.roles.includes('admin') || actor.roles.includes('supervisor')) return true;
  if (c.assignee === actor.sub) return true;
  const { works, supervises } = unitsOfStaff(config, actor.sub);
  return works.has(c.unit) || supervises.has(c.unit);
}

export function ensureMayWork(c: Case, actor: Actor, config: DeskConfig): void {
  if (!mayWork(c, actor, config))
    throw new ForbiddenError(
      `Case ${c.number} belongs to ${unitOf(config, c.unit)?.name ?? c.unit}; only its officers, its supervisors and the assignee may see it.`,
    );
}

const touched = (c: Case, now: Date): Case => ({
  ...c,
  version: c.version + 1,
  updatedAt: now.toISOString(),
});

/** An officer's answer to the citizen: the case is theirs if nobody had it; the first answer is timed. */
export function replyTo(c: Case, actor: Actor, now: Date): Case {
  ensureCaseAllows(c, 'reply');
  return {
    ...touched(c, now),
    status: 'replied',
    assignee: c.assignee ?? actor.sub,
    firstAnsweredAt: c.firstAnsweredAt ?? now.toISOString(),
  };
}

export function noteOn(c: Case, now: Date): Case {
  ensureCaseAllows(c, 'note');
  return touched(c, now);
}

export function assignTo(c: Case, assignee: string, config: DeskConfig, now: Date): Case {
  ensureCaseAllows(c, 'assign');
  const { works, supervises } = unitsOfStaff(config, assignee);
  if (!works.has(c.unit) && !supervises.has(c.unit))
    throw new ValidationError(
      `${assignee} is not an officer of ${unitOf(config, c.unit)?.name ?? c.unit}; transfer the case to their unit first.`,
      [{ path: 'body.assignee', message: 'not an officer of the case’s unit' }],
    );
  return { ...touched(c, now), assignee, status: c.status === 'new' ? 'assigned' : c.status };
}

export function transferTo(c: Case, unit: string, config: DeskConfig, now: Date): Case {
  ensureCaseAllows(c, 'transfer');
  if (!unitOf(config, unit))
    throw new ValidationError(`There is no unit '${unit}'.`, [
      { path: 'body.unit', message: 'unknown unit' },
    ]);
  if (unit === c.unit) throw new ConflictError(`Case ${c.number} is already with ${unit}.`, { unit });
  return { ...touched(c, now), unit, assignee: null, status: c.firstAnsweredAt ? 'assigned' : 'new' };
}

export function closeCase(c: Case, now: Date, reason: string | undefined): Case {
  ensureCaseAllows(c, 'close');
  if (c.status !== 'replied' && !reason)
    throw new ValidationError(
      `Case ${c.number} has not been answered; give a reason to close it unanswered (a duplicate, withdrawn by the citizen …).`,
      [{ path: 'body.reason', message: 'required to close a case nobody answered' }],
    );
  return { ...touched(c, now), status: 'closed', closedAt: now.toISOString() };
}

/**
 * The citizen wrote again about this case: an answered or closed case needs an answer again
 * (assigned to whoever had it, else new); a new or assigned one just gets the message.
 */
export function citizenWrote(c: Case, now: Date): Case {
  const status: CaseStatus =
    c.status === 'replied' || c.status === 'closed' ? (c.assignee ? 'assigned' : 'new') : c.status;
  return { ...touched(c, now), status, lastCitizenAt: now.toISOString(), closedAt: null };
}

const DAY_MS = 86_400_000;

/**
 * Whether a citizen's message that is no command belongs to this case: a case being worked within
 * `followUpMinutes` of the last exchange (SMS, slower: any time while open); an answered case while
 * the answer is recent, and a closed one within `reopenDays` of closing (it is reopened).
 */
export function takesFollowUp(
  c: Case,
  config: DeskConfig,
  now: Date,
  pace: 'chat' | 'sms' = 'chat',
): boolean {
  const t = now.getTime();
  const days = config.reopenDays * DAY_MS;
  if (c.status === 'closed') return t - Date.parse(c.closedAt ?? c.updatedAt) <= days;
  if (c.status === 'replied' || pace === 'sms') return t - Date.parse(c.updatedAt) <= days;
  const last = Math.max(Date.parse(c.lastCitizenAt ?? c.createdAt), Date.parse(c.updatedAt));
  return t - last <= config.followUpMinutes * 60_000;
}

/** The satisfaction question is answered (1 satisfied … 3 not satisfied) within 7 days of asking. */
export const SATISFACTION_DAYS = 7;
export function awaitsSatisfaction(c: Case, now: Date): boolean {
  return (
    c.status === 'closed' &&
    c.satisfaction === null &&
    c.satisfactionAskedAt !== null &&
    now.getTime() - Date.parse(c.satisfactionAskedAt) <= SATISFACTION_DAYS * 86_400_000
  );
}
export function rate(c: Case, score: 1 | 2 | 3, now: Date): Case {
  return { ...touched(c, now), satisfaction: score };
}

/** Which deadline an open case has passed, if any (the first answer's first). */
export function overdueDeadline(c: Case, now: Date): 'first-answer' | 'resolution' | null {
  if (c.status === 'closed') return null;
  if (!c.firstAnsweredAt && now.getTime() > Date.parse(c.firstAnswerDue)) return 'first-answer';
  if (now.getTime() > Date.parse(c.resolutionDue)) return 'resolution';
  return null;
}

/** The next deadline an open case must meet (what the due index sorts it by); null once closed. */
export function nextDue(c: Case): string | null {
  if (c.status === 'closed') return null;
  return c.firstAnsweredAt ? c.resolutionDue : c.firstAnswerDue;
}

/** An escalation (督办) of an overdue case: recorded once per deadline. */
export function escalate(c: Case, which: 'first-answer' | 'resolution', now: Date): Case | null {
  if (c.escalation === which || (c.escalation === 'resolution' && which === 'first-answer')) return null;
  return { ...touched(c, now), escalatedAt: now.toISOString(), escalation: which };
}

/** "12月3日 17:00": a deadline as a citizen reads it. */
export function dueText(iso: string): string {
  const d = new Date(Date.parse(iso) + 8 * 3600_000);
  const hm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${hm}`;
}

/** What every new case tells its citizen: the number and when to expect an answer. */
export function acknowledgementText(c: Pick<Case, 'number' | 'category' | 'firstAnswerDue'>): string {
  return `您的${CATEGORY_WORDS[c.category]}已受理，编号 ${c.number}。我们将在 ${dueText(c.firstAnswerDue)} 前答复您。补充情况可直接回复文字、图片或语音；发送“查询留言”可查看办理进度。`;
}

export const satisfactionQuestion = (number: string) =>
  `您的留言（编号 ${number}）已办结。请对办理结果评价：回复 1 满意，2 基本满意，3 不满意。`;

export const STATUS_WORDS: Record<CaseStatus, string> = {
  new: '已受理',
  assigned: '办理中',
  replied: '已答复',
  closed: '已办结',
};
