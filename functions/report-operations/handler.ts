/**
 * Operators (roles: schemas/roles.ts, checked by httpHandler):
 *   GET /v1/admin/stats?weeks=8                       followers, active, bound plates by city, pushes and
 *                                                     unfollows per 1,000 by category and week, SMS spend
 *   GET /v1/admin/subscribers/{channel}/{id}          support view (masked unless role admin)
 *   GET /v1/admin/audit?from=&to=&actor=              the audit trail (read only; no route edits it)
 */
import { z } from 'zod';
import { DynamoAudience } from '../adapters/dynamodb/audience.ts';
import { auditEntries } from '../adapters/dynamodb/audit-log.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoSmsBudget } from '../adapters/dynamodb/sms.ts';
import { DynamoSubscriberRepository } from '../adapters/dynamodb/subscribers.ts';
import { NotFoundError } from '../core/errors.ts';
import { auditRange, followerCounts, supportView } from '../core/operations/reports.ts';
import { budgetMonth } from '../core/sms/budget.ts';
import { signedIn } from '../shared/auth.ts';
import { clock } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { httpHandler } from '../shared/http.ts';
import { pushStats } from '../shared/pushes.ts';
import { settings } from '../shared/sms.ts';

const subscribers = new DynamoSubscriberRepository(documentClient, tableName('subscribers'));
const budget = new DynamoSmsBudget(documentClient, tableName('operations'));
const audience = new DynamoAudience(documentClient, { subscribers: tableName('subscribers') });

/** This month's SMS spend against the ceiling (the same figures as GET /v1/admin/sms/budget). */
async function smsSpend() {
  const month = budgetMonth(clock.now());
  const { spentFen } = await budget.spent(month);
  return {
    month,
    provider: settings.provider,
    spentFen,
    ceilingFen: settings.budgetFen,
    remainingFen: Math.max(0, settings.budgetFen - spentFen),
  };
}
const CATEGORIES = ['restriction', 'notice', 'transactional', 'emergency'] as const;
const Instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

const stats = httpHandler(
  { query: z.object({ weeks: z.coerce.number().int().min(1).max(52).default(8) }) },
  async ({ query }) => {
    const census = await audience.census();
    return {
      status: 200,
      body: {
        ...followerCounts(census),
        pushes: await pushStats().report(CATEGORIES, clock.now(), query.weeks),
        sms: await smsSpend(),
      },
    };
  },
);

const subscriber = httpHandler(
  { path: z.object({ channel: z.enum(['wechat', 'sms']), id: z.string().min(1).max(128) }) },
  async ({ path, actor }) => {
    const s = await subscribers.get(path);
    if (!s) throw new NotFoundError(`No ${path.channel} subscriber with that id.`);
    return { status: 200, body: supportView(s, signedIn(actor).roles.includes('admin')) };
  },
);

const audit = httpHandler(
  {
    query: z.object({
      from: Instant.optional(),
      to: Instant.optional(),
      actor: z.string().min(1).max(128).optional(),
    }),
  },
  async ({ query }) => {
    const range = auditRange(query, clock.now());
    return {
      status: 200,
      body: {
        from: range.from,
        to: range.to,
        entries: await auditEntries(documentClient, tableName('operations'), range, query.actor),
      },
    };
  },
);

type Route = typeof stats;
const routes: Record<string, Route> = {
  'GET /v1/admin/stats': stats,
  'GET /v1/admin/subscribers/{channel}/{id}': subscriber as unknown as Route,
  'GET /v1/admin/audit': audit as unknown as Route,
};

export const handler: Route = ((event, context) => {
  const route = routes[event.routeKey];
  if (!route) throw new Error(`report-operations has no route ${event.routeKey}`);
  return route(event, context);
}) as Route;
