/**
 * Wiring: proof of ownership by a code sent by SMS to the registered phone (DRIVER_VERIFY_BY_SMS),
 * for receive-wechat. The codes live in the `drivers` table (as keyed hashes); the SMS goes through
 * the SMS delivery path (core/delivery/sms.ts deliverSms): the number's status (`subscribers`), the
 * per-number cap and the push ledger (`ledger`), the budget and delivery records (`operations`),
 * the registered phone (`drivers`), and the gateway and vault from the `sms-gateway` secret, read on
 * first use. A separate module from ./drivers.ts: only the webhook has the SMS settings and grants.
 */
import { DynamoRegisteredPhones, DynamoSmsCodes } from '../../adapters/dynamodb/drivers.ts';
import { DynamoPushLedger } from '../../adapters/dynamodb/push-ledger.ts';
import {
  DynamoSmsBudget,
  DynamoSmsContacts,
  DynamoSmsMessages,
  DynamoSmsNumberCap,
} from '../../adapters/dynamodb/sms.ts';
import type { SmsDeliverDeps } from '../../core/delivery/sms.ts';
import type { CodeSms } from '../../core/drivers/ports.ts';
import { codeSmsSender } from '../../core/drivers/sms-code.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { clock } from '../clock.ts';
import { tableName } from '../config.ts';
import { policyStore } from './pushes.ts';
import { catalogue, smsLog, smsMetric, settings as smsSettings } from './sms.ts';
import { smsRuntime } from './sms-runtime.ts';
import { subscribers } from './wechat.ts';

export const smsCodes = new DynamoSmsCodes(documentClient, tableName('drivers'));

const stores = {
  subscribers,
  contacts: new DynamoSmsContacts(documentClient, tableName('subscribers')),
  registeredPhones: new DynamoRegisteredPhones(documentClient, tableName('drivers')),
  numberCap: new DynamoSmsNumberCap(documentClient, tableName('ledger')),
  ledger: new DynamoPushLedger(documentClient, tableName('ledger')),
  budget: new DynamoSmsBudget(documentClient, tableName('operations')),
  messages: new DynamoSmsMessages(documentClient, tableName('operations')),
};

/** The code's SMS; the gateway and the vault from the secret on the first code sent. */
export const codeSms: CodeSms = {
  async send(to, message) {
    const runtime = await smsRuntime();
    const deps: SmsDeliverDeps = {
      ...stores,
      gateway: runtime.gateway,
      vault: runtime.vault,
      catalogue,
      clock,
      policy: async () => (await policyStore.get()).policy,
      settings: smsSettings,
      log: smsLog,
      metric: smsMetric,
    };
    return codeSmsSender(deps).send(to, message);
  },
};
