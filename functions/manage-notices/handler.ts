/**
 * Notices, for editors and reviewers (roles: schemas/roles.ts, checked by httpHandler):
 *   POST  /v1/admin/notices                      draft a notice
 *   GET   /v1/admin/notices?status=&kind=        newest first (100 per status)
 *   GET   /v1/admin/notices/{id}                 one notice with the moves it allows now
 *   PATCH /v1/admin/notices/{id}                 { version, …fields } — an approved notice goes back to review
 *   POST  /v1/admin/notices/{id}/{submit|approve|reject|publish|withdraw}   reject/withdraw: { reason }
 * Each write is one transaction with its audit entry (functions/core/notice-workflow.ts).
 */
import {
  EmptyBodySchema,
  MAX_NOTICE_BODY_BYTES,
  NewNoticeSchema,
  type Notice,
  NoticeIdPathSchema,
  NoticeListQuerySchema,
  NoticePatchSchema,
  ReasonBodySchema,
} from '../../schemas/notices.ts';
import { allowedActions, type TransitionAction } from '../core/notices/lifecycle.ts';
import * as workflow from '../core/notices/workflow.ts';
import { signedIn } from '../shared/auth.ts';
import { httpHandler } from '../shared/http.ts';
import { noticeDeps as deps } from '../shared/notices.ts';

const view = (n: Notice) => ({ ...n, allowedActions: allowedActions(n) });
const max = MAX_NOTICE_BODY_BYTES;

const create = httpHandler({ body: NewNoticeSchema, maxBodyBytes: max }, async (r) => ({
  status: 201,
  body: view(await workflow.draftNotice(r.body, signedIn(r.actor), deps)),
}));
const list = httpHandler({ query: NoticeListQuerySchema }, async (r) => ({
  status: 200,
  body: { notices: (await deps.store.list(r.query)).map(view) },
}));
const get = httpHandler({ path: NoticeIdPathSchema }, async (r) => ({
  status: 200,
  body: view(await workflow.getNotice(r.path.id, deps)),
}));
const edit = httpHandler(
  { path: NoticeIdPathSchema, body: NoticePatchSchema, maxBodyBytes: max },
  async (r) => ({
    status: 200,
    body: view(await workflow.reviseNotice(r.path.id, r.body, signedIn(r.actor), deps)),
  }),
);
const move = (action: TransitionAction) =>
  httpHandler({ path: NoticeIdPathSchema, body: EmptyBodySchema, maxBodyBytes: max }, async (r) => ({
    status: 200,
    body: view(await workflow.moveNotice(r.path.id, action, signedIn(r.actor), deps)),
  }));
const moveWithReason = (action: 'reject' | 'withdraw') =>
  httpHandler({ path: NoticeIdPathSchema, body: ReasonBodySchema, maxBodyBytes: max }, async (r) => ({
    status: 200,
    body: view(await workflow.moveNotice(r.path.id, action, signedIn(r.actor), deps, r.body.reason)),
  }));

type Route = ReturnType<typeof httpHandler>;
const routes: Record<string, Route> = {
  'POST /v1/admin/notices': create as unknown as Route,
  'GET /v1/admin/notices': list as unknown as Route,
  'GET /v1/admin/notices/{id}': get as unknown as Route,
  'PATCH /v1/admin/notices/{id}': edit as unknown as Route,
  'POST /v1/admin/notices/{id}/submit': move('submit') as unknown as Route,
  'POST /v1/admin/notices/{id}/approve': move('approve') as unknown as Route,
  'POST /v1/admin/notices/{id}/publish': move('publish') as unknown as Route,
  'POST /v1/admin/notices/{id}/reject': moveWithReason('reject') as unknown as Route,
  'POST /v1/admin/notices/{id}/withdraw': moveWithReason('withdraw') as unknown as Route,
};

/** One function for the notice routes: dispatch on the API Gateway route key. */
export const handler: Route = ((event, context) => {
  const route = routes[event.routeKey];
  if (!route) throw new Error(`manage-notices has no route ${event.routeKey}`);
  return route(event, context);
}) as Route;
