/**
 * The WeChat API client's retries: WeChat's own errors (-1 busy) retry for every call, but a message
 * a person receives is never repeated after a network failure that may have reached WeChat — its
 * outcome is unknown (at most once). Seen as duplicate reminders when the sandbox answered slower
 * than the client's timeout on a loaded machine.
 */
import { describe, expect, it } from 'vitest';
import { accountsFromEnv } from '../../../functions/adapters/wechat/accounts.ts';
import { WeChatApi } from '../../../functions/adapters/wechat/api.ts';
import { WeChatMessageSender } from '../../../functions/adapters/wechat/messages.ts';
import type { TokenManager } from '../../../functions/adapters/wechat/tokens.ts';

const account = accountsFromEnv({})[0]!;
const tokens = { get: async () => 'token', invalidate: async () => undefined } as unknown as TokenManager;
const timeout = () =>
  Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
const refused = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
const reset = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });

/** A fetch answering each call from the list in turn: an error to throw, or a JSON body. */
function scripted(answers: Array<Error | Record<string, unknown>>) {
  const calls: string[] = [];
  const fetch = (async (url: string) => {
    calls.push(String(url));
    const next = answers.shift() ?? { errcode: 0 };
    if (next instanceof Error) throw next;
    return new Response(JSON.stringify(next), { headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof globalThis.fetch;
  const api = new WeChatApi({ baseUrl: 'https://wechat.test', tokens, fetch, baseDelayMs: 1 });
  return { api, sender: new WeChatMessageSender(api), calls };
}
const template = { touser: 'o-1', templateId: 't', clientMsgId: 'c', data: {}, url: null };

describe('the WeChat API client', () => {
  it.each([
    ['a timeout', timeout],
    ['a reset connection', reset],
  ])('does not repeat a template message after %s: sent once, outcome unknown', async (_what, error) => {
    const { sender, calls } = scripted([error(), { errcode: 0, msgid: 1 }]);
    expect(await sender.sendTemplate(account, template)).toMatchObject({ status: 'unknown' });
    expect(calls).toHaveLength(1);
  });

  it('does not repeat a customer-service message or a subscription notice after a timeout', async () => {
    const a = scripted([timeout(), { errcode: 0 }]);
    expect(
      await a.sender.sendCustomerService(account, 'o-1', { type: 'text', content: '您好' }),
    ).toMatchObject({ status: 'unknown' });
    expect(a.calls).toHaveLength(1);
    const b = scripted([timeout(), { errcode: 0 }]);
    expect(
      await b.sender.sendSubscription(account, { touser: 'o-1', templateId: 't', data: {}, page: null }),
    ).toMatchObject({ status: 'unknown' });
    expect(b.calls).toHaveLength(1);
  });

  it('retries a send that never reached WeChat (connection refused), and WeChat’s busy -1', async () => {
    const { sender, calls } = scripted([
      refused(),
      { errcode: -1, errmsg: 'busy' },
      { errcode: 0, msgid: 7 },
    ]);
    expect(await sender.sendTemplate(account, template)).toEqual({ status: 'sent', msgid: '7' });
    expect(calls).toHaveLength(3);
  });

  it('still retries calls that send nothing after a timeout (reads)', async () => {
    const { api, calls } = scripted([timeout(), { errcode: 0, selfmenu_info: {} }]);
    expect(await api.call(account, '/cgi-bin/get_current_selfmenu_info')).toMatchObject({ errcode: 0 });
    expect(calls).toHaveLength(2);
  });
});
