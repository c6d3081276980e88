/**
 * The city's 12345 platform, for the local stack: it receives our answers to its tickets (the
 * `desk` secret's answerUrl points here locally), checks their signature as the platform would, and
 * keeps them in an outbox (`GET /_local/12345/outbox`). `npm run 12345` plays the platform's side.
 */
import { timingSafeEqual } from 'node:crypto';
import { signPlatformCall } from '../../functions/adapters/platform/signing.ts';

export interface PlatformAnswer {
  at: string;
  verified: boolean;
  body: unknown;
}

export class PlatformSandbox {
  readonly outbox: PlatformAnswer[] = [];
  private readonly secret: string;
  constructor(secret: string) {
    this.secret = secret;
  }

  receive(headers: Record<string, string | string[] | undefined>, body: string): [number, unknown] {
    const h = (n: string) => String(headers[n] ?? '');
    const expected = Buffer.from(
      signPlatformCall(this.secret, h('x-platform-timestamp'), h('x-platform-nonce'), body),
    );
    const given = Buffer.from(h('x-platform-signature'));
    const verified = given.length === expected.length && timingSafeEqual(given, expected);
    let parsed: unknown = body;
    try {
      parsed = JSON.parse(body);
    } catch {
      /* kept as text */
    }
    this.outbox.push({ at: new Date().toISOString(), verified, body: parsed });
    return verified
      ? [200, { code: 0, message: 'received' }]
      : [401, { code: 401, message: 'signature does not verify' }];
  }
}
