/**
 * The custom menu over the API client: what WeChat shows now (`/cgi-bin/get_current_selfmenu_info`)
 * and publishing one (`/cgi-bin/menu/create`).
 */
import type { Menu, WeChatAccount } from '../../../schemas/wechat.ts';
import type { WeChatApi } from './api.ts';
import { outcome } from './messages.ts';

export class WeChatMenus {
  private readonly api: WeChatApi;
  constructor(api: WeChatApi) {
    this.api = api;
  }

  current(account: WeChatAccount): Promise<Record<string, unknown>> {
    return this.api.call(account, '/cgi-bin/get_current_selfmenu_info');
  }

  create(account: WeChatAccount, menu: Menu) {
    return outcome(() => this.api.call(account, '/cgi-bin/menu/create', menu));
  }
}
