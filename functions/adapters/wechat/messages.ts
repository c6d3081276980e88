/**
 * The WeChat messages delivery sends (core/delivery/ports.ts `WeChatMessages`), over the API client:
 * template messages and subscription notices (bizsend) for pushes, customer-service messages (text,
 * one article) for replies. A refusal from WeChat becomes a `refused` result carrying the error
 * table's verdict; a call that did not complete (it may have been carried out) is `unknown`.
 */
import type { WeChatMessages, WeChatSendResult } from '../../core/delivery/ports.ts';
import type { WeChatApi } from './api.ts';
import { WeChatApiError } from './errors.ts';

export async function outcome(call: () => Promise<Record<string, unknown>>): Promise<WeChatSendResult> {
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

/** A message a person receives goes out at most once: never repeated after a network failure. */
const ONCE = { once: true } as const;

export class WeChatMessageSender implements WeChatMessages {
  private readonly api: WeChatApi;
  constructor(api: WeChatApi) {
    this.api = api;
  }

  sendTemplate: WeChatMessages['sendTemplate'] = (account, m) =>
    outcome(() =>
      this.api.call(
        account,
        '/cgi-bin/message/template/send',
        {
          touser: m.touser,
          template_id: m.templateId,
          ...(m.url ? { url: m.url } : {}),
          client_msg_id: m.clientMsgId,
          data: m.data,
        },
        ONCE,
      ),
    );

  sendSubscription: WeChatMessages['sendSubscription'] = (account, m) =>
    outcome(() =>
      this.api.call(
        account,
        '/cgi-bin/message/subscribe/bizsend',
        {
          touser: m.touser,
          template_id: m.templateId,
          ...(m.page ? { page: m.page } : {}),
          data: m.data,
        },
        ONCE,
      ),
    );

  /** Customer-service messages go through core/delivery/customer-service.ts, which keeps the window. */
  sendCustomerService: WeChatMessages['sendCustomerService'] = (account, openid, m) =>
    outcome(() =>
      this.api.call(
        account,
        '/cgi-bin/message/custom/send',
        m.type === 'text'
          ? { touser: openid, msgtype: 'text', text: { content: m.content } }
          : {
              touser: openid,
              msgtype: 'news',
              news: {
                articles: [
                  { title: m.article.title, description: m.article.description, url: m.article.url },
                ],
              },
            },
        ONCE,
      ),
    );
}
