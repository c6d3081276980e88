/** Wiring: the custom menu (functions/core/wechat/menu.ts) for manage-wechat. */
import { randomUUID } from 'node:crypto';
import { shippedKeywordReplies, shippedMenus } from '../../../schemas/data/replies.ts';
import { DynamoPublishedMenus } from '../../adapters/dynamodb/wechat-menus.ts';
import { WeChatMenus } from '../../adapters/wechat/menus.ts';
import { CLICK_KEYS } from '../../core/conversation/converse.ts';
import type { MenuDeps } from '../../core/wechat/menu.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { clock } from '../clock.ts';
import { tableName } from '../config.ts';
import { accounts, wechatApi } from './wechat-api.ts';

export function menuDeps(): MenuDeps {
  const menus = new WeChatMenus(wechatApi().api);
  const published = new DynamoPublishedMenus(documentClient, tableName('operations'), randomUUID);
  return {
    account: (id) => accounts.get(id),
    menuOf: (account) => shippedMenus[account.menu ?? account.audience],
    vocabulary: { clickKeys: Object.keys(CLICK_KEYS), keywords: shippedKeywordReplies },
    wechat: { current: (a) => menus.current(a), create: (a, m) => menus.create(a, m) },
    published: (...args) => published.published(...args),
    clock,
  };
}
