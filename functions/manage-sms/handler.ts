/**
 * Operators (roles operator, admin; schemas/routes.ts):
 *   GET /v1/admin/sms/budget?month=YYYY-MM   the month's SMS spend, the ceiling and what remains (fen)
 */
import { SmsBudgetReportSchema } from '../../schemas/sms.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoSmsBudget } from '../adapters/dynamodb/sms.ts';
import { budgetMonth } from '../core/sms/budget.ts';
import { clock } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { httpRouter } from '../shared/http.ts';
import { settings } from '../shared/sms.ts';

const budget = new DynamoSmsBudget(documentClient, tableName('operations'));

export const handler = httpRouter('manage-sms', {
  'GET /v1/admin/sms/budget': async ({ query }) => {
    const month = query.month ?? budgetMonth(clock.now());
    const { spentFen } = await budget.spent(month);
    return {
      status: 200,
      body: SmsBudgetReportSchema.parse({
        month,
        provider: settings.provider,
        ceilingFen: settings.budgetFen,
        spentFen,
        remainingFen: Math.max(0, settings.budgetFen - spentFen),
        pricePerPartFen: settings.pricePerPartFen,
        exhausted: settings.budgetFen - spentFen < settings.pricePerPartFen,
      }),
    };
  },
});
