/** The conversation wired to its stores (inbound log, restriction data, notice feed), per container. */
import keywordData from '../../schemas/data/keywords.json' with { type: 'json' };
import { KeywordRepliesSchema, type WeChatAccount } from '../../schemas/wechat.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoInboundLog } from '../adapters/dynamodb/inbound-log.ts';
import { DynamoNoticeFeed } from '../adapters/dynamodb/notice-feed.ts';
import { converse, type Inbound } from '../core/conversation/converse.ts';
import { reminderCitiesFrom } from '../core/conversation/reminder-cities.ts';
import { bookOf } from '../core/restrictions/engine.ts';
import type { SubscriberRef } from '../core/subscribers/subscriber.ts';
import { clock } from './clock.ts';
import { tableName } from './config.ts';
import { restrictionData } from './restriction-data.ts';
import { smsFallbackStarter } from './sms-fallback.ts';
import { subscribers } from './wechat.ts';

export const inboundLog = new DynamoInboundLog(documentClient, tableName('inbound'));
const notices = new DynamoNoticeFeed(documentClient, tableName('content'));
const keywords = KeywordRepliesSchema.parse(keywordData);
/**
 * Read when the first message is answered, not at import: send-wechat-reply imports this module for
 * the inbound log only and has no SERVED_CITIES.
 */
let served: ReadonlySet<string> | undefined;
const reminderCities = () => {
  served ??= reminderCitiesFrom(process.env.SERVED_CITIES);
  return served;
};

export function converseFor(account: WeChatAccount, ref: SubscriberRef, inbound: Inbound) {
  return converse(ref, inbound, {
    subscribers,
    restrictions: async () => bookOf(await restrictionData.load()),
    notices,
    clock,
    keywords,
    account: { id: account.id, defaultCity: account.defaultCity },
    reminderCities: reminderCities(),
    smsFallback: smsFallbackStarter,
  });
}
