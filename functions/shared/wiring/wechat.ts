/**
 * Wiring: the WeChat side every WeChat function shares, composed once per container: the accounts,
 * the subscribers, the API client (stable_token tokens shared through DynamoDB) behind the messages
 * delivery sends, and the customer-service sender that keeps each follower's window. What only the
 * conversation needs is in ./conversation.ts, so functions that do not converse need no access to
 * its tables.
 */

import { DynamoSubscriberRepository } from '../../adapters/dynamodb/subscribers.ts';
import { DynamoCustomerServiceWindow } from '../../adapters/dynamodb/wechat-followers.ts';
import { WeChatMessageSender } from '../../adapters/wechat/messages.ts';
import type { CustomerServiceDeps } from '../../core/delivery/customer-service.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { protocolClock } from '../clock.ts';
import { tableName } from '../config.ts';
import { accounts, wechatApi } from './wechat-api.ts';

export { accounts, wechatApi };
export const subscribers = new DynamoSubscriberRepository(documentClient, tableName('subscribers'));

export const wechatMessages = () => new WeChatMessageSender(wechatApi().api);

/**
 * What a customer-service send needs (core/delivery/customer-service.ts `sendCustomerService`): the
 * follower's window (subscribers table) and the messages. Every job on `wechat-replies` sends with it.
 */
export function customerService(messages = wechatMessages()): CustomerServiceDeps {
  return {
    window: new DynamoCustomerServiceWindow(documentClient, tableName('subscribers')),
    wechat: messages,
    // WeChat counts the window in its own time (the message's CreateTime), never the shifted local clock.
    clock: protocolClock,
  };
}
