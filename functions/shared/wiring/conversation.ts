/**
 * Wiring: the conversation and the WeChat webhook around it, per container — the inbound log, the
 * restriction data, the notice feed, the keyword replies, SMS fallback codes, unfollow attribution,
 * template outcomes, customer-service windows, subscription consents and location reports.
 */

import { NoticeFeedSettingsSchema, ReminderSettingsSchema } from '../../../schemas/settings.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { DynamoDeliveryOutcomes, DynamoTemplateReceipts } from '../../adapters/dynamodb/delivery-outcomes.ts';
import { DynamoInboundLog } from '../../adapters/dynamodb/inbound-log.ts';
import { DynamoNoticeFeed } from '../../adapters/dynamodb/notice-feed.ts';
import {
  DynamoCustomerServiceWindow,
  DynamoLocationReports,
  DynamoSubscriptionConsents,
} from '../../adapters/dynamodb/wechat-followers.ts';
import type { WebhookDeps } from '../../adapters/wechat/webhook.ts';
import { type Inbound, readsAhead, respond } from '../../core/conversation/converse.ts';
import { citizenInbox } from '../../core/desk/intake.ts';
import { bookOf } from '../../core/restrictions/engine.ts';
import { followerLeft, templateMessageFinished } from '../../core/subscribers/events.ts';
import type { SubscriberRef } from '../../core/subscribers/subscriber.ts';
import { weChatEventReported } from '../../core/subscribers/wechat-events.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { topics } from '../clients/sns.ts';
import { clock, protocolNow } from '../clock.ts';
import { settings, tableName, topicArn } from '../config.ts';
import { logger } from '../powertools.ts';
import { telemetry } from '../telemetry.ts';
import { content } from './content.ts';
import { deskDeps } from './desk.ts';
import { deskQueues } from './desk-queues.ts';
import { codeJobs, smsCodes } from './driver-codes.ts';
import { driverDeskFor } from './drivers.ts';
import { pushRuns, pushStats } from './pushes.ts';
import { restrictionData } from './restriction-data.ts';
import { smsFallbackStarter } from './sms-fallback.ts';
import { accounts, subscribers } from './wechat.ts';

export const inboundLog = new DynamoInboundLog(documentClient, tableName('inbound'));
const notices = new DynamoNoticeFeed(
  documentClient,
  tableName('content'),
  undefined,
  settings(NoticeFeedSettingsSchema),
);
const { reminderCities } = settings(ReminderSettingsSchema);
const drivers = driverDeskFor({ codes: smsCodes, jobs: codeJobs });
const desk = deskDeps({ queues: deskQueues });

export async function converseFor(account: WeChatAccount, ref: SubscriberRef, inbound: Inbound) {
  return respond(ref, inbound, {
    subscribers,
    restrictions: async () => bookOf(await restrictionData.load()),
    notices,
    clock,
    keywords: await content('keywords'),
    serviceInfo: await content('service-info'),
    account: { id: account.id, defaultCity: account.defaultCity },
    reminderCities,
    smsFallback: smsFallbackStarter,
    drivers,
    inbox: citizenInbox(desk, async (r) => ({
      channel: 'wechat',
      id: r.id,
      account: account.id,
      sealedPhone: null,
    })),
  });
}

/**
 * Begins, beside the webhook's claim, the desk's and the driver desk's reads the message will need
 * (core/conversation/converse.ts readsAhead); the conversation takes them. Only an optimisation: a
 * failure here leaves the reads to be made when they are needed.
 */
async function readAhead(ref: SubscriberRef, inbound: Inbound): Promise<void> {
  try {
    const wants = readsAhead(inbound, await content('keywords'));
    if (wants.desk) desk.store.readAhead(ref);
    if (wants.drivers) drivers.readAhead(ref);
  } catch {
    // the reads are made again when needed
  }
}

/** The WeChat webhook's dependencies (receive-wechat). */
export function webhookDeps(settings: { maxSkewSeconds: number }): WebhookDeps {
  const events = {
    attribution: pushStats(),
    outcomes: new DynamoDeliveryOutcomes(documentClient, tableName('operations')),
    receipts: new DynamoTemplateReceipts(documentClient, tableName('ledger')),
    runs: pushRuns,
    subscribers,
    clock,
  };
  const repliesTopic = topicArn('wechat-replies');
  const windows = new DynamoCustomerServiceWindow(documentClient, tableName('subscribers'));
  const followerEvents = {
    subscribers,
    locations: new DynamoLocationReports(documentClient, tableName('subscribers')),
    consents: new DynamoSubscriptionConsents(documentClient, tableName('subscribers')),
    outcomes: events.outcomes,
    clock,
  };
  return {
    accounts,
    inbound: inboundLog,
    converse: async (account, ref, inbound) => {
      const reply = await converseFor(account, ref, inbound);
      if (inbound.kind === 'unfollow') await followerLeft(ref, events);
      return reply;
    },
    templateJobFinished: (account, ref, msgId, status) =>
      templateMessageFinished(account.appId, ref, msgId, status, events),
    prefetch: (ref, inbound) => {
      subscribers.prefetch(ref);
      void readAhead(ref, inbound);
    },
    settle: (ref) =>
      subscribers.settle(ref).catch((error: unknown) => {
        // Only the time of their last message is lost (the support view's 最近消息); the reply stands.
        logger.warn('last-message time not recorded', { error: String(error) });
        telemetry.metric('LastInboundNotRecorded');
      }),
    windowOpened: (_account, openid, trigger, atMs) => windows.open(openid, trigger, new Date(atMs)),
    event: (account, ref, event) => weChatEventReported(account.appId, ref, event, followerEvents),
    enqueueAsyncReply: (job) => topics.publish(repliesTopic, job),
    now: protocolNow,
    maxSkewSeconds: settings.maxSkewSeconds,
    budgetMs: 3500,
    retryWaitMs: 1000,
    log: (message, details) => logger.warn(message, details),
    metric: (name, value) => telemetry.metric(name, value),
  };
}
