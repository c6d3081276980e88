/**
 * Wiring: the code's SMS (functions/core/drivers/code-sends.ts), for send-driver-code. The pending
 * code in the `drivers` table (read, withdrawn); the SMS delivery path (core/delivery/sms.ts
 * deliverSms): the number's status (`subscribers`), the per-number cap and the push ledger
 * (`ledger`), the budget and delivery records (`operations`), the registered phone (`drivers`), the
 * gateway and vault from the `sms-gateway` secret, read on the first job; a blocked send's note to
 * the follower on the `wechat-replies` topic (send-wechat-reply sends it as a customer-service
 * message, at most once).
 */
import type { FollowerNoteJob } from '../../../schemas/wechat.ts';
import { DynamoRegisteredPhones, DynamoSmsCodes } from '../../adapters/dynamodb/drivers.ts';
import { DynamoPushLedger } from '../../adapters/dynamodb/push-ledger.ts';
import {
  DynamoSmsBudget,
  DynamoSmsContacts,
  DynamoSmsMessages,
  DynamoSmsNumberCap,
} from '../../adapters/dynamodb/sms.ts';
import { DynamoSubscriberRepository } from '../../adapters/dynamodb/subscribers.ts';
import type { SmsDeliverDeps } from '../../core/delivery/sms.ts';
import { type CodeJobDeps, codeSmsSender } from '../../core/drivers/code-sends.ts';
import type { CodeSms } from '../../core/drivers/ports.ts';
import type { FollowerNotes } from '../../core/sms/replies.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { topics } from '../clients/sns.ts';
import { clock } from '../clock.ts';
import { tableName, topicArn } from '../config.ts';
import { telemetry } from '../telemetry.ts';
import { policyStore } from './pushes.ts';
import { catalogue, smsLog, smsMetric, settings as smsSettings } from './sms.ts';
import { smsRuntime } from './sms-runtime.ts';

const stores = {
  subscribers: new DynamoSubscriberRepository(documentClient, tableName('subscribers')),
  contacts: new DynamoSmsContacts(documentClient, tableName('subscribers')),
  registeredPhones: new DynamoRegisteredPhones(documentClient, tableName('drivers')),
  numberCap: new DynamoSmsNumberCap(documentClient, tableName('ledger')),
  ledger: new DynamoPushLedger(documentClient, tableName('ledger')),
  budget: new DynamoSmsBudget(documentClient, tableName('operations')),
  messages: new DynamoSmsMessages(documentClient, tableName('operations')),
};

/** The code's SMS; the gateway and the vault from the secret on the first job. */
const codeSms: CodeSms = {
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

/** A note to the follower, sent by send-wechat-reply through the customer-service API. */
const followers: FollowerNotes = {
  tell: (follower, key, text) =>
    topics.publish(topicArn('wechat-replies'), {
      kind: 'note',
      ...follower,
      key,
      text,
    } satisfies FollowerNoteJob),
};

export const codeJobDeps: CodeJobDeps = {
  codes: new DynamoSmsCodes(documentClient, tableName('drivers')),
  sender: codeSms,
  followers,
  clock,
  log: (level, message, details) => telemetry.log(level, message, details),
  metric: (name) => telemetry.metric(name),
};
