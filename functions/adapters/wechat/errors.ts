/**
 * The WeChat API's error table as data (reference §2.7): what each errcode means and what we do
 * about it. The API client throws WeChatApiError; the message adapter hands delivery a refusal.
 */

export type ErrorAction =
  | 'retry' // transient: back off and try again
  | 'token' // credential: compare-and-expire, retry once
  | 'recipient' // this user cannot receive: mark the subscriber, do not retry
  | 'window' // customer-service window closed / quota used: drop or fall back
  | 'abort' // configuration or daily quota: stop the run and alarm
  | 'bug'; // our request is wrong

export const WECHAT_ERRORS: Record<
  number,
  { meaning: string; action: ErrorAction; subscriberStatus?: 'unfollowed' | 'blocked' | 'opted-out' }
> = {
  [-1]: { meaning: 'system busy', action: 'retry' },
  40001: { meaning: 'access_token invalid or not latest', action: 'token' },
  40014: { meaning: 'invalid access_token', action: 'token' },
  42001: { meaning: 'access_token expired', action: 'token' },
  41001: { meaning: 'access_token missing', action: 'bug' },
  40164: { meaning: 'caller IP not in whitelist', action: 'abort' },
  40243: { meaning: 'AppSecret frozen', action: 'abort' },
  40013: { meaning: 'invalid appid', action: 'abort' },
  40125: { meaning: 'invalid appsecret', action: 'abort' },
  40003: { meaning: 'invalid openid for this account', action: 'recipient', subscriberStatus: 'unfollowed' },
  43004: { meaning: 'recipient does not follow', action: 'recipient', subscriberStatus: 'unfollowed' },
  43019: {
    meaning: 'recipient is in the account blacklist',
    action: 'recipient',
    subscriberStatus: 'blocked',
  },
  48002: { meaning: 'recipient turned off messages', action: 'recipient', subscriberStatus: 'opted-out' },
  43101: { meaning: 'recipient refused the subscription message', action: 'recipient' },
  // Delivery defers the follower alone (core/delivery/wechat.ts); never retried in a loop here.
  43117: { meaning: 'messages to this recipient too frequent', action: 'recipient' },
  45065: { meaning: 'a mass send with this clientmsgid was already made', action: 'bug' },
  45015: { meaning: 'customer-service window expired or unsubscribed', action: 'window' },
  45047: { meaning: 'customer-service quota used up', action: 'window' },
  45009: { meaning: 'daily API quota reached', action: 'abort' },
  45011: { meaning: 'API minute quota reached', action: 'retry' },
  40037: { meaning: 'invalid template_id', action: 'abort' },
  47001: { meaning: 'request format error', action: 'bug' },
  47003: { meaning: 'template argument invalid', action: 'bug' },
  48001: { meaning: 'api unauthorized for this account type', action: 'abort' },
  40033: { meaning: 'invalid request charset', action: 'bug' },
};

export class WeChatApiError extends Error {
  override name = 'WeChatApiError';
  readonly errcode: number;
  readonly action: ErrorAction;
  readonly subscriberStatus: 'unfollowed' | 'blocked' | 'opted-out' | undefined;
  /**
   * The call may have reached WeChat and been carried out (it timed out, or the connection broke
   * after the request went): not a refusal — a push must not be sent again on the strength of it.
   */
  maybeDelivered = false;
  constructor(errcode: number, errmsg: string) {
    const known = WECHAT_ERRORS[errcode];
    // errmsg may end with "rid: …": WeChat support asks for it; it holds no secret.
    super(`WeChat API error ${errcode} (${known?.meaning ?? 'unknown'}): ${errmsg}`);
    this.errcode = errcode;
    this.action = known?.action ?? (errcode >= 50000 ? 'retry' : 'bug');
    this.subscriberStatus = known?.subscriberStatus;
  }
}
