/** The push pipeline's stores, composed once per container. */

import { DynamoPolicyStore } from '../../adapters/dynamodb/policy-store.ts';
import { DynamoPushRuns } from '../../adapters/dynamodb/push-runs.ts';
import { DynamoPushStats } from '../../adapters/dynamodb/push-stats.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { tableName } from '../config.ts';

export const pushRuns = new DynamoPushRuns(documentClient, tableName('operations'));

/** The frequency policy (operators change it at /v1/admin/policies/frequency); cached for a minute. */
export const policyStore = new DynamoPolicyStore(documentClient, tableName('operations'));

/** Pushes and attributed unfollows per category and week (needs the operations and ledger tables). */
export const pushStats = () =>
  new DynamoPushStats(documentClient, { operations: tableName('operations'), ledger: tableName('ledger') });
