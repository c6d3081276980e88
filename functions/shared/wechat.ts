/**
 * The WeChat side every WeChat function shares, composed once per container: the accounts, the
 * subscribers and where the WeChat API lives (the local stack's sandbox when running locally).
 * What only the conversation needs is in ./conversation.ts, so functions that do not converse need
 * no access to its tables.
 */
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoSubscriberRepository } from '../adapters/dynamodb/subscribers.ts';
import { accountDirectory } from '../adapters/wechat/accounts.ts';
import { tableName } from './config.ts';

export const accounts = accountDirectory();
export const subscribers = new DynamoSubscriberRepository(documentClient, tableName('subscribers'));
export const wechatApiBase = process.env.WECHAT_API_BASE ?? 'https://api.weixin.qq.com';
