/**
 * The provider APIs' JSON transport over node:http (functions/shared/clients/http-json.ts), against a
 * real HTTP server on loopback: what it sends, what it answers, and how it fails — the WeChat client
 * (functions/adapters/wechat/api.ts) decides from that whether a send may have been carried out.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeChatApi } from '../../../functions/adapters/wechat/api.ts';
import { WeChatApiError } from '../../../functions/adapters/wechat/errors.ts';
import { httpJson, MAX_ANSWER_BYTES } from '../../../functions/shared/clients/http-json.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';

let server: Server;
let base = '';
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
const sockets = new Set<unknown>();

beforeAll(async () => {
  server = createServer((req, res) => {
    sockets.add(req.socket);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0];
      if (path === '/slow') return void setTimeout(() => res.end('{"late":true}'), 2000);
      if (path === '/huge') {
        res.setHeader('content-type', 'application/json');
        return void res.end(`"${'x'.repeat(MAX_ANSWER_BYTES + 10)}"`);
      }
      if (path === '/broken') return void req.socket.destroy();
      if (path === '/busy') {
        res.statusCode = 503;
        return void res.end('busy');
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ errcode: 0, errmsg: 'ok', echo: body ? JSON.parse(body) : null }));
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
/** A loopback port that was just listened on and closed: nothing answers there. */
async function closedPort(): Promise<number> {
  const closed = createServer();
  closed.listen(0, '127.0.0.1');
  await new Promise((r) => closed.once('listening', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  return port;
}

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('httpJson', () => {
  it('posts the body with its length and reads the JSON answer', async () => {
    const res = await httpJson(`${base}/cgi-bin/message/template/send?access_token=t`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ touser: 'o-1', data: { thing1: { value: '京A12345 今日限行' } } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      errcode: 0,
      errmsg: 'ok',
      echo: { touser: 'o-1', data: { thing1: { value: '京A12345 今日限行' } } },
    });
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ method: 'POST', url: '/cgi-bin/message/template/send?access_token=t' });
    // Bytes, not characters: the body is UTF-8.
    expect(Number(last.headers['content-length'])).toBe(Buffer.byteLength(last.body));
    expect(last.headers.connection).toBe('keep-alive');
  });

  it('keeps the connection for the next request', async () => {
    const before = sockets.size;
    for (let i = 0; i < 5; i++) await (await httpJson(`${base}/ok`, { method: 'GET' })).json();
    expect(sockets.size - before).toBeLessThanOrEqual(1);
  });

  it('answers a non-2xx status as it came, for the caller to judge', async () => {
    const res = await httpJson(`${base}/busy`, { method: 'GET' });
    expect(res.status).toBe(503);
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });

  it('rejects with the signal’s reason once it aborts (a timeout)', async () => {
    await expect(
      httpJson(`${base}/slow`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(100) }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    const aborted = AbortSignal.abort(new Error('already'));
    await expect(httpJson(`${base}/ok`, { method: 'GET', signal: aborted })).rejects.toThrow('already');
  });

  it('rejects with the socket’s error code when nothing answers or the connection breaks', async () => {
    const port = await closedPort();
    await expect(httpJson(`http://127.0.0.1:${port}/x`, { method: 'GET' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    await expect(httpJson(`${base}/broken`, { method: 'POST', body: '{}' })).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
  });

  it('does not read an answer larger than the limit', async () => {
    await expect(httpJson(`${base}/huge`, { method: 'GET' })).rejects.toThrow(/more than 1048576 bytes/);
  });

  it('refuses a URL that is not http or https', async () => {
    await expect(httpJson('file:///etc/passwd', { method: 'GET' })).rejects.toThrow(TypeError);
  });
});

describe('the WeChat client over httpJson', () => {
  const account = { id: 'dev', appId: 'wx-test' } as WeChatAccount;
  const tokens = { get: async () => 'tk', invalidate: async () => {} };
  const api = (baseUrl: string, timeoutMs = 5000) =>
    new WeChatApi({ baseUrl, tokens, request: httpJson, baseDelayMs: 1, maxRetries: 1, timeoutMs });

  it('sends and returns WeChat’s answer', async () => {
    const answer = await api(base).call(account, '/cgi-bin/message/template/send', { touser: 'o-2' });
    expect(answer).toMatchObject({ errcode: 0, echo: { touser: 'o-2' } });
    expect(seen.at(-1)!.url).toBe('/cgi-bin/message/template/send?access_token=tk');
  });

  it('a send that timed out may have been carried out: not repeated, outcome unknown', async () => {
    const before = seen.length;
    const error = await api(base, 100)
      .call(account, '/slow', { touser: 'o-3' }, { once: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeChatApiError);
    expect((error as WeChatApiError).maybeDelivered).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.length - before).toBeLessThanOrEqual(1); // sent once, never again
  });

  it('a refused connection certainly sent nothing', async () => {
    const port = await closedPort();
    const error = await api(`http://127.0.0.1:${port}`)
      .call(account, '/cgi-bin/message/template/send', { touser: 'o-4' }, { once: true })
      .catch((e: unknown) => e);
    expect((error as WeChatApiError).maybeDelivered).toBe(false);
  });
});
