/**
 * Admin routes that keep restriction data current (roles: schemas/roles.ts); each write is one
 * transaction with its audit entry:
 *   PUT  /v1/admin/calendars/{year}                               upload a year's holiday calendar
 *   POST /v1/admin/cities/{city}/rules                            add a rule record
 *   POST /v1/admin/cities/{city}/rules/{ruleId}/close             close a rule record { validTo }
 *   POST /v1/admin/cities/{city}/suspensions                      add a suspension
 *   POST /v1/admin/cities/{city}/suspensions/{suspensionId}/lift  lift a suspension { liftedOn? }
 */
import { randomUUID } from 'node:crypto';
import * as api from '../../schemas/api.ts';
import { shippedRestrictionData } from '../../schemas/data/index.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoRestrictionDataRepository } from '../adapters/dynamodb/restriction-data.ts';
import * as admin from '../core/restrictions/admin.ts';
import { signedIn } from '../shared/auth.ts';
import { clock } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { httpHandler } from '../shared/http.ts';

const deps: admin.AdminDeps = {
  data: new DynamoRestrictionDataRepository(documentClient, {
    contentTable: tableName('content'),
    operationsTable: tableName('operations'),
    shipped: shippedRestrictionData,
  }),
  clock,
  newId: randomUUID,
};

const created = (body: unknown) => ({ status: 201, body });
const ok = (body: unknown) => ({ status: 200, body });

export const uploadCalendar = httpHandler(
  { path: api.YearPathSchema, body: api.HolidayCalendarSchema },
  async (r) => ok(await admin.uploadCalendar(r.body, r.path.year, signedIn(r.actor), deps)),
);
export const addRule = httpHandler({ path: api.CityPathSchema, body: api.RestrictionRuleSchema }, async (r) =>
  created(await admin.addRule(r.path.city, r.body, signedIn(r.actor), deps)),
);
export const closeRule = httpHandler({ path: api.RulePathSchema, body: api.CloseRuleBodySchema }, async (r) =>
  ok(await admin.closeRule(r.path.city, r.path.ruleId, r.body.validTo, signedIn(r.actor), deps)),
);
export const addSuspension = httpHandler(
  { path: api.CityPathSchema, body: api.NewSuspensionBodySchema },
  async (r) => created(await admin.addSuspension(r.path.city, r.body, signedIn(r.actor), deps)),
);
export const liftSuspension = httpHandler(
  { path: api.SuspensionPathSchema, body: api.LiftSuspensionBodySchema },
  async (r) =>
    ok(
      await admin.liftSuspension(r.path.city, r.path.suspensionId, r.body.liftedOn, signedIn(r.actor), deps),
    ),
);

const routes: Record<string, typeof uploadCalendar> = {
  'PUT /v1/admin/calendars/{year}': uploadCalendar,
  'POST /v1/admin/cities/{city}/rules': addRule,
  'POST /v1/admin/cities/{city}/rules/{ruleId}/close': closeRule,
  'POST /v1/admin/cities/{city}/suspensions': addSuspension,
  'POST /v1/admin/cities/{city}/suspensions/{suspensionId}/lift': liftSuspension,
};

/** One function for the five routes: dispatch on the API Gateway route key. */
export const handler: typeof uploadCalendar = ((event, context) => {
  const route = routes[event.routeKey];
  if (!route) throw new Error(`manage-restriction-data has no route ${event.routeKey}`);
  return route(event, context);
}) as typeof uploadCalendar;
