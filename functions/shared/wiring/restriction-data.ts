/** Wiring: read-only restriction data for the functions that answer "限行" (one per container). */
import { shippedRestrictionData } from '../../../schemas/data/index.ts';
import { RestrictionDataSettingsSchema } from '../../../schemas/settings.ts';
import { DynamoRestrictionDataRepository } from '../../adapters/dynamodb/restriction-data.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { settings, tableName } from '../config.ts';

/** Admin changes reach every container within `RESTRICTION_DATA_CACHE_SECONDS` (blueprint). */
export const restrictionData = new DynamoRestrictionDataRepository(documentClient, {
  contentTable: tableName('content'),
  shipped: shippedRestrictionData,
  cacheMs: settings(RestrictionDataSettingsSchema).cacheMs,
});
