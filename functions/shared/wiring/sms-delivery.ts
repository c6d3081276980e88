/** Wiring: SMS push delivery (functions/core/delivery/sms.ts) for deliver-sms. */

import { DynamoRegisteredPhones } from '../../adapters/dynamodb/drivers.ts';
import {
  DynamoSmsBudget,
  DynamoSmsContacts,
  DynamoSmsMessages,
  DynamoSmsNumberCap,
} from '../../adapters/dynamodb/sms.ts';
import { DynamoSubscriberRepository } from '../../adapters/dynamodb/subscribers.ts';
import type { SmsDeliveryDeps } from '../../core/delivery/sms.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { clock } from '../clock.ts';
import { tableName } from '../config.ts';
import { timer } from '../telemetry.ts';
import { restrictions } from './delivery.ts';
import { policyStore } from './pushes.ts';
import { catalogue, settings, smsLog, smsMetric } from './sms.ts';
import { smsRuntime } from './sms-runtime.ts';

/** SMS delivery's dependencies; the gateway and the vault from the secret, read on first use. */
export function smsDeliveryDeps(pacing: SmsDeliveryDeps['pacing']) {
  const stores = {
    subscribers: new DynamoSubscriberRepository(documentClient, tableName('subscribers')),
    contacts: new DynamoSmsContacts(documentClient, tableName('subscribers')),
    registeredPhones: new DynamoRegisteredPhones(documentClient, tableName('drivers')),
    numberCap: new DynamoSmsNumberCap(documentClient, tableName('ledger')),
    budget: new DynamoSmsBudget(documentClient, tableName('operations')),
    messages: new DynamoSmsMessages(documentClient, tableName('operations')),
  };
  return async (): Promise<SmsDeliveryDeps> => {
    const runtime = await smsRuntime();
    return {
      ...stores,
      gateway: runtime.gateway,
      vault: runtime.vault,
      catalogue,
      clock,
      policy: async () => (await policyStore.get()).policy,
      settings,
      log: smsLog,
      metric: smsMetric,
      restrictions,
      timer,
      pacing,
    };
  };
}
