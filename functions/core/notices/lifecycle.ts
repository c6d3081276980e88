/**
 * Notices: the workflow, pure. draft → in-review → approved → published; a reviewer rejects (with a
 * reason, back to draft) or withdraws a published notice (with a reason; it stays visible as
 * withdrawn). Nobody approves their own notice; an edit after approval sends it back to review; an
 * emergency may be published by a reviewer straight from draft or review (recorded as such). Any
 * other move is a ConflictError listing the moves the notice allows now. Who may attempt a move at
 * all is the role matrix (schemas/roles.ts), checked at the HTTP edge.
 */
import {
  type Notice,
  type NoticeFields,
  type NoticePatch,
  type NoticeStatus,
  noticeIssues,
  type RestrictionChange,
} from '../../../schemas/notices.ts';
import type { Suspension } from '../../../schemas/restrictions.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../errors.ts';
import type { Actor } from '../vocabulary.ts';

export type NoticeAction = 'edit' | 'submit' | 'approve' | 'reject' | 'publish' | 'withdraw';
export type TransitionAction = Exclude<NoticeAction, 'edit'>;

/** The moves each status allows (publish from draft / in-review: emergencies only). */
const MOVES: Record<NoticeStatus, readonly NoticeAction[]> = {
  draft: ['edit', 'submit', 'publish'],
  'in-review': ['edit', 'approve', 'reject', 'publish'],
  approved: ['edit', 'publish'],
  published: ['withdraw'],
  withdrawn: [],
};

export function allowedActions(n: Pick<Notice, 'status' | 'priority'>): NoticeAction[] {
  return MOVES[n.status].filter(
    (a) => !(a === 'publish' && n.status !== 'approved' && n.priority !== 'emergency'),
  );
}

function ensureAllowed(n: Notice, action: NoticeAction): void {
  const allowed = allowedActions(n);
  if (!allowed.includes(action)) {
    throw new ConflictError(
      `A ${n.status} ${n.priority} notice cannot be ${PAST[action]}; allowed now: ${allowed.join(', ') || 'nothing (final)'}.`,
      { currentStatus: n.status, allowed },
    );
  }
}

const PAST: Record<NoticeAction, string> = {
  edit: 'edited',
  submit: 'submitted',
  approve: 'approved',
  reject: 'rejected',
  publish: 'published',
  withdraw: 'withdrawn',
};

function validate(fields: NoticeFields): void {
  const issues = noticeIssues(fields);
  if (issues.length) {
    throw new ValidationError(
      issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      issues.map((i) => ({ path: ['body', ...i.path].join('.'), message: i.message })),
    );
  }
}

function ensureFuturePublishAt(publishAt: string | null, now: Date): void {
  if (publishAt !== null && Date.parse(publishAt) <= now.getTime()) {
    throw new ValidationError(`publishAt ${publishAt} is in the past; give a future time or null.`, [
      { path: 'body.publishAt', message: 'the scheduled time is in the past' },
    ]);
  }
}

/** A new draft. */
export function createNotice(fields: NoticeFields, actor: Actor, now: Date, id: string): Notice {
  validate(fields);
  ensureFuturePublishAt(fields.publishAt, now);
  const at = now.toISOString();
  return {
    id,
    ...fields,
    status: 'draft',
    // Each state carries the version it is stored as, so the audit trail records what the API returns.
    version: 1,
    createdBy: actor.sub,
    editedBy: [],
    createdAt: at,
    updatedAt: at,
    submittedAt: null,
    approvedBy: null,
    approvedAt: null,
    publishedBy: null,
    publishedAt: null,
    directPublish: false,
    rejection: null,
    withdrawal: null,
    suspensionId: null,
  };
}

/** An edit; an approved notice goes back to review (its approval no longer covers what it says). */
export function editNotice(
  n: Notice,
  patch: Omit<NoticePatch, 'version'>,
  now: Date,
  editor?: Actor,
): Notice {
  ensureAllowed(n, 'edit');
  const { version: _v, ...changes } = patch as NoticePatch;
  const merged = { ...n, ...changes };
  validate(merged);
  if (changes.publishAt !== undefined) ensureFuturePublishAt(changes.publishAt, now);
  const backToReview = n.status === 'approved';
  return {
    ...merged,
    status: backToReview ? 'in-review' : n.status,
    editedBy:
      editor && !n.editedBy.includes(editor.sub) && editor.sub !== n.createdBy
        ? [...n.editedBy, editor.sub]
        : n.editedBy,
    approvedBy: backToReview ? null : n.approvedBy,
    approvedAt: backToReview ? null : n.approvedAt,
    updatedAt: now.toISOString(),
    version: n.version + 1,
  };
}

/** Four eyes: whoever drafted or edited the text may not approve (or directly publish) it. */
function notOwn(n: Notice, actor: Actor, what: string): void {
  if (n.createdBy === actor.sub || n.editedBy.includes(actor.sub))
    throw new ForbiddenError(
      `You ${n.createdBy === actor.sub ? 'drafted' : 'edited'} this notice; another reviewer has to ${what} it.`,
    );
}

/** One workflow move. `reason` is required for reject and withdraw (the request schema ensures it). */
export function transition(
  n: Notice,
  action: TransitionAction,
  actor: Actor,
  now: Date,
  reason?: string,
): Notice {
  ensureAllowed(n, action);
  const at = now.toISOString();
  const base = { ...n, updatedAt: at, version: n.version + 1 };
  switch (action) {
    case 'submit':
      return { ...base, status: 'in-review', submittedAt: at };
    case 'approve':
      notOwn(n, actor, 'approve');
      return { ...base, status: 'approved', approvedBy: actor.sub, approvedAt: at };
    case 'reject':
      return {
        ...base,
        status: 'draft',
        rejection: { by: actor.sub, at, reason: reason ?? '' },
        approvedBy: null,
        approvedAt: null,
      };
    case 'publish': {
      const direct = n.status !== 'approved';
      if (direct) notOwn(n, actor, 'publish');
      if (n.effectiveTo !== null && Date.parse(n.effectiveTo) <= now.getTime()) {
        throw new ValidationError(`The notice's effective window ended at ${n.effectiveTo}; edit it first.`, [
          { path: 'effectiveTo', message: 'the effective window has ended' },
        ]);
      }
      return {
        ...base,
        status: 'published',
        publishedBy: actor.sub,
        publishedAt: at,
        directPublish: direct,
        publishAt: n.publishAt,
      };
    }
    case 'withdraw':
      return { ...base, status: 'withdrawn', withdrawal: { by: actor.sub, at, reason: reason ?? '' } };
  }
}

/** Approved, scheduled, and its time has come. */
export const isDue = (n: Notice, now: Date) =>
  n.status === 'approved' && n.publishAt !== null && Date.parse(n.publishAt) <= now.getTime();

/** Whether publishing it reaches people (the push pipeline), not only the feed. */
export const pushesToPeople = (n: Pick<Notice, 'channels'>) =>
  n.channels.some((c) => c === 'wechat' || c === 'sms');

/** The push category the pipeline caps it in. */
export const pushCategory = (n: Pick<Notice, 'priority'>) =>
  n.priority === 'emergency' ? ('emergency' as const) : ('notice' as const);

/** The suspension record a restriction-change notice writes when published. */
export const suspensionIdFor = (noticeId: string) => `notice-${noticeId}`;

/**
 * What publishing a restriction-change notice does to the restriction data: the suspension to add
 * or the existing one to lift, as the record after the change and the record before (null = new).
 */
export function restrictionChangeOf(
  n: Pick<Notice, 'id' | 'city' | 'restrictionChange'>,
  change: RestrictionChange,
  data: { suspensions: readonly Suspension[]; rules: readonly { city: string }[] },
): { id: string; before: Suspension | null; after: Suspension } {
  if (change.type === 'suspension') {
    if (!data.rules.some((r) => r.city === n.city)) {
      throw new ValidationError(`No restriction data for city '${n.city}': nothing to suspend.`, [
        { path: 'city', message: 'no restriction rules in this city' },
      ]);
    }
    const id = suspensionIdFor(n.id);
    return {
      id,
      before: null,
      after: {
        id,
        city: n.city,
        from: change.from,
        to: change.to,
        reason: change.reason,
        noticeId: n.id,
        liftedOn: null,
        sources: [],
      },
    };
  }
  const s = data.suspensions.find((x) => x.id === change.suspensionId && x.city === n.city);
  if (!s) {
    throw new ValidationError(`No suspension '${change.suspensionId}' in '${n.city}' to resume from.`, [
      { path: 'restrictionChange.suspensionId', message: 'unknown suspension in this city' },
    ]);
  }
  if (s.liftedOn !== null)
    throw new ConflictError(`Suspension '${s.id}' was already lifted on ${s.liftedOn}.`, { allowed: [] });
  if (change.on < s.from) {
    throw new ValidationError(`Resumption on ${change.on} is before the suspension starts (${s.from}).`, [
      { path: 'restrictionChange.on', message: 'before the suspension starts' },
    ]);
  }
  return { id: s.id, before: s, after: { ...s, liftedOn: change.on } };
}
