/**
 * The WeChat messages delivery sends (core/delivery/ports.ts `WeChatMessages`), over the API client:
 * template messages for pushes and customer-service text for replies. A refusal from WeChat becomes
 * a `refused` result carrying the error table's verdict; a call that did not complete (it may have been
 * carried out) is `unknown`.
 */
import type { WeChatMessages, WeChatSendResult } from '../../core/delivery/ports.ts';
import type { WeChatApi } from './api.ts';
import { WeChatApiError } from './errors.ts';

async function outcome(call: () => Promise<Record<string, unknown>>): Promise<WeChatSendResult> {
  try {
    const res = await call();
    return { status: 'sent', msgid: res.msgid === undefined ? null : String(res.msgid) };
  } catch (error) {
    if (!(error instanceof WeChatApiError) || error.maybeDelivered)
      return { status: 'unknown', message: error instanceof Error ? error.message : String(error) };
    return {
      status: 'refused',
      refusal: {
        errcode: error.errcode,
        action: error.action,
        subscriberStatus: error.subscriberStatus,
        message: error.message,
      },
    };
  }
}

export class WeChatMessageSender implements WeChatMessages {
  private readonly api: WeChatApi;
  constructor(api: WeChatApi) {
    this.api = api;
  }

  sendTemplate: WeChatMessages['sendTemplate'] = (account, m) =>
    outcome(() =>
      this.api.call(account, '/cgi-bin/message/template/send', {
        touser: m.touser,
        template_id: m.templateId,
        client_msg_id: m.clientMsgId,
        data: m.data,
      }),
    );

  sendText: WeChatMessages['sendText'] = (account, openid, content) =>
    outcome(async () => {
      await this.api.sendText(account, openid, content);
      return {};
    });
}
