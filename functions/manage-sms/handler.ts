/**
 * Operators (roles operator, admin; schemas/routes.ts):
 *   GET /v1/admin/sms/budget?month=YYYY-MM   the month's SMS spend, the ceiling and what remains (fen)
 */
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoSmsBudget } from '../adapters/dynamodb/sms.ts';
import { budgetMonth, budgetReport } from '../core/sms/budget.ts';
import { clock } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { httpRouter } from '../shared/http.ts';
import { settings } from '../shared/sms.ts';

const deps = { budget: new DynamoSmsBudget(documentClient, tableName('operations')), settings };

export const handler = httpRouter('manage-sms', {
  'GET /v1/admin/sms/budget': async ({ query }) => ({
    status: 200,
    body: await budgetReport(query.month ?? budgetMonth(clock.now()), deps),
  }),
});
