/**
 * Operators (roles operator, admin; schemas/routes.ts):
 *   GET /v1/admin/sms/budget?month=YYYY-MM   the month's SMS spend, the ceiling and what remains (fen)
 */
import { budgetMonth, budgetReport } from '../core/sms/budget.ts';
import { clock } from '../shared/clock.ts';
import { httpRouter } from '../shared/http.ts';
import { smsBudgetDeps } from '../shared/wiring/operations.ts';

const deps = smsBudgetDeps();

export const handler = httpRouter('manage-sms', {
  'GET /v1/admin/sms/budget': async ({ query }) => ({
    status: 200,
    body: await budgetReport(query.month ?? budgetMonth(clock.now()), deps),
  }),
});
