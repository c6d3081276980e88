/** Operators' push routes (declared with their roles in schemas/routes.ts):
 *   GET  /v1/admin/pushes?limit=&cursor=&month=  runs, newest first across months
 *   GET  /v1/admin/pushes/{id}                   one run: status, counts by outcome and receipt, capacity
 *   POST /v1/admin/pushes/restriction            { city, date?, slot, dryRun?, force? } — idempotent
 *   GET  /v1/admin/policies/frequency            the cap every push passes, with its version
 *   PUT  /v1/admin/policies/frequency            { version, policy } — audited, optimistic
 *   GET  /v1/admin/stats/pushes?weeks=8          pushes and attributed unfollows per 1,000, by category and week
 */
import { randomUUID } from 'node:crypto';
import { PUSH_CATEGORIES } from '../../schemas/vocabulary.ts';
import { found } from '../core/errors.ts';
import { replaceFrequencyPolicy } from '../core/pushes/policy.ts';
import { triggerRestrictionPush } from '../core/pushes/trigger.ts';
import { clock } from '../shared/clock.ts';
import { httpRouter } from '../shared/http.ts';
import { policyStore, pushRuns, pushStats } from '../shared/wiring/pushes.ts';
import { restrictionTriggerDeps } from '../shared/wiring/restriction-planning.ts';

const trigger = restrictionTriggerDeps();

export const handler = httpRouter('manage-pushes', {
  'GET /v1/admin/pushes': async ({ query }) => ({ status: 200, body: await pushRuns.list(query) }),
  'GET /v1/admin/pushes/{id}': async ({ path }) => ({
    status: 200,
    body: found(await pushRuns.get(path.id), `No push run '${path.id}'.`),
  }),
  'POST /v1/admin/pushes/restriction': async ({ body, actor }) => {
    const { created, result } = await triggerRestrictionPush(body, actor, trigger);
    return { status: created ? 201 : 200, body: result };
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
