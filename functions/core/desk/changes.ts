/**
 * How every change of a case is written: the case guarded by the version it was based on, its
 * history line, its audit entry and the messages it adds, in one transaction (CaseStore.save). When
 * two officers act on one case at once, one wins; the other gets a 409 that says who changed the case,
 * how and when, read back from the case's history.
 */
import type { Case, CaseMessage, HistoryEntry } from '../../../schemas/desk.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Actor } from '../vocabulary.ts';
import type { CaseStore, DeskDeps } from './ports.ts';

/** What the audit trail and the history keep of a case: never the citizen's words or number. */
export const caseSummary = (c: Case) => ({
  status: c.status,
  unit: c.unit,
  assignee: c.assignee,
  category: c.category,
  version: c.version,
});

export async function loadCase(store: CaseStore, number: string): Promise<Case> {
  const c = await store.get(number);
  if (!c) throw new NotFoundError(`There is no case ${number}.`);
  return c;
}

/** The 409 for a change based on a version the case has left: who moved it since, and how. */
export async function staleConflict(
  store: CaseStore,
  number: string,
  basedOn: number,
): Promise<ConflictError> {
  const now = await store.get(number);
  const { history } = await store.thread(number);
  const last = history.at(-1);
  const by = last
    ? `the last change was “${last.action}” by ${last.actor} at ${last.at}`
    : 'someone changed it';
  return new ConflictError(
    `Case ${number} changed after you read it (version ${basedOn}; now ${now?.version ?? '?'}, ${now?.status ?? 'gone'}): ${by}. Reload it and try again.`,
    {
      currentVersion: now?.version ?? null,
      currentStatus: now?.status ?? null,
      lastChange: last ?? null,
    },
  );
}

export interface Commit {
  action: string;
  actor: Actor | { sub: string };
  detail?: Record<string, unknown>;
  messages?: readonly CaseMessage[];
}

/** Writes `next` over `before` with its history and audit; a ConflictError saying why when it moved. */
export async function commit(
  before: Case,
  next: Case,
  change: Commit,
  deps: Pick<DeskDeps, 'store' | 'newId' | 'clock'>,
): Promise<Case> {
  const at = next.updatedAt;
  const history: HistoryEntry = {
    at,
    actor: change.actor.sub,
    action: change.action,
    detail: change.detail ?? {},
  };
  const saved = await deps.store.save(next, before.version, {
    audit: {
      id: deps.newId(),
      actor: change.actor.sub,
      at,
      action: `case.${change.action}`,
      entity: `case:${next.number}`,
      before: caseSummary(before),
      after: caseSummary(next),
    },
    history,
    ...(change.messages ? { messages: change.messages } : {}),
  });
  if (!saved) throw await staleConflict(deps.store, next.number, before.version);
  return next;
}

/** A new message of a case. */
export function message(
  fields: Partial<CaseMessage> & Pick<CaseMessage, 'from' | 'at'>,
  newId: () => string,
): CaseMessage {
  return {
    id: newId(),
    author: null,
    text: '',
    attachment: null,
    delivery: null,
    ...fields,
  };
}
