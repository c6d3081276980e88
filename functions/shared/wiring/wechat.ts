/**
 * Wiring: the WeChat side every WeChat function shares, composed once per container: the accounts,
 * the subscribers, and the API client (stable_token tokens shared through DynamoDB) behind the
 * messages delivery sends. What only the conversation needs is in ./conversation.ts, so functions
 * that do not converse need no access to its tables.
 */

import { DynamoSubscriberRepository } from '../../adapters/dynamodb/subscribers.ts';
import { accountDirectory } from '../../adapters/wechat/accounts.ts';
import { WeChatApi } from '../../adapters/wechat/api.ts';
import { WeChatMessageSender } from '../../adapters/wechat/messages.ts';
import { DynamoTokenStore, StableTokenManager } from '../../adapters/wechat/tokens.ts';
import { documentClient } from '../aws-clients.ts';
import { env, requireEnv, tableName } from '../config.ts';

export const accounts = accountDirectory(env());
export const subscribers = new DynamoSubscriberRepository(documentClient, tableName('subscribers'));

/** The WeChat API client of a function that calls it (its blueprint entry sets WECHAT_API_BASE). */
export function wechatApi() {
  const baseUrl = requireEnv('WECHAT_API_BASE');
  const tokens = new StableTokenManager({
    baseUrl,
    store: new DynamoTokenStore(documentClient, tableName('operations')),
  });
  return { tokens, api: new WeChatApi({ baseUrl, tokens }) };
}

export const wechatMessages = () => new WeChatMessageSender(wechatApi().api);
