/**
 * Notices, for editors and reviewers (roles: schemas/routes.ts, checked by the router):
 *   POST  /v1/admin/notices                      draft a notice
 *   GET   /v1/admin/notices?status=&kind=        newest first (100 per status)
 *   GET   /v1/admin/notices/{id}                 one notice with the moves it allows now
 *   PATCH /v1/admin/notices/{id}                 { version, …fields } — an approved notice goes back to review
 *   POST  /v1/admin/notices/{id}/{submit|approve|reject|publish|withdraw}   reject/withdraw: { reason }
 *   GET   /v1/admin/notices/{id}/approved        the version last approved (a reviewer's comparison)
 * Each write is one transaction with its audit entry (functions/core/notices/workflow.ts).
 */
import type { Notice } from '../../schemas/notices.ts';
import { approvedVersion } from '../core/notices/history.ts';
import { allowedActions, type TransitionAction } from '../core/notices/lifecycle.ts';
import * as workflow from '../core/notices/workflow.ts';
import type { Actor } from '../core/vocabulary.ts';
import { httpRouter } from '../shared/http.ts';
import { noticeDeps as deps, noticeHistoryDeps } from '../shared/wiring/notices.ts';

const view = (n: Notice) => ({ ...n, allowedActions: allowedActions(n) });
const ok = async (notice: Promise<Notice>, status = 200) => ({ status, body: view(await notice) });
/** A workflow move; reject and withdraw carry { reason } (their declared body), the others none. */
type Move = { path: { id: string }; actor: Actor; body?: { reason?: string } };
const move =
  (action: TransitionAction) =>
  ({ path, actor, body }: Move) =>
    ok(workflow.moveNotice(path.id, action, actor, deps, body?.reason));

export const handler = httpRouter('manage-notices', {
  'POST /v1/admin/notices': (r) => ok(workflow.draftNotice(r.body, r.actor, deps), 201),
  'GET /v1/admin/notices': async (r) => ({
    status: 200,
    body: { notices: (await deps.store.list(r.query)).map(view) },
  }),
  'GET /v1/admin/notices/{id}': (r) => ok(workflow.getNotice(r.path.id, deps)),
  'PATCH /v1/admin/notices/{id}': (r) => ok(workflow.reviseNotice(r.path.id, r.body, r.actor, deps)),
  'POST /v1/admin/notices/{id}/submit': move('submit'),
  'POST /v1/admin/notices/{id}/approve': move('approve'),
  'POST /v1/admin/notices/{id}/reject': move('reject'),
  'POST /v1/admin/notices/{id}/publish': move('publish'),
  'POST /v1/admin/notices/{id}/withdraw': move('withdraw'),
  'GET /v1/admin/notices/{id}/approved': async (r) => ({
    status: 200,
    body: await approvedVersion(r.path.id, noticeHistoryDeps),
  }),
});
