/**
 * The WeChat side of the system, composed once per container: accounts, subscribers, the inbound
 * log, the token manager and API client, and the conversation wired to them.
 */
import { shippedRestrictionData } from '../../schemas/data/index.ts';
import keywordData from '../../schemas/data/keywords.json' with { type: 'json' };
import { KeywordRepliesSchema, type WeChatAccount } from '../../schemas/wechat.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoInboundLog } from '../adapters/dynamodb/inbound-log.ts';
import { DynamoNoticeFeed } from '../adapters/dynamodb/notice-feed.ts';
import { DynamoRestrictionDataRepository } from '../adapters/dynamodb/restriction-data.ts';
import { DynamoSubscriberRepository } from '../adapters/dynamodb/subscribers.ts';
import { accountDirectory } from '../adapters/wechat/accounts.ts';
import { systemClock } from '../core/clock.ts';
import { converse, type Inbound } from '../core/conversation.ts';
import { bookOf } from '../core/restrictions.ts';
import type { SubscriberRef } from '../core/subscribers.ts';
import { tableName } from './config.ts';

export const accounts = accountDirectory();
export const subscribers = new DynamoSubscriberRepository(documentClient, tableName('subscribers'));
export const inboundLog = new DynamoInboundLog(documentClient, tableName('inbound'));
const restrictionData = new DynamoRestrictionDataRepository(documentClient, {
  contentTable: tableName('content'),
  shipped: shippedRestrictionData,
  cacheMs: Number(process.env.RESTRICTION_DATA_CACHE_SECONDS ?? 30) * 1000,
});
const notices = new DynamoNoticeFeed(documentClient, tableName('content'));
const keywords = KeywordRepliesSchema.parse(keywordData);

export function converseFor(account: WeChatAccount, ref: SubscriberRef, inbound: Inbound) {
  return converse(ref, inbound, {
    subscribers,
    restrictions: async () => bookOf(await restrictionData.load()),
    notices,
    clock: systemClock,
    keywords,
    account: { id: account.id, defaultCity: account.defaultCity },
  });
}

/** Where the WeChat API lives (the local stack's sandbox when running locally). */
export const wechatApiBase = process.env.WECHAT_API_BASE ?? 'https://api.weixin.qq.com';
