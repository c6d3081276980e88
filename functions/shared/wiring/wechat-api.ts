/**
 * Wiring: the WeChat accounts and the API client (stable_token tokens shared through DynamoDB's
 * operations table), for every function that calls WeChat; nothing here needs another table.
 */
import { accountDirectory } from '../../adapters/wechat/accounts.ts';
import { WeChatApi } from '../../adapters/wechat/api.ts';
import { DynamoTokenStore, StableTokenManager } from '../../adapters/wechat/tokens.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { httpJson } from '../clients/http-json.ts';
import { env, requireEnv, tableName } from '../config.ts';

export const accounts = accountDirectory(env());

/** The WeChat API client of a function that calls it (its blueprint entry sets WECHAT_API_BASE). */
export function wechatApi() {
  const baseUrl = requireEnv('WECHAT_API_BASE');
  const tokens = new StableTokenManager({
    baseUrl,
    store: new DynamoTokenStore(documentClient, tableName('operations')),
  });
  return { tokens, api: new WeChatApi({ baseUrl, tokens, request: httpJson }) };
}
