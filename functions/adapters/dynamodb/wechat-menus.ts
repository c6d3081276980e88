/**
 * The custom menu last published to an account (operations `MENU#{appId}`), written with its audit
 * entry (before: WeChat's menu as it was, after: the one published) in one transaction.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Menu, WeChatAccount } from '../../../schemas/wechat.ts';
import type { Actor } from '../../core/vocabulary.ts';
import { auditedTransaction } from './audited-write.ts';
import { keys } from './keys.ts';

export class DynamoPublishedMenus {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly newId: () => string;
  constructor(doc: DynamoDBDocumentClient, table: string, newId: () => string) {
    this.doc = doc;
    this.table = table;
    this.newId = newId;
  }

  async published(account: WeChatAccount, before: Menu, after: Menu, actor: Actor, at: string) {
    await auditedTransaction(
      this.doc,
      [],
      {
        table: this.table,
        entry: {
          id: this.newId(),
          actor: actor.sub,
          at,
          action: 'wechat.menu.publish',
          entity: `wechat-account:${account.id}`,
          before,
          after,
        },
      },
      [
        {
          table: this.table,
          item: { ...keys.wechatMenu(account.appId), account: account.id, menu: after, at, by: actor.sub },
        },
      ],
    );
  }
}
