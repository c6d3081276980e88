/**
 * Wiring: what every SMS send to a person goes through (core/delivery/sms.ts `SmsDeliverDeps` but
 * the ledger): the number's status and contact (`subscribers`), the registered phones of driver
 * notices (`drivers`), the per-number cap (`ledger`), the budget and delivery records
 * (`operations`), the frequency policy, the templates and settings, and the gateway and vault from
 * the `sms-gateway` secret, read on first use. For the functions that send SMS pushes
 * (deliver-sms: ./sms-delivery.ts) and driver codes (send-driver-code: ./driver-code-sends.ts).
 */
import { DynamoRegisteredPhones } from '../../adapters/dynamodb/drivers.ts';
import {
  DynamoSmsBudget,
  DynamoSmsContacts,
  DynamoSmsMessages,
  DynamoSmsNumberCap,
} from '../../adapters/dynamodb/sms.ts';
import { DynamoSubscriberRepository } from '../../adapters/dynamodb/subscribers.ts';
import type { SmsDeliverDeps } from '../../core/delivery/sms.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { clock } from '../clock.ts';
import { tableName } from '../config.ts';
import { policyStore } from './pushes.ts';
import { catalogue, settings, smsLog, smsMetric } from './sms.ts';
import { smsRuntime } from './sms-runtime.ts';

export function smsSendingDeps(): () => Promise<Omit<SmsDeliverDeps, 'ledger'>> {
  const stores = {
    subscribers: new DynamoSubscriberRepository(documentClient, tableName('subscribers')),
    contacts: new DynamoSmsContacts(documentClient, tableName('subscribers')),
    registeredPhones: new DynamoRegisteredPhones(documentClient, tableName('drivers')),
    numberCap: new DynamoSmsNumberCap(documentClient, tableName('ledger')),
    budget: new DynamoSmsBudget(documentClient, tableName('operations')),
    messages: new DynamoSmsMessages(documentClient, tableName('operations')),
  };
  return async () => {
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
    };
  };
}
