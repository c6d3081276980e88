/**
 * Outbound WeChat API calls. The error table (./errors.ts) says what each errcode means and what we
 * do about it. Token errors take the token manager's compare-and-expire path and
 * retry exactly once; busy/minute-quota errors, network failures and an access_token that cannot be
 * had (stable_token unreachable) retry with jittered backoff; everything else surfaces as a typed
 * WeChatApiError whose `action` the caller acts on. A call that timed out or broke after its request
 * went out is marked `maybeDelivered`: it may have been carried out. URLs carry access_token, so they
 * are never logged.
 */
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { errorName } from '../../core/errors.ts';
import type { JsonAnswer, JsonRequest } from '../../shared/clients/http-json.ts';
import { WeChatApiError } from './errors.ts';
import type { TokenManager } from './tokens.ts';

export interface WeChatApiOptions {
  baseUrl: string;
  tokens: TokenManager;
  /** Media downloads (headers, bytes), and the JSON calls where `request` is not given. */
  fetch?: typeof fetch;
  /** The JSON calls (every send): functions give node:http's (shared/clients/http-json.ts). */
  request?: JsonRequest;
  /** Backoff for retryable errors: attempts and base delay. */
  maxRetries?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
}

type Json = Record<string, unknown>;

/** Connection failures before any request went out: certainly not carried out. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

export class WeChatApi {
  private readonly options: Required<Omit<WeChatApiOptions, 'fetch' | 'request'>> & {
    fetch: typeof fetch;
    request: JsonRequest;
  };
  constructor(options: WeChatApiOptions) {
    const fetch = options.fetch ?? globalThis.fetch;
    this.options = {
      maxRetries: 3,
      baseDelayMs: 200,
      timeoutMs: 5000,
      ...options,
      fetch,
      request: options.request ?? fetch,
    };
  }

  private async once(path: string, token: string, body: Json | undefined): Promise<Json> {
    const url = `${this.options.baseUrl}${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
    let res: JsonAnswer;
    try {
      res = await this.options.request(url, {
        method: body ? 'POST' : 'GET',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const e = new WeChatApiError(-1, `network: ${errorName(error)}`);
      // fetch puts the socket's error in `cause`; node:http rejects with it.
      const { code, cause } = error as { code?: string; cause?: { code?: string } };
      e.maybeDelivered = !NOT_SENT.has(cause?.code ?? code ?? '');
      throw e;
    }
    if (res.status >= 500) throw new WeChatApiError(-1, `HTTP ${res.status}`);
    return (await res.json()) as Json;
  }

  /** The account's access_token; one that cannot be had is a transient failure (nothing was sent). */
  private async token(account: WeChatAccount): Promise<string> {
    try {
      return await this.options.tokens.get(account);
    } catch (error) {
      if (error instanceof WeChatApiError && error.action !== 'retry') throw error;
      throw new WeChatApiError(-1, `access_token not available: ${errorName(error)}`);
    }
  }

  /**
   * Calls an access_token API; token errors refresh (compare-and-expire) and retry once, never more.
   * `once`: a send a person receives (template, subscription, customer-service message). WeChat
   * answers its errors before sending, so those retry as for any call; but a request that failed on
   * the network after it may have reached WeChat (a timeout, a reset) is not repeated: the error is
   * thrown as it is, and the send's outcome is unknown (at most once), never a second message.
   */
  async call(
    account: WeChatAccount,
    path: string,
    body?: Json,
    options: { once?: boolean } = {},
  ): Promise<Json> {
    let tokenRetried = false;
    for (let attempt = 0; ; attempt++) {
      let token: string;
      let result: Json;
      try {
        token = await this.token(account);
        result = await this.once(path, token, body);
      } catch (error) {
        const e =
          error instanceof WeChatApiError ? error : new WeChatApiError(-1, `network: ${errorName(error)}`);
        if (options.once && e.maybeDelivered) throw e;
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

  /**
   * A temporary media (素材, kept 3 days by WeChat) as bytes: `GET /cgi-bin/media/get`. WeChat answers
   * the file, or JSON with an errcode (40007: no such media, or expired). At most `maxBytes` are read;
   * a larger file is `too-large` without reading the rest. Token errors refresh and retry once.
   */
  async media(
    account: WeChatAccount,
    mediaId: string,
    maxBytes: number,
  ): Promise<{ bytes: Uint8Array; contentType: string } | 'too-large'> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.options.tokens.get(account);
      const url = `${this.options.baseUrl}/cgi-bin/media/get?media_id=${encodeURIComponent(mediaId)}&access_token=${encodeURIComponent(token)}`;
      let res: Response;
      try {
        res = await this.options.fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs * 2) });
      } catch (error) {
        throw new WeChatApiError(-1, `network: ${errorName(error)}`);
      }
      if (res.status >= 500) throw new WeChatApiError(-1, `HTTP ${res.status}`);
      const type = res.headers.get('content-type') ?? '';
      if (type.includes('json') || type.startsWith('text/')) {
        const result = (await res.json()) as Json;
        const error = new WeChatApiError(Number(result.errcode ?? -1), String(result.errmsg ?? ''));
        if (error.action === 'token' && attempt === 0) {
          await this.options.tokens.invalidate(account, token);
          continue;
        }
        throw error;
      }
      const declared = Number(res.headers.get('content-length') ?? 0);
      if (declared > maxBytes) {
        await res.body?.cancel();
        return 'too-large';
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.length > maxBytes) return 'too-large';
      return { bytes, contentType: type };
    }
  }

  /**
   * A customer-service text message, raw (the client's own tests use it). Replies go through
   * core/delivery/customer-service.ts, which keeps each follower's window.
   */
  async sendText(account: WeChatAccount, openid: string, content: string): Promise<void> {
    await this.call(account, '/cgi-bin/message/custom/send', {
      touser: openid,
      msgtype: 'text',
      text: { content },
    });
  }
}
