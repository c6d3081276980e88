/**
 * Wiring: the conversation and the WeChat webhook around it, per container — the inbound log, the
 * restriction data, the notice feed, the keyword replies, SMS fallback codes, unfollow attribution
 * and template outcomes.
 */

import { shippedKeywordReplies } from '../../../schemas/data/replies.ts';
import { ReminderSettingsSchema } from '../../../schemas/settings.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { DynamoDeliveryOutcomes, DynamoTemplateReceipts } from '../../adapters/dynamodb/delivery-outcomes.ts';
import { DynamoInboundLog } from '../../adapters/dynamodb/inbound-log.ts';
import { DynamoNoticeFeed } from '../../adapters/dynamodb/notice-feed.ts';
import type { WebhookDeps } from '../../adapters/wechat/webhook.ts';
import { converse, type Inbound } from '../../core/conversation/converse.ts';
import { bookOf } from '../../core/restrictions/engine.ts';
import { followerLeft, templateMessageFinished } from '../../core/subscribers/events.ts';
import type { SubscriberRef } from '../../core/subscribers/subscriber.ts';
import { documentClient, topics } from '../aws-clients.ts';
import { clock, protocolNow } from '../clock.ts';
import { settings, tableName, topicArn } from '../config.ts';
import { logger } from '../powertools.ts';
import { telemetry } from '../telemetry.ts';
import { pushRuns, pushStats } from './pushes.ts';
import { restrictionData } from './restriction-data.ts';
import { smsFallbackStarter } from './sms-fallback.ts';
import { accounts, subscribers } from './wechat.ts';

export const inboundLog = new DynamoInboundLog(documentClient, tableName('inbound'));
const notices = new DynamoNoticeFeed(documentClient, tableName('content'));
const keywords = shippedKeywordReplies;
const { reminderCities } = settings(ReminderSettingsSchema);

export function converseFor(account: WeChatAccount, ref: SubscriberRef, inbound: Inbound) {
  return converse(ref, inbound, {
    subscribers,
    restrictions: async () => bookOf(await restrictionData.load()),
    notices,
    clock,
    keywords,
    account: { id: account.id, defaultCity: account.defaultCity },
    reminderCities,
    smsFallback: smsFallbackStarter,
  });
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
    enqueueAsyncReply: (job) => topics.publish(repliesTopic, job),
    now: protocolNow,
    maxSkewSeconds: settings.maxSkewSeconds,
    budgetMs: 3500,
    retryWaitMs: 1000,
    log: (message, details) => logger.warn(message, details),
    metric: (name, value) => telemetry.metric(name, value),
  };
}
