/** The conversation wired to its stores (inbound log, restriction data, notice feed), per container. */
import { shippedRestrictionData } from '../../schemas/data/index.ts';
import keywordData from '../../schemas/data/keywords.json' with { type: 'json' };
import { KeywordRepliesSchema, type WeChatAccount } from '../../schemas/wechat.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoInboundLog } from '../adapters/dynamodb/inbound-log.ts';
import { DynamoNoticeFeed } from '../adapters/dynamodb/notice-feed.ts';
import { DynamoRestrictionDataRepository } from '../adapters/dynamodb/restriction-data.ts';
import { converse, type Inbound } from '../core/conversation.ts';
import { bookOf } from '../core/restrictions.ts';
import type { SubscriberRef } from '../core/subscribers.ts';
import { clock } from './clock.ts';
import { tableName } from './config.ts';
import { subscribers } from './wechat.ts';

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
    clock,
    keywords,
    account: { id: account.id, defaultCity: account.defaultCity },
  });
}
