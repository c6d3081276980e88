/**
 * The officers' desk: the lists per unit (new, mine, open, overdue, closed), a case with its thread
 * and history, and the moves — answer (sent to the citizen on their channel by send-desk-answer),
 * internal note, assign, transfer, close (the citizen is then asked for their satisfaction) — each
 * based on the version the officer read (./changes.ts: a concurrent move is a 409 saying who made it).
 * Cases taken on the hotline or from the web are opened here too. Who may call what is the role
 * matrix; which cases an officer may see is `mayWork` (their units, their own, supervisors all).
 */
import type { Case, DeskConfig, HistoryEntry, StaffCase } from '../../../schemas/desk.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { maskId } from '../privacy.ts';
import type { Actor } from '../vocabulary.ts';
import {
  allowedCaseActions,
  assignTo,
  closeCase,
  ensureMayWork,
  mayWork,
  noteOn,
  overdueDeadline,
  replyTo,
  transferTo,
} from './cases.ts';
import { commit, loadCase, message, staleConflict } from './changes.ts';
import { openAndAcknowledge } from './intake.ts';
import type { AttachmentStorage, DeskDeps } from './ports.ts';
import { unitsOfStaff } from './routing.ts';

export type DeskView = 'new' | 'mine' | 'open' | 'overdue' | 'closed';

/**
 * A case as the desk shows it (StaffCaseSchema): overdue or not, now. The sealed number stays
 * stored; the citizen's openid or number HMAC is masked unless the caller is admin (as in support).
 */
export const listed = (c: Case, now: Date, actor: Actor): StaffCase => ({
  ...c,
  citizen: c.citizen && {
    channel: c.citizen.channel,
    id: actor.roles.includes('admin') ? c.citizen.id : maskId(c.citizen.id),
    account: c.citizen.account,
  },
  overdue: overdueDeadline(c, now),
});

/** The units a staff member's lists cover: one asked for, else theirs (supervisors, admin: all). */
function unitsFor(actor: Actor, config: DeskConfig, unit: string | undefined): string[] {
  const all = config.units.map((u) => u.id);
  const seesAll = actor.roles.includes('admin') || actor.roles.includes('supervisor');
  const { works, supervises } = unitsOfStaff(config, actor.sub);
  const own = all.filter((u) => works.has(u) || supervises.has(u));
  if (unit) return seesAll || own.includes(unit) ? [unit] : [];
  return seesAll ? all : own;
}

export async function listCases(
  query: { view: DeskView; unit?: string | undefined; limit: number },
  actor: Actor,
  deps: DeskDeps,
) {
  const config = await deps.config();
  const now = deps.clock.now();
  const units = unitsFor(actor, config, query.unit);
  let cases: Case[];
  if (query.view === 'mine') cases = await deps.store.byAssignee(actor.sub, query.limit);
  else if (query.view === 'overdue')
    cases = (await Promise.all(units.map((u) => deps.store.due(u, now.toISOString(), query.limit)))).flat();
  else {
    const statuses =
      query.view === 'new'
        ? (['new'] as const)
        : query.view === 'closed'
          ? (['closed'] as const)
          : (['new', 'assigned', 'replied'] as const);
    cases = (await Promise.all(units.map((u) => deps.store.byUnit(u, statuses, query.limit)))).flat();
  }
  const visible = cases.filter((c) => mayWork(c, actor, config));
  const sorted =
    query.view === 'overdue'
      ? visible
          .filter((c) => overdueDeadline(c, now))
          .sort((a, b) => a.firstAnswerDue.localeCompare(b.firstAnswerDue))
      : visible.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { cases: sorted.slice(0, query.limit).map((c) => listed(c, now, actor)) };
}

export async function getCase(number: string, actor: Actor, deps: DeskDeps) {
  const c = await loadCase(deps.store, number);
  ensureMayWork(c, actor, await deps.config());
  return detailOf(c, actor, deps);
}

async function detailOf(c: Case, actor: Actor, deps: DeskDeps) {
  const { messages, history } = await deps.store.thread(c.number);
  return {
    case: listed(c, deps.clock.now(), actor),
    // Attachments as metadata: their content through attachmentContent, for staff who may see the case.
    messages,
    history,
    allowedActions: allowedCaseActions(c),
  };
}

/** The case as the officer read it, or the 409 a stale version gets. */
async function based(number: string, version: number, actor: Actor, deps: DeskDeps) {
  const c = await loadCase(deps.store, number);
  ensureMayWork(c, actor, await deps.config());
  if (c.version !== version) throw await staleConflict(deps.store, number, version);
  return c;
}

export async function answerCase(
  number: string,
  body: { version: number; text: string },
  actor: Actor,
  deps: DeskDeps,
) {
  const c = await based(number, body.version, actor, deps);
  const now = deps.clock.now();
  const next = replyTo(c, actor, now);
  const answer = message(
    {
      from: 'officer',
      at: now.toISOString(),
      author: actor.sub,
      text: body.text,
      delivery: { via: 'none', status: 'pending', detail: null, at: null },
    },
    deps.newId,
  );
  await commit(c, next, { action: 'answer', actor, messages: [answer] }, deps);
  if (!c.firstAnsweredAt)
    // Its p50 is the measures' median time to the first answer.
    deps.metric('DeskFirstAnswerSeconds', Math.round((now.getTime() - Date.parse(c.createdAt)) / 1000), {
      unit: 'Seconds',
      by: { category: c.category, unit: c.unit },
    });
  await deps.queues.answer({ caseNumber: number, messageId: answer.id, kind: 'answer' });
  return getCase(number, actor, deps);
}

export async function noteCase(
  number: string,
  body: { version: number; text: string },
  actor: Actor,
  deps: DeskDeps,
) {
  const c = await based(number, body.version, actor, deps);
  const now = deps.clock.now();
  const note = message(
    { from: 'note', at: now.toISOString(), author: actor.sub, text: body.text },
    deps.newId,
  );
  await commit(c, noteOn(c, now), { action: 'note', actor, messages: [note] }, deps);
  return getCase(number, actor, deps);
}

export async function assignCase(
  number: string,
  body: { version: number; assignee: string },
  actor: Actor,
  deps: DeskDeps,
) {
  const c = await based(number, body.version, actor, deps);
  const next = assignTo(c, body.assignee, await deps.config(), deps.clock.now());
  await commit(c, next, { action: 'assign', actor, detail: { assignee: body.assignee } }, deps);
  return getCase(number, actor, deps);
}

export async function transferCase(
  number: string,
  body: { version: number; unit: string; reason: string },
  actor: Actor,
  deps: DeskDeps,
) {
  const c = await based(number, body.version, actor, deps);
  const next = transferTo(c, body.unit, await deps.config(), deps.clock.now());
  await commit(
    c,
    next,
    { action: 'transfer', actor, detail: { from: c.unit, to: body.unit, reason: body.reason } },
    deps,
  );
  // The officer may no longer see it (another unit): answer with the case as it now stands.
  return { case: listed(next, deps.clock.now(), actor), allowedActions: allowedCaseActions(next) };
}

export async function closeDeskCase(
  number: string,
  body: { version: number; reason?: string | undefined },
  actor: Actor,
  deps: DeskDeps,
) {
  const c = await based(number, body.version, actor, deps);
  const now = deps.clock.now();
  const closed = closeCase(c, now, body.reason);
  // A citizen we can reach is asked once how it went (reply 1 to 3).
  const ask = c.citizen !== null && c.channel !== '12345';
  const question = ask
    ? message(
        {
          from: 'system',
          at: now.toISOString(),
          text: 'satisfaction',
          delivery: { via: 'none', status: 'pending', detail: null, at: null },
        },
        deps.newId,
      )
    : null;
  const next = ask ? { ...closed, satisfactionAskedAt: now.toISOString() } : closed;
  await commit(
    c,
    next,
    {
      action: 'close',
      actor,
      detail: body.reason ? { reason: body.reason } : {},
      ...(question ? { messages: [question] } : {}),
    },
    deps,
  );
  if (question)
    await deps.queues.answer({ caseNumber: number, messageId: question.id, kind: 'satisfaction' });
  return getCase(number, actor, deps);
}

/** A case taken on the hotline or from the web: the number answers go to by SMS, sealed. */
export async function createStaffCase(
  body: {
    channel: 'hotline' | 'web';
    category: Case['category'];
    text: string;
    phone?: string | undefined;
    area?: string | undefined;
  },
  actor: Actor,
  deps: DeskDeps,
) {
  let citizen: Case['citizen'] = null;
  if (body.phone) {
    if (!deps.sealPhone)
      throw new ConflictError('This deployment cannot store phone numbers (no SMS channel).');
    const { id, sealed } = await deps.sealPhone(body.phone);
    citizen = { channel: 'sms', id, account: null, sealedPhone: sealed };
  }
  const opened = await openAndAcknowledge(
    {
      channel: body.channel,
      category: body.category,
      text: body.text,
      citizen,
      area: body.area ?? null,
      externalId: null,
    },
    actor.sub,
    deps,
  );
  // The officer who took the call sees what they registered, wherever the rules routed it (another
  // unit's case is theirs to read again only if they work that unit).
  return detailOf(opened.case, actor, deps);
}

/** An attachment's content, for staff who may see its case. */
export async function attachmentContent(
  number: string,
  attachmentId: string,
  actor: Actor,
  deps: DeskDeps & { storage: AttachmentStorage },
) {
  const c = await loadCase(deps.store, number);
  ensureMayWork(c, actor, await deps.config());
  const { messages } = await deps.store.thread(number);
  const a = messages.find((m) => m.attachment?.id === attachmentId)?.attachment;
  if (!a?.objectKey)
    throw new NotFoundError(
      a
        ? `Attachment ${attachmentId} is ${a.state}${a.reason ? `: ${a.reason}` : ''}.`
        : `Case ${number} has no attachment ${attachmentId}.`,
    );
  const object = await deps.storage.get(a.objectKey);
  if (!object) throw new NotFoundError(`Attachment ${attachmentId} is no longer kept (retention).`);
  return {
    id: a.id,
    contentType: object.contentType,
    bytes: object.bytes.length,
    base64: Buffer.from(object.bytes).toString('base64'),
  };
}

export async function cannedAnswers(category: Case['category'] | undefined, deps: Pick<DeskDeps, 'config'>) {
  const { canned } = await deps.config();
  return {
    canned: canned.filter((a) => !category || a.categories.length === 0 || a.categories.includes(category)),
  };
}

export type { HistoryEntry };
