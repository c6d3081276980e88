/**
 * What operators read before they change the restriction data (role operator; schemas/routes.ts):
 *   GET  /v1/admin/restriction-data?date=        every calendar, rule and suspension (shipped or stored),
 *                                                the served cities' coverage gaps, each city's answer on date
 *   POST /v1/admin/calendars/{year}/changes      which dates' answers a calendar would change (saves nothing)
 * Reads the stored data without a cache: what an administrator just saved is what they see.
 */
import { shippedRestrictionData } from '../../schemas/data/index.ts';
import { CoverageSettingsSchema } from '../../schemas/settings.ts';
import { DynamoRestrictionDataRepository } from '../adapters/dynamodb/restriction-data.ts';
import { calendarChanges, restrictionDataReport } from '../core/restrictions/report.ts';
import { today } from '../core/time.ts';
import { documentClient } from '../shared/clients/dynamodb.ts';
import { clock } from '../shared/clock.ts';
import { settings, tableName } from '../shared/config.ts';
import { httpRouter } from '../shared/http.ts';

const { cities, days } = settings(CoverageSettingsSchema);
const data = new DynamoRestrictionDataRepository(documentClient, {
  contentTable: tableName('content'),
  shipped: shippedRestrictionData,
  cacheMs: 0,
});

export const handler = httpRouter('report-restriction-data', {
  'GET /v1/admin/restriction-data': async ({ query }) => ({
    status: 200,
    body: restrictionDataReport(await data.load(), cities, today(clock), days, query.date),
  }),
  'POST /v1/admin/calendars/{year}/changes': async ({ path, body }) => ({
    status: 200,
    body: calendarChanges(await data.load(), body, path.year),
  }),
});
