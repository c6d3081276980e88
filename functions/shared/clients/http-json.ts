/**
 * JSON over node:http(s) with keep-alive connections: the transport of the provider APIs a function
 * calls once per message (WeChat's send APIs, Tencent's SendSms). `fetch` does the same job at more
 * than twice the CPU per request (undici's WHATWG streams and headers: a median of 333 µs against
 * 141 µs on this machine with 12 requests in flight, `npm run -s bench -- http-client`); at a
 * morning's 240 sends a second that CPU is what a delivery invocation's memory size buys
 * (test/bench/deliver-memory.ts).
 *
 * It answers as `fetch` does for these calls — `status` and `json()` — so `fetch` itself, and the
 * tests' fakes of it, stand in for it wherever a caller takes a `JsonRequest`. A failure before an
 * answer rejects with the socket's error (its `code`: ECONNREFUSED, ECONNRESET, …) or, once the
 * signal aborts (a timeout), with the signal's reason; an answer larger than `MAX_ANSWER_BYTES`
 * rejects without reading the rest.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface JsonRequestInit {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** What a caller reads of an answer: what `fetch`'s Response gives too. */
export interface JsonAnswer {
  status: number;
  json(): Promise<unknown>;
}

export type JsonRequest = (url: string, init: JsonRequestInit) => Promise<JsonAnswer>;

/** Provider APIs answer a few hundred bytes of JSON; more than this is not an answer we read. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

// One pool per protocol for the life of the execution environment, as fetch's is. An idle socket is
// closed after 4 s (undici's default for fetch) or before the server's own `Keep-Alive: timeout`,
// so a send rarely goes out on a connection the server is closing.
const agents = {
  'http:': new HttpAgent({ keepAlive: true, timeout: 4000 }),
  'https:': new HttpsAgent({ keepAlive: true, timeout: 4000 }),
};

export const httpJson: JsonRequest = (url, init) =>
  new Promise<JsonAnswer>((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      reject(new TypeError(`httpJson: ${target.protocol} is not http: or https:`));
      return;
    }
    if (init.signal?.aborted) {
      reject(init.signal.reason);
      return;
    }
    const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
    const headers = { ...init.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: init.method, headers, agent: agents[target.protocol] }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          req.destroy(new Error(`httpJson: an answer of more than ${MAX_ANSWER_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        init.signal?.removeEventListener('abort', onAbort);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: async () => JSON.parse(text) as unknown });
      });
      res.on('error', reject);
    });
    const onAbort = () => req.destroy(init.signal?.reason as Error);
    init.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => {
      init.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    req.end(body);
  });
