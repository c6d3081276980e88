/**
 * Answers back to the 12345 platform: one signed POST per answer to its answer URL (the `desk`
 * secret), with our case number and its ticket id. Not retried here: a failure is the queue's retry.
 */
import { randomBytes } from 'node:crypto';
import type { PlatformAnswers } from '../../core/desk/answers.ts';
import { signPlatformCall } from './signing.ts';

export class HttpPlatformAnswers implements PlatformAnswers {
  private readonly config: () => Promise<{ secret: string; answerUrl: string } | undefined>;
  private readonly fetch: typeof fetch;
  constructor(
    config: () => Promise<{ secret: string; answerUrl: string } | undefined>,
    fetchImpl = globalThis.fetch,
  ) {
    this.config = config;
    this.fetch = fetchImpl;
  }

  async answer(a: { ticketId: string; caseNumber: string; text: string; answeredAt: string }) {
    const config = await this.config();
    if (!config)
      return { ok: false as const, detail: 'no 12345 platform configured (desk secret platform12345)' };
    const body = JSON.stringify(a);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(16).toString('hex');
    const res = await this.fetch(config.answerUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-platform-timestamp': timestamp,
        'x-platform-nonce': nonce,
        'x-platform-signature': signPlatformCall(config.secret, timestamp, nonce, body),
      },
      body,
      signal: AbortSignal.timeout(5000),
    });
    if (res.ok) return { ok: true as const };
    if (res.status >= 500) throw new Error(`12345 platform answered HTTP ${res.status}`);
    return { ok: false as const, detail: `12345 platform refused the answer: HTTP ${res.status}` };
  }
}
