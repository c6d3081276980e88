/**
 * Wiring: read-only restriction data for the functions that answer "限行" (one per container), built
 * on first use, so a function that only imports a module beside it needs neither its table nor its
 * settings.
 */
import { shippedRestrictionData } from '../../schemas/data/index.ts';
import { RestrictionDataSettingsSchema } from '../../schemas/settings.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoRestrictionDataRepository } from '../adapters/dynamodb/restriction-data.ts';
import { settings, tableName } from './config.ts';

let repository: DynamoRestrictionDataRepository | undefined;

function repositoryOnFirstUse(): DynamoRestrictionDataRepository {
  repository ??= new DynamoRestrictionDataRepository(documentClient, {
    contentTable: tableName('content'),
    shipped: shippedRestrictionData,
    cacheMs: settings(RestrictionDataSettingsSchema).cacheMs,
  });
  return repository;
}

/** Admin changes reach every container within `RESTRICTION_DATA_CACHE_SECONDS` (blueprint). */
export const restrictionData = { load: () => repositoryOnFirstUse().load() };
