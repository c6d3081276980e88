/**
 * Outbound WeChat API calls, with the error table as data (reference §2.7): what each errcode
 * means and what we do about it. Token errors take the token manager's compare-and-expire path and
 * retry exactly once; busy/minute-quota errors retry with jittered backoff; everything else
 * surfaces as a typed WeChatApiError whose `action` the caller acts on. URLs carry access_token,
 * so they are never logged.
 */
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import type { TokenManager } from './tokens.ts';

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
  constructor(errcode: number, errmsg: string) {
    const known = WECHAT_ERRORS[errcode];
    // errmsg may end with "rid: …": WeChat support asks for it; it holds no secret.
    super(`WeChat API error ${errcode} (${known?.meaning ?? 'unknown'}): ${errmsg}`);
    this.errcode = errcode;
    this.action = known?.action ?? (errcode >= 50000 ? 'retry' : 'bug');
    this.subscriberStatus = known?.subscriberStatus;
  }
}

export interface WeChatApiOptions {
  baseUrl: string;
  tokens: TokenManager;
  fetch?: typeof fetch;
  /** Backoff for retryable errors: attempts and base delay. */
  maxRetries?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
}

type Json = Record<string, unknown>;

export class WeChatApi {
  private readonly options: Required<Omit<WeChatApiOptions, 'fetch'>> & { fetch: typeof fetch };
  constructor(options: WeChatApiOptions) {
    this.options = { maxRetries: 3, baseDelayMs: 200, timeoutMs: 5000, fetch: globalThis.fetch, ...options };
  }

  private async once(path: string, token: string, body: Json | undefined): Promise<Json> {
    const url = `${this.options.baseUrl}${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
    const res = await this.options.fetch(url, {
      method: body ? 'POST' : 'GET',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (res.status >= 500) throw new WeChatApiError(-1, `HTTP ${res.status}`);
    return (await res.json()) as Json;
  }

  /** Calls an access_token API; token errors refresh (compare-and-expire) and retry once, never more. */
  async call(account: WeChatAccount, path: string, body?: Json): Promise<Json> {
    let tokenRetried = false;
    for (let attempt = 0; ; attempt++) {
      const token = await this.options.tokens.get(account);
      let result: Json;
      try {
        result = await this.once(path, token, body);
      } catch (error) {
        const e =
          error instanceof WeChatApiError
            ? error
            : new WeChatApiError(-1, `network: ${(error as Error).name}`);
        if (e.action === 'retry' && attempt < this.options.maxRetries) {
          await this.backoff(attempt);
          continue;
        }
        throw e;
      }
      const errcode = typeof result.errcode === 'number' ? result.errcode : 0;
      if (errcode === 0) return result;
      const error = new WeChatApiError(errcode, String(result.errmsg ?? ''));
      if (error.action === 'token' && !tokenRetried) {
        tokenRetried = true;
        await this.options.tokens.invalidate(account, token);
        continue;
      }
      if (error.action === 'retry' && attempt < this.options.maxRetries) {
        await this.backoff(attempt);
        continue;
      }
      throw error;
    }
  }

  private backoff(attempt: number) {
    // Jittered exponential; bounded so a caller's Lambda timeout is never outlived here.
    const ms = Math.min(5000, this.options.baseDelayMs * 2 ** attempt * (0.5 + Math.random()));
    return new Promise((r) => setTimeout(r, ms));
  }

  /** Customer-service text message (the asynchronous reply path). */
  async sendText(account: WeChatAccount, openid: string, content: string): Promise<void> {
    await this.call(account, '/cgi-bin/message/custom/send', {
      touser: openid,
      msgtype: 'text',
      text: { content },
    });
  }
}
