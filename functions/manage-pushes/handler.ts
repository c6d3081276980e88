/**
 * Operators (roles: schemas/routes.ts, checked by the router):
 *   GET  /v1/admin/pushes?month=YYYY-MM          runs of a month, newest first
 *   GET  /v1/admin/pushes/{id}                   one run: status, counts by outcome, capacity
 *   POST /v1/admin/pushes/restriction            { city, date?, slot, dryRun? } — idempotent
 *   GET  /v1/admin/policies/frequency            the cap every push passes, with its version
 *   PUT  /v1/admin/policies/frequency            { version, policy } — audited, optimistic
 *   GET  /v1/admin/stats/pushes?weeks=8          pushes and attributed unfollows per 1,000, by category and week
 */
import { randomUUID } from 'node:crypto';
import { PUSH_CATEGORIES } from '../../schemas/vocabulary.ts';
import { NotFoundError } from '../core/errors.ts';
import { planRestrictionPush } from '../core/pushes/planning.ts';
import { replaceFrequencyPolicy } from '../core/pushes/policy.ts';
import { previewRestrictionPush } from '../core/pushes/preview.ts';
import { addDays, today } from '../core/time.ts';
import { clock } from '../shared/clock.ts';
import { httpRouter } from '../shared/http.ts';
import { policyStore, pushRuns, pushStats } from '../shared/wiring/pushes.ts';
import { restrictionPlanningDeps, restrictionPreviewDeps } from '../shared/wiring/restriction-planning.ts';

export const handler = httpRouter('manage-pushes', {
  'GET /v1/admin/pushes': async ({ query }) => ({
    status: 200,
    body: { runs: await pushRuns.list(query.month ?? today(clock).slice(0, 7)) },
  }),
  'GET /v1/admin/pushes/{id}': async ({ path }) => {
    const run = await pushRuns.get(path.id);
    if (!run) throw new NotFoundError(`No push run '${path.id}'.`);
    return { status: 200, body: run };
  },
  'POST /v1/admin/pushes/restriction': async ({ body }) => {
    if (body.dryRun) {
      const date = body.date ?? (body.slot === 'morning' ? today(clock) : addDays(today(clock), 1));
      const req = { city: body.city, date, slot: body.slot, sendAt: clock.now() };
      return { status: 200, body: await previewRestrictionPush(req, await restrictionPreviewDeps()) };
    }
    const run = await planRestrictionPush(body, await restrictionPlanningDeps(() => {}));
    return { status: run.created ? 201 : 200, body: run };
  },
  'GET /v1/admin/policies/frequency': async () => ({ status: 200, body: await policyStore.get() }),
  'PUT /v1/admin/policies/frequency': async ({ body, actor }) => ({
    status: 200,
    body: await replaceFrequencyPolicy(body, actor, { policies: policyStore, clock, newId: randomUUID }),
  }),
  'GET /v1/admin/stats/pushes': async ({ query }) => ({
    status: 200,
    body: { weeks: await pushStats().report(PUSH_CATEGORIES, clock.now(), query.weeks) },
  }),
});
