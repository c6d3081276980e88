/**
 * The notice use cases: load, apply one workflow move (./notices.ts), and write the notice with its
 * audit entry in ONE transaction, guarded by the version the move was based on. Publishing also
 * writes, in that same transaction, a restriction-change notice's suspension (one audit entry
 * covers both) and, for notices that reach people, the announcement for the push pipeline
 * (`notice-pushes`), which is sent after the commit and re-sent by the five-minute schedule until
 * it went out.
 *
 * A notice approved with a future publishAt gets a one-off schedule for that version, which
 * publishes it in the minute of its time (publishScheduledNotice); a schedule for a version that
 * moved on is a no-op, and the five-minute sweep (publishDueNotices) publishes any due notice whose
 * schedule could not be created or did not fire. Whichever comes second finds it published.
 */
import type { Notice, NoticeFields, NoticePatch, NoticePushMessage } from '../../../schemas/notices.ts';
import type { Suspension } from '../../../schemas/restrictions.ts';
import type { SmsCatalogue } from '../../../schemas/sms.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { VersionedDataset } from '../restrictions/admin.ts';
import type { Clock } from '../time.ts';
import { civilDate } from '../time.ts';
import type { Actor, AuditEntry } from '../vocabulary.ts';
import {
  createNotice,
  editNotice,
  isDue,
  pushesToPeople,
  restrictionChangeOf,
  type TransitionAction,
  transition,
} from './lifecycle.ts';
import { noticeSms } from './rendering.ts';
import { weChatSending } from './wechat-sending.ts';

export interface NoticeEffects {
  suspension?: { id: string; value: Suspension; expectedVersion: number };
  announce?: NoticePushMessage;
}

export interface NoticeStore {
  get(id: string): Promise<Notice | undefined>;
  list(query: { status?: Notice['status']; kind?: Notice['kind'] }): Promise<Notice[]>;
  /** Writes `next` (stored as version expectedVersion + 1) with its audit entry and effects, atomically; ConflictError if it moved. */
  save(next: Notice, expectedVersion: number, audit: AuditEntry, effects?: NoticeEffects): Promise<Notice>;
}

/**
 * One-off schedules that publish an approved notice version at its publishAt. Best effort: the
 * implementation reports its own failures, and the five-minute sweep covers what it misses.
 */
export interface PublishSchedules {
  /** Schedules the publication of this version; one that already exists is kept. */
  create(notice: { id: string; version: number; publishAt: string }): Promise<void>;
  /** Removes the schedule of this version, if it still exists. */
  remove(notice: { id: string; version: number }): Promise<void>;
}

export interface NoticeWorkflowDeps {
  store: NoticeStore;
  clock: Clock;
  newId: () => string;
  /** Restriction data as stored now (no cache), for restriction-change notices. */
  restrictions: () => Promise<VersionedDataset>;
  accounts: () => Promise<WeChatAccount[]>;
  /** Sends the announcement to the push pipeline and marks it sent; failures are left to the schedule. */
  announce: (message: NoticePushMessage) => Promise<void>;
  /** The SMS templates and part limit, so a notice for SMS is refused before it cannot be sent. */
  sms: { catalogue: SmsCatalogue; maxParts: number };
  /** Stops the push run of a published notice version (a withdrawal): nothing more is sent. */
  stopPush: (noticeId: string, version: number, reason: string) => Promise<void>;
  publishSchedules: PublishSchedules;
}

/**
 * What stands in the way of sending a notice on WeChat (./wechat-sending.ts): a template an account
 * of its audience lacks, values this notice cannot fill validly, a mass send not configured. One
 * message per problem; feed- and SMS-only notices have none.
 */
export function missingTemplates(
  n: Parameters<typeof weChatSending>[0],
  accounts: readonly WeChatAccount[],
): string[] {
  return weChatSending(n, accounts).problems;
}

export async function ensureTemplates(n: Notice, deps: Pick<NoticeWorkflowDeps, 'accounts'>) {
  const missing = missingTemplates(n, await deps.accounts());
  if (missing.length) {
    throw new ValidationError(`Cannot send this notice on WeChat: ${missing.join('; ')}.`, [
      { path: 'channels', message: missing.join('; ') },
    ]);
  }
}

function auditOf(
  deps: NoticeWorkflowDeps,
  actor: Actor,
  action: string,
  id: string,
  before: unknown,
  after: unknown,
) {
  return {
    id: deps.newId(),
    actor: actor.sub,
    at: deps.clock.now().toISOString(),
    action,
    entity: `notice:${id}`,
    before,
    after,
  } satisfies AuditEntry;
}

async function load(id: string, deps: NoticeWorkflowDeps): Promise<Notice> {
  const n = await deps.store.get(id);
  if (!n) throw new NotFoundError(`No notice '${id}'.`);
  return n;
}

export async function draftNotice(fields: NoticeFields, actor: Actor, deps: NoticeWorkflowDeps) {
  const n = createNotice(fields, actor, deps.clock.now(), deps.newId());
  return deps.store.save(n, 0, auditOf(deps, actor, 'notice.create', n.id, null, n));
}

export async function getNotice(id: string, deps: NoticeWorkflowDeps) {
  return load(id, deps);
}

export async function reviseNotice(id: string, patch: NoticePatch, actor: Actor, deps: NoticeWorkflowDeps) {
  const n = await load(id, deps);
  if (patch.version !== n.version) {
    throw new ConflictError(
      `The notice is at version ${n.version}, your change was based on ${patch.version}; reload and try again.`,
      { currentVersion: n.version },
    );
  }
  const next = editNotice(n, patch, deps.clock.now(), actor);
  const saved = await deps.store.save(next, n.version, auditOf(deps, actor, 'notice.edit', id, n, next));
  // Back to review: the approved version's schedule would find it moved on; remove it now.
  if (n.status === 'approved' && n.publishAt) await deps.publishSchedules.remove(n);
  return saved;
}

/** submit | approve | reject | publish | withdraw. */
export async function moveNotice(
  id: string,
  action: TransitionAction,
  actor: Actor,
  deps: NoticeWorkflowDeps,
  reason?: string,
): Promise<Notice> {
  const n = await load(id, deps);
  return apply(n, action, actor, deps, reason);
}

/**
 * Withdrawing a published restriction-change notice undoes what it did to the restriction data, in
 * the same transaction and audit entry: a suspension it declared is lifted from today (or never
 * starts), a resumption it declared is taken back (the suspension continues). 限行 and the next push
 * follow the withdrawal as they followed the notice.
 */
async function withdrawRestrictionChange(n: Notice, next: Notice, actor: Actor, deps: NoticeWorkflowDeps) {
  const data = await deps.restrictions();
  const id = n.suspensionId!;
  const current = data.suspensions.find((s) => s.id === id);
  let effects: NoticeEffects = {};
  let before: unknown = n;
  let after: unknown = next;
  if (current) {
    const today = civilDate(deps.clock.now());
    const reverted: Suspension =
      n.restrictionChange!.type === 'suspension'
        ? { ...current, liftedOn: current.from > today ? current.from : today }
        : { ...current, liftedOn: null };
    effects = {
      suspension: { id, value: reverted, expectedVersion: data.versions.get(`suspension#${id}`) ?? 0 },
    };
    before = { notice: n, suspension: current };
    after = { notice: next, suspension: reverted };
  }
  const audit = auditOf(deps, actor, 'notice.withdraw', n.id, before, after);
  const saved = await deps.store.save(next, n.version, audit, effects);
  if (pushesToPeople(n)) await deps.stopPush(n.id, n.version, `withdrawn: ${next.withdrawal?.reason ?? ''}`);
  return saved;
}

async function apply(
  n: Notice,
  action: TransitionAction,
  actor: Actor,
  deps: NoticeWorkflowDeps,
  reason?: string,
): Promise<Notice> {
  const next = transition(n, action, actor, deps.clock.now(), reason);
  if (action === 'approve' || action === 'publish') {
    await ensureTemplates(next, deps);
    if (next.channels.includes('sms')) {
      const sms = noticeSms(next, deps.sms.catalogue, deps.sms.maxParts);
      if (!sms.withinLimit)
        throw new ValidationError(
          `The SMS would be ${sms.characters} characters = ${sms.parts} billable parts; this deployment sends at most ${sms.maxParts}. Shorten the title or short form.`,
          [{ path: 'shortBody', message: `SMS of ${sms.parts} parts, limit ${sms.maxParts}` }],
        );
    }
  }
  if (action === 'withdraw' && n.restrictionChange && n.suspensionId)
    return withdrawRestrictionChange(n, next, actor, deps);
  if (action !== 'publish') {
    const saved = await deps.store.save(
      next,
      n.version,
      auditOf(deps, actor, `notice.${action}`, n.id, n, next),
    );
    // A withdrawn notice reaches nobody more: its run stops (deferred and queued bundles included).
    if (action === 'withdraw' && pushesToPeople(n))
      await deps.stopPush(n.id, n.version, `withdrawn: ${reason ?? ''}`);
    if (action === 'approve' && saved.publishAt && Date.parse(saved.publishAt) > deps.clock.now().getTime())
      await deps.publishSchedules.create({
        id: saved.id,
        version: saved.version,
        publishAt: saved.publishAt,
      });
    return saved;
  }
  const effects: NoticeEffects = {};
  let before: unknown = n;
  let after: unknown = next;
  if (next.restrictionChange) {
    const data = await deps.restrictions();
    const change = restrictionChangeOf(next, next.restrictionChange, data);
    next.suspensionId = change.id;
    effects.suspension = {
      id: change.id,
      value: change.after,
      expectedVersion: data.versions.get(`suspension#${change.id}`) ?? 0,
    };
    before = { notice: n, suspension: change.before };
    after = { notice: next, suspension: change.after };
  }
  if (pushesToPeople(next))
    effects.announce = { noticeId: n.id, version: n.version + 1, publishedAt: next.publishedAt! };
  const audit = auditOf(
    deps,
    actor,
    next.directPublish ? 'notice.publish-emergency' : 'notice.publish',
    n.id,
    before,
    after,
  );
  const saved = await deps.store.save(next, n.version, audit, effects);
  if (effects.announce) await deps.announce(effects.announce);
  // Published before its time (or by the sweep): its one-off schedule has nothing left to do.
  if (n.status === 'approved' && n.publishAt && actor !== ONE_OFF_SCHEDULE)
    await deps.publishSchedules.remove(n);
  return saved;
}

/** The schedules' actors in the audit trail: the five-minute sweep, and a notice's one-off schedule. */
export const SCHEDULER: Actor = { sub: 'schedule:publish-due-notices', roles: [] };
export const ONE_OFF_SCHEDULE: Actor = { sub: 'schedule:notice-publish', roles: [] };

/**
 * What a notice's one-off schedule does when it fires: publishes that notice version if it is still
 * approved at that version and due. Anything else (edited, published by a reviewer or by the sweep,
 * not due) leaves it as it is and says why.
 */
export async function publishScheduledNotice(
  target: { noticeId: string; version: number },
  deps: NoticeWorkflowDeps,
): Promise<{ published: boolean; reason?: string }> {
  const n = await deps.store.get(target.noticeId);
  if (!n) return { published: false, reason: `no notice '${target.noticeId}'` };
  if (n.status !== 'approved' || n.version !== target.version)
    return {
      published: false,
      reason: `the notice is ${n.status} at version ${n.version}; this schedule was for approved version ${target.version}`,
    };
  if (!isDue(n, deps.clock.now())) return { published: false, reason: `not due before ${n.publishAt}` };
  try {
    await apply(n, 'publish', ONE_OFF_SCHEDULE, deps);
    return { published: true };
  } catch (error) {
    if (error instanceof ConflictError) return { published: false, reason: 'the notice moved meanwhile' };
    throw error;
  }
}

/** Publishes every approved notice whose publishAt has come; one failure does not stop the others. */
export async function publishDueNotices(
  deps: NoticeWorkflowDeps,
  onError: (id: string, error: unknown) => void,
): Promise<string[]> {
  const now = deps.clock.now();
  const published: string[] = [];
  for (const n of await deps.store.list({ status: 'approved' })) {
    if (!isDue(n, now)) continue;
    try {
      await apply(n, 'publish', SCHEDULER, deps);
      published.push(n.id);
    } catch (error) {
      // Published meanwhile (its one-off schedule, a reviewer; the list may lag): not a failure.
      if (error instanceof ConflictError) continue;
      onError(n.id, error);
    }
  }
  return published;
}

/** An announcement younger than this may still be on its way from the request that published it. */
export const RESEND_AFTER_MS = 60_000;

/**
 * Announcements to the push pipeline that a crash or an SNS error left unsent, sent again (planning
 * is idempotent per notice version, so one that did go out plans once). Returns how many.
 */
export async function resendPendingAnnouncements(
  deps: Pick<NoticeWorkflowDeps, 'clock' | 'announce'> & {
    pendingAnnouncements(olderThan: string): Promise<NoticePushMessage[]>;
  },
): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - RESEND_AFTER_MS).toISOString();
  const pending = await deps.pendingAnnouncements(cutoff);
  for (const m of pending) await deps.announce(m);
  return pending.length;
}
