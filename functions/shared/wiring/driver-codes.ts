/**
 * Wiring: proof of ownership by a code sent by SMS to the registered phone (DRIVER_VERIFY_BY_SMS),
 * for receive-wechat: the codes live in the `drivers` table (as keyed hashes), and their SMS is handed
 * to the `driver-codes` topic, whose queue send-driver-code sends from (./driver-code-sends.ts). The
 * webhook holds no SMS gateway, no `sms-gateway` secret and no ledger write: it answers within
 * WeChat's 5 s, cold start included.
 */

import { DynamoSmsCodes } from '../../adapters/dynamodb/drivers.ts';
import type { CodeJobs } from '../../core/drivers/ports.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { topics } from '../clients/sns.ts';
import { tableName, topicArn } from '../config.ts';

export const smsCodes = new DynamoSmsCodes(documentClient, tableName('drivers'));

/** The code's SMS, to the `driver-codes` topic (looked up when used). */
export const codeJobs: CodeJobs = {
  send: (job) => topics.publish(topicArn('driver-codes'), job),
};
