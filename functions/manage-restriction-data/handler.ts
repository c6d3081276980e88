/**
 * Operators keep the restriction data current (routes, roles and schemas: schemas/routes.ts); each
 * write is one transaction with its audit entry (functions/core/restrictions/admin.ts).
 */
import { randomUUID } from 'node:crypto';
import { shippedRestrictionData } from '../../schemas/data/index.ts';
import { DynamoRestrictionDataRepository } from '../adapters/dynamodb/restriction-data.ts';
import * as admin from '../core/restrictions/admin.ts';
import { documentClient } from '../shared/clients/dynamodb.ts';
import { clock } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { httpRouter } from '../shared/http.ts';

const deps: admin.AdminDeps = {
  data: new DynamoRestrictionDataRepository(documentClient, {
    contentTable: tableName('content'),
    operationsTable: tableName('operations'),
    shipped: shippedRestrictionData,
  }),
  clock,
  newId: randomUUID,
};

const answer = async (status: number, result: Promise<unknown>) => ({ status, body: await result });

export const handler = httpRouter('manage-restriction-data', {
  'PUT /v1/admin/calendars/{year}': ({ path, body, actor }) =>
    answer(200, admin.uploadCalendar(body, path.year, actor, deps)),
  'POST /v1/admin/cities/{city}/rules': ({ path, body, actor }) =>
    answer(201, admin.addRule(path.city, body, actor, deps)),
  'POST /v1/admin/cities/{city}/rules/{ruleId}/close': ({ path, body, actor }) =>
    answer(200, admin.closeRule(path.city, path.ruleId, body.validTo, actor, deps)),
  'POST /v1/admin/cities/{city}/suspensions': ({ path, body, actor }) =>
    answer(201, admin.addSuspension(path.city, body, actor, deps)),
  'POST /v1/admin/cities/{city}/suspensions/{suspensionId}/lift': ({ path, body, actor }) =>
    answer(200, admin.liftSuspension(path.city, path.suspensionId, body.liftedOn, actor, deps)),
});
