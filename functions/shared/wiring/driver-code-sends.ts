/**
 * Wiring: the code's SMS (functions/core/drivers/code-sends.ts), for send-driver-code. The pending
 * code in the `drivers` table (read, withdrawn); the SMS delivery path (core/delivery/sms.ts
 * deliverSms): the number's status (`subscribers`), the per-number cap and the push ledger
 * (`ledger`), the budget and delivery records (`operations`), the registered phone (`drivers`), the
 * gateway and vault from the `sms-gateway` secret, read on the first job; a blocked send's note to
 * the follower on the `wechat-replies` topic (send-wechat-reply sends it as a customer-service
 * message, at most once).
 */
import { DynamoSmsCodes } from '../../adapters/dynamodb/drivers.ts';
import { DynamoPushLedger } from '../../adapters/dynamodb/push-ledger.ts';
import { type CodeJobDeps, codeSmsSender } from '../../core/drivers/code-sends.ts';
import type { CodeSms } from '../../core/drivers/ports.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { clock } from '../clock.ts';
import { tableName } from '../config.ts';
import { telemetry } from '../telemetry.ts';
import { followerNotes } from './follower-notes.ts';
import { smsSendingDeps } from './sms-sending.ts';

const sending = smsSendingDeps();
const ledger = new DynamoPushLedger(documentClient, tableName('ledger'));

/** The code's SMS; the gateway and the vault from the secret on the first job. */
const codeSms: CodeSms = {
  send: async (to, message) => codeSmsSender({ ...(await sending()), ledger }).send(to, message),
};

export const codeJobDeps: CodeJobDeps = {
  codes: new DynamoSmsCodes(documentClient, tableName('drivers')),
  sender: codeSms,
  followers: followerNotes(),
  clock,
  log: (level, message, details) => telemetry.log(level, message, details),
  metric: (name) => telemetry.metric(name),
};
