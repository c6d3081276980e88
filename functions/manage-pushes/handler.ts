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
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { PUSH_CATEGORIES } from '../../schemas/vocabulary.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { NotFoundError } from '../core/errors.ts';
import { planRestrictionPush } from '../core/pushes/planning.ts';
import { previewRestrictionPush } from '../core/pushes/preview.ts';
import { bookOf } from '../core/restrictions/engine.ts';
import { addDays, today } from '../core/time.ts';
import { clock } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { httpRouter } from '../shared/http.ts';
import { policyStore, pushRuns, pushStats } from '../shared/pushes.ts';
import { restrictionData } from '../shared/restriction-data.ts';
import { restrictionPlanningDeps } from '../shared/restriction-planning.ts';

async function audience(partition: string) {
  const out: Array<{ channel: 'wechat' | 'sms'; id: string }> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await documentClient.send(
      new QueryCommand({
        TableName: tableName('subscribers'),
        IndexName: 'fanout',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': partition },
        ProjectionExpression: 'channel, id',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const i of res.Items ?? []) out.push({ channel: i.channel, id: String(i.id) });
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

async function ledgers(subs: Array<{ channel: 'wechat' | 'sms'; id: string }>, date: string) {
  const out = new Map<string, { keys: string[]; restriction: number }>();
  for (let i = 0; i < subs.length; i += 100) {
    const res = await documentClient.send(
      new BatchGetCommand({
        RequestItems: {
          [tableName('ledger')]: {
            Keys: subs.slice(i, i + 100).map((s) => ({ pk: `LEDGER#${s.channel}#${s.id}`, sk: date })),
          },
        },
      }),
    );
    for (const item of res.Responses?.[tableName('ledger')] ?? []) {
      const [, channel, id] = String(item.pk).split('#');
      out.set(`${channel}#${id}`, {
        keys: item.keys ? [...(item.keys as Set<string>)] : [],
        restriction: Number(item.c_restriction ?? 0),
      });
    }
  }
  return out;
}

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
    const book = bookOf(await restrictionData.load());
    if (body.dryRun) {
      const date = body.date ?? (body.slot === 'morning' ? today(clock) : addDays(today(clock), 1));
      return {
        status: 200,
        body: await previewRestrictionPush(
          { city: body.city, date, slot: body.slot, sendDate: today(clock) },
          { book, policy: (await policyStore.get()).policy, audience, ledgers },
        ),
      };
    }
    const run = await planRestrictionPush(body, await restrictionPlanningDeps(() => {}));
    return { status: run.created ? 201 : 200, body: run };
  },
  'GET /v1/admin/policies/frequency': async () => ({ status: 200, body: await policyStore.get() }),
  'PUT /v1/admin/policies/frequency': async ({ body, actor }) => {
    const before = await policyStore.get();
    const at = new Date().toISOString();
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
  'GET /v1/admin/stats/pushes': async ({ query }) => ({
    status: 200,
    body: { weeks: await pushStats().report(PUSH_CATEGORIES, new Date(), query.weeks) },
  }),
});
