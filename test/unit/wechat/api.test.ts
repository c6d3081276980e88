/**
 * Which failures of the WeChat API client are transient refusals (nothing was sent: retried, then a
 * refusal the delivery gives back and tries again next attempt) and which may have been carried out
 * (`unknown`: a push is never sent again on the strength of them) — issue #19's "a transient token
 * error became permanent".
 */
import { describe, expect, it } from 'vitest';
import { WeChatApi } from '../../../functions/adapters/wechat/api.ts';
import { WeChatApiError } from '../../../functions/adapters/wechat/errors.ts';
import { WeChatMessageSender } from '../../../functions/adapters/wechat/messages.ts';
import type { TokenManager } from '../../../functions/adapters/wechat/tokens.ts';
import { v1Account } from '../../fixtures/wechat.ts';

const message = {
  touser: 'o-a',
  templateId: 't',
  clientMsgId: 'c',
  data: { keyword1: { value: 'x' } },
  url: null,
};
const tokens = (get: TokenManager['get']): TokenManager => ({ get, invalidate: async () => {} });
const networkError = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: { code } });

function sender(fetch: typeof globalThis.fetch, t: TokenManager = tokens(async () => 'tk')) {
  return new WeChatMessageSender(
    new WeChatApi({ baseUrl: 'http://wechat', tokens: t, fetch, baseDelayMs: 1, maxRetries: 2 }),
  );
}

describe('WeChat API failures', () => {
  it('an access_token that cannot be had (stable_token unreachable) is retried, then a transient refusal', async () => {
    let tokenCalls = 0;
    const unreachable = tokens(async () => {
      tokenCalls++;
      throw networkError('ECONNRESET');
    });
    const result = await sender(async () => new Response('{}'), unreachable).sendTemplate(
      v1Account(),
      message,
    );
    expect(result).toMatchObject({ status: 'refused', refusal: { errcode: -1, action: 'retry' } });
    expect(tokenCalls).toBe(3);
  });

  it('recovers when the token comes back within the retries', async () => {
    let tokenCalls = 0;
    const flaky = tokens(async () => {
      if (++tokenCalls === 1) throw new WeChatApiError(-1, 'system busy');
      return 'tk';
    });
    const ok = async () => new Response(JSON.stringify({ errcode: 0, msgid: 7 }));
    expect(await sender(ok, flaky).sendTemplate(v1Account(), message)).toEqual({
      status: 'sent',
      msgid: '7',
    });
  });

  it('a configuration refusal of stable_token (invalid appid) is not retried as transient', async () => {
    const refused = tokens(async () => {
      throw new WeChatApiError(40013, 'invalid appid');
    });
    const result = await sender(async () => new Response('{}'), refused).sendTemplate(v1Account(), message);
    expect(result).toMatchObject({ status: 'refused', refusal: { errcode: 40013, action: 'abort' } });
  });

  it('a send that timed out may have gone out: unknown, never a refusal to retry', async () => {
    const timeout = async (): Promise<Response> => {
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    };
    expect(await sender(timeout).sendTemplate(v1Account(), message)).toMatchObject({ status: 'unknown' });
  });

  it('a connection refused before anything went out is a transient refusal', async () => {
    const refused = async (): Promise<Response> => {
      throw networkError('ECONNREFUSED');
    };
    expect(await sender(refused).sendTemplate(v1Account(), message)).toMatchObject({
      status: 'refused',
      refusal: { errcode: -1, action: 'retry' },
    });
  });
});
