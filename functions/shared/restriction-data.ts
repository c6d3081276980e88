/** Read-only restriction data for the handlers that answer "限行" (module scope, one per container). */
import { shippedRestrictionData } from '../../schemas/data/index.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoRestrictionDataRepository } from '../adapters/dynamodb/restriction-data.ts';
import { tableName } from './config.ts';

const cacheSeconds = Number(process.env.RESTRICTION_DATA_CACHE_SECONDS ?? 30);

/** Admin changes reach every container within `RESTRICTION_DATA_CACHE_SECONDS` (default 30). */
export const restrictionData = new DynamoRestrictionDataRepository(documentClient, {
  contentTable: tableName('content'),
  shipped: shippedRestrictionData,
  cacheMs: cacheSeconds * 1000,
});
