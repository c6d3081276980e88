/** The push pipeline's stores, composed once per container. */
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoPushRuns } from '../adapters/dynamodb/push-runs.ts';
import { tableName } from './config.ts';

export const pushRuns = new DynamoPushRuns(documentClient, tableName('operations'));
