/**
 * Wiring: the SMS gateways' callbacks (receive-sms) — authentication settings, the inbound log,
 * the receipts store, and citizens' replies through the conversation (functions/core/sms/replies.ts).
 */

import { NoticeFeedSettingsSchema, ReminderSettingsSchema } from '../../../schemas/settings.ts';
import { DynamoInboundLog } from '../../adapters/dynamodb/inbound-log.ts';
import { DynamoNoticeFeed } from '../../adapters/dynamodb/notice-feed.ts';
import {
  DynamoSmsBudget,
  DynamoSmsContacts,
  DynamoSmsMessages,
  DynamoSmsNumberCap,
} from '../../adapters/dynamodb/sms.ts';
import { DynamoSubscriberRepository } from '../../adapters/dynamodb/subscribers.ts';
import { receiveSmsCallback, type SmsCallbackRequest } from '../../adapters/sms/webhook.ts';
import { citizenInbox } from '../../core/desk/intake.ts';
import { bookOf } from '../../core/restrictions/engine.ts';
import { phoneId } from '../../core/sms/numbers.ts';
import { handleSmsReply } from '../../core/sms/replies.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { clock, protocolNow } from '../clock.ts';
import { settings as configured, tableName } from '../config.ts';
import { logger } from '../powertools.ts';
import { content } from './content.ts';
import { deskDeps } from './desk.ts';
import { deskQueues } from './desk-queues.ts';
import { followerNotes } from './follower-notes.ts';
import { restrictionData } from './restriction-data.ts';
import { catalogue, settings, smsLog, smsMetric } from './sms.ts';
import { fallbackLinks } from './sms-fallback.ts';
import { smsRuntime } from './sms-runtime.ts';

const stores = {
  inbound: new DynamoInboundLog(documentClient, tableName('inbound')),
  subscribers: new DynamoSubscriberRepository(documentClient, tableName('subscribers')),
  contacts: new DynamoSmsContacts(documentClient, tableName('subscribers')),
  numberCap: new DynamoSmsNumberCap(documentClient, tableName('ledger')),
  budget: new DynamoSmsBudget(documentClient, tableName('operations')),
  messages: new DynamoSmsMessages(documentClient, tableName('operations')),
  notices: new DynamoNoticeFeed(
    documentClient,
    tableName('content'),
    undefined,
    configured(NoticeFeedSettingsSchema),
  ),
};
const { reminderCities } = configured(ReminderSettingsSchema);
const desk = deskDeps({ queues: deskQueues });

/** Notes to WeChat followers (their 短信备用 is linked): the `wechat-replies` queue sends them. */
const notes = followerNotes();

/** One gateway callback, authenticated and handled; its duplicates and unknown receipts are counted. */
export async function handleSmsCallback(request: SmsCallbackRequest) {
  const runtime = await smsRuntime();
  const result = await receiveSmsCallback(request, {
    secret: async (provider) => runtime.secret.callbackSecrets[provider],
    auth: settings.callbackAuth,
    allowedIps: settings.allowedIps,
    inbound: stores.inbound,
    numberKey: (raw) => phoneId(runtime.secret.pepper, raw),
    now: protocolNow,
    log: (message, details) => logger.warn(message, details),
    receipt: (r) => stores.messages.receipt(r.provider, r.messageId, r.delivered, r.code, r.reportedAt),
    reply: async (r) =>
      handleSmsReply(r, {
        ...stores,
        gateway: runtime.gateway,
        vault: runtime.vault,
        pepper: runtime.secret.pepper,
        catalogue,
        clock,
        settings,
        log: smsLog,
        metric: smsMetric,
        fallbackLinks,
        followers: notes,
        desk: (phone, id) =>
          citizenInbox(desk, async () => ({
            channel: 'sms',
            id,
            account: null,
            sealedPhone: runtime.vault.encrypt(phone, id),
          })),
        conversation: {
          subscribers: stores.subscribers,
          restrictions: async () => bookOf(await restrictionData.load()),
          notices: stores.notices,
          clock,
          keywords: await content('keywords'),
          serviceInfo: await content('service-info'),
          account: { id: 'sms', defaultCity: settings.defaultCity },
          reminderCities,
        },
      }),
  });
  if (result.counts.unknownReceipts) smsMetric('SmsReceiptsUnknown', result.counts.unknownReceipts);
  if (result.counts.duplicates) smsMetric('SmsCallbackDuplicates', result.counts.duplicates);
  return result;
}
