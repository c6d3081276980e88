/**
 * Wiring: what every channel's delivery shares (functions/core/delivery/bundles.ts) over DynamoDB:
 * run log, ledger, deferrals, policy, tally. The channels' own wiring is in ./wechat.ts and ./sms.ts.
 * `bundleDeps` is called per invocation (its ledger counts the invocation's capacity).
 */

import { DynamoDeferredPushes } from '../../adapters/dynamodb/deferred-pushes.ts';
import { DynamoPushLedger, IN_FLIGHT_MS } from '../../adapters/dynamodb/push-ledger.ts';
import { DynamoPushRuns } from '../../adapters/dynamodb/push-runs.ts';
import type { BundleDeps } from '../../core/delivery/bundles.ts';
import { bookOf } from '../../core/restrictions/engine.ts';
import type { Channel } from '../../core/vocabulary.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { clock, localTimeScale } from '../clock.ts';
import { tableName } from '../config.ts';
import { telemetry, timer } from '../telemetry.ts';
import { policyStore, pushStats } from './pushes.ts';
import { restrictionData } from './restriction-data.ts';

/** The restriction data as the engine reads it (reminders are rendered from its answer). */
export const restrictions = async () => bookOf(await restrictionData.load());

/** The run log delivery records into: each bundle attempt's receipt (ledger table) and counts together. */
let deliveryRuns: DynamoPushRuns | undefined;

/** What every channel's bundle loop needs; a fresh ledger each call, so its capacity is the invocation's. */
export function bundleDeps(channel: Channel): BundleDeps {
  deliveryRuns ??= new DynamoPushRuns(documentClient, tableName('operations'), {
    receipts: tableName('ledger'),
  });
  return {
    channel,
    ledger: new DynamoPushLedger(documentClient, tableName('ledger'), {
      inFlightMs: IN_FLIGHT_MS * localTimeScale(),
    }),
    runs: deliveryRuns,
    deferred: new DynamoDeferredPushes(documentClient, tableName('ledger')),
    policy: policyStore,
    tally: pushStats(),
    clock,
    timer,
    telemetry,
  };
}
