/**
 * What a reviewer compares against: the notice as it was last approved. The audit trail holds every
 * move with the notice before and after it, so the approved version is the `after` of the latest
 * approval — searched on the days from the notice's creation to today (at most MAX_HISTORY_DAYS).
 */
import { type Notice, NoticeSchema } from '../../../schemas/notices.ts';
import { NotFoundError } from '../errors.ts';
import { addDays, type Clock, daysBetween } from '../time.ts';
import type { AuditEntry } from '../vocabulary.ts';

export const MAX_HISTORY_DAYS = 92;

export interface NoticeHistoryDeps {
  notice(id: string): Promise<Notice | undefined>;
  /** The entity's audit entries on these UTC days, oldest first. */
  auditOf(entity: string, days: readonly string[]): Promise<AuditEntry[]>;
  clock: Clock;
}

export async function approvedVersion(id: string, deps: NoticeHistoryDeps) {
  const notice = await deps.notice(id);
  if (!notice) throw new NotFoundError(`No notice '${id}'.`);
  const today = deps.clock.now().toISOString().slice(0, 10);
  const created = notice.createdAt.slice(0, 10);
  const from = daysBetween(created, today) > MAX_HISTORY_DAYS ? addDays(today, -MAX_HISTORY_DAYS) : created;
  const days = Array.from({ length: daysBetween(from, today) + 1 }, (_, i) => addDays(from, i));
  const approvals = (await deps.auditOf(`notice:${id}`, days)).filter((e) => e.action === 'notice.approve');
  const last = approvals.at(-1);
  const approved = last ? NoticeSchema.safeParse(last.after) : undefined;
  return {
    notice: approved?.success ? approved.data : null,
    approvedBy: last?.actor ?? null,
    approvedAt: last?.at ?? null,
    searchedFrom: from,
  };
}
