/**
 * Operators (roles: schemas/routes.ts, checked by the router):
 *   GET /v1/admin/stats?weeks=8                       followers, active, bound plates by city, pushes and
 *                                                     unfollows per 1,000 by category and week, SMS spend
 *   GET /v1/admin/subscribers/{channel}/{id}          support view (masked unless role admin), recent pushes
 *   GET /v1/admin/audit?from=&to=&actor=&action=      the audit trail (read only; no route edits it)
 */
import { PUSH_CATEGORIES } from '../../schemas/vocabulary.ts';
import { found } from '../core/errors.ts';
import { auditRange, followerCounts, matchesAction } from '../core/operations/reports.ts';
import { supportViewWithPushes } from '../core/operations/support.ts';
import { budgetMonth, budgetReport } from '../core/sms/budget.ts';
import { clock } from '../shared/clock.ts';
import { httpRouter } from '../shared/http.ts';
import { reportDeps } from '../shared/wiring/operations.ts';
import { pushStats } from '../shared/wiring/pushes.ts';

const deps = reportDeps();

export const handler = httpRouter('report-operations', {
  'GET /v1/admin/stats': async ({ query }) => ({
    status: 200,
    body: {
      ...followerCounts(await deps.audience.census()),
      pushes: await pushStats().report(PUSH_CATEGORIES, clock.now(), query.weeks),
      sms: await budgetReport(budgetMonth(clock.now()), deps.sms),
    },
  }),
  'GET /v1/admin/subscribers/{channel}/{id}': async ({ path, actor }) => {
    const s = found(await deps.subscribers.get(path), `No ${path.channel} subscriber with that id.`);
    return { status: 200, body: await supportViewWithPushes(s, actor.roles.includes('admin'), deps) };
  },
  'GET /v1/admin/audit': async ({ query }) => {
    const range = auditRange(query, clock.now());
    const entries = (await deps.audit(range, query.actor)).filter((e) =>
      matchesAction(e.action, query.action),
    );
    return { status: 200, body: { from: range.from, to: range.to, entries } };
  },
});
