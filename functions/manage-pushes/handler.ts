/**
 * Operators (roles: schemas/roles.ts, checked by httpHandler):
 *   GET  /v1/admin/pushes?month=YYYY-MM          runs of a month, newest first
 *   GET  /v1/admin/pushes/{id}                   one run: status, counts by outcome, capacity
 *   POST /v1/admin/pushes/restriction            { city, date?, slot, dryRun? } — idempotent
 *   GET  /v1/admin/policies/frequency            the cap every push passes, with its version
 *   PUT  /v1/admin/policies/frequency            { version, policy } — audited, optimistic
 *   GET  /v1/admin/stats/pushes?weeks=8          pushes and attributed unfollows per 1,000, by category and week
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { FrequencyPolicySchema, SlotSchema } from '../../schemas/pushes.ts';
import { CityCodeSchema, CivilDateSchema } from '../../schemas/restrictions.ts';
import { DynamoAudience } from '../adapters/dynamodb/audience.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { NotFoundError } from '../core/errors.ts';
import { planRestrictionPush } from '../core/pushes/planning.ts';
import { previewRestrictionPush } from '../core/pushes/preview.ts';
import { bookOf } from '../core/restrictions/engine.ts';
import { addDays, today } from '../core/time.ts';
import { signedIn } from '../shared/auth.ts';
import { clock } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { httpHandler } from '../shared/http.ts';
import { policyStore, pushRuns, pushStats } from '../shared/pushes.ts';
import { restrictionData } from '../shared/restriction-data.ts';
import { restrictionPlanningDeps } from '../shared/restriction-planning.ts';

const audience = new DynamoAudience(documentClient, {
  subscribers: tableName('subscribers'),
  ledger: tableName('ledger'),
});

const list = httpHandler(
  {
    query: z.object({
      month: z
        .string()
        .regex(/^\d{4}-\d{2}$/)
        .optional(),
    }),
  },
  async ({ query }) => {
    return {
      status: 200,
      body: { runs: await pushRuns.list(query.month ?? today(clock).slice(0, 7)) },
    };
  },
);

const get = httpHandler({ path: z.object({ id: z.string().min(1).max(200) }) }, async ({ path }) => {
  const run = await pushRuns.get(path.id);
  if (!run) throw new NotFoundError(`No push run '${path.id}'.`);
  return { status: 200, body: run };
});

const TriggerSchema = z.strictObject({
  city: CityCodeSchema,
  date: CivilDateSchema.optional(),
  slot: SlotSchema.default('morning'),
  dryRun: z.boolean().default(false),
});

const trigger = httpHandler({ body: TriggerSchema }, async ({ body }) => {
  const book = bookOf(await restrictionData.load());
  if (body.dryRun) {
    const date = body.date ?? (body.slot === 'morning' ? today(clock) : addDays(today(clock), 1));
    const { policy } = await policyStore.get();
    return {
      status: 200,
      body: await previewRestrictionPush(
        { city: body.city, date, slot: body.slot, sendAt: clock.now() },
        {
          book,
          policy,
          segmentMembers: (segment) => audience.segmentMembers(segment),
          ledgerCounts: (members, day) => audience.ledgerCounts(members, day),
        },
      ),
    };
  }
  const run = await planRestrictionPush(body, await restrictionPlanningDeps(() => {}));
  return { status: run.created ? 201 : 200, body: run };
});

const getPolicy = httpHandler({}, async () => {
  return { status: 200, body: await policyStore.get() };
});

const putPolicy = httpHandler(
  { body: z.strictObject({ version: z.number().int().min(0), policy: FrequencyPolicySchema }) },
  async ({ body, actor: caller }) => {
    const actor = signedIn(caller);
    const before = await policyStore.get();
    const at = clock.now().toISOString();
    await policyStore.save(body.policy, body.version, {
      id: randomUUID(),
      actor: actor.sub,
      at,
      action: 'policy.frequency.update',
      entity: 'policy:frequency',
      before: before.policy,
      after: body.policy,
    });
    return { status: 200, body: await policyStore.get() };
  },
);

const statsReport = httpHandler(
  { query: z.object({ weeks: z.coerce.number().int().min(1).max(52).default(8) }) },
  async ({ query }) => {
    const categories = ['restriction', 'notice', 'transactional', 'emergency'] as const;
    return { status: 200, body: { weeks: await pushStats().report(categories, clock.now(), query.weeks) } };
  },
);

const routes: Record<string, typeof list> = {
  'GET /v1/admin/stats/pushes': statsReport as unknown as typeof list,
  'GET /v1/admin/policies/frequency': getPolicy,
  'PUT /v1/admin/policies/frequency': putPolicy as unknown as typeof list,
  'GET /v1/admin/pushes': list,
  'GET /v1/admin/pushes/{id}': get as unknown as typeof list,
  'POST /v1/admin/pushes/restriction': trigger as unknown as typeof list,
};

export const handler: typeof list = ((event, context) => {
  const route = routes[event.routeKey];
  if (!route) throw new Error(`manage-pushes has no route ${event.routeKey}`);
  return route(event, context);
}) as typeof list;
