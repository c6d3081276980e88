/** Operators' push routes (schemas/routes.ts): runs (a stalled one says since when) and their resume,
 * the restriction push trigger, the frequency policy, push stats. */
import { randomUUID } from 'node:crypto';
import { PUSH_CATEGORIES } from '../../schemas/vocabulary.ts';
import { found } from '../core/errors.ts';
import { replaceFrequencyPolicy } from '../core/pushes/policy.ts';
import { triggerRestrictionPush } from '../core/pushes/trigger.ts';
import { clock } from '../shared/clock.ts';
import { httpRouter } from '../shared/http.ts';
import { policyStore, pushStats } from '../shared/wiring/pushes.ts';
import { restrictionTriggerDeps } from '../shared/wiring/restriction-planning.ts';
import { operatorRuns } from '../shared/wiring/run-recovery.ts';

const trigger = restrictionTriggerDeps();
const runs = operatorRuns();

export const handler = httpRouter('manage-pushes', {
  'GET /v1/admin/pushes': async ({ query }) => ({ status: 200, body: await runs.list(query) }),
  'GET /v1/admin/pushes/{id}': async ({ path }) => ({
    status: 200,
    body: found(await runs.get(path.id), `No push run '${path.id}'.`),
  }),
  'POST /v1/admin/pushes/{id}/resume': async ({ path, actor }) => ({
    status: 200,
    body: await runs.resume(path.id, actor),
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
