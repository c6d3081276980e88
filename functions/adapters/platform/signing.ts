/**
 * The 12345 platform's calls, both ways: `X-Platform-Timestamp`, `X-Platform-Nonce` and
 * `X-Platform-Signature: hex(HMAC-SHA256(secret, timestamp + "." + nonce + "." + body))`. A call is
 * accepted only when the signature verifies (constant time), the timestamp is within the skew and the
 * nonce was never seen (claimed once, kept past the skew window).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const signPlatformCall = (secret: string, timestamp: string, nonce: string, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${nonce}.${body}`).digest('hex');

export interface PlatformCall {
  headers: Record<string, string | undefined>;
  body: string;
}

export type PlatformAuth = { ok: true; nonce: string } | { ok: false; reason: string };

export async function authenticatePlatformCall(
  call: PlatformCall,
  deps: {
    secret: string;
    nowSeconds: number;
    maxSkewSeconds: number;
    /** True the first time a nonce is seen (kept longer than the skew window). */
    claimNonce(nonce: string): Promise<boolean>;
  },
): Promise<PlatformAuth> {
  const h = (name: string) => call.headers[name] ?? call.headers[name.toLowerCase()];
  const timestamp = h('X-Platform-Timestamp') ?? '';
  const nonce = h('X-Platform-Nonce') ?? '';
  const signature = h('X-Platform-Signature') ?? '';
  if (
    !/^\d{9,11}$/.test(timestamp) ||
    !/^[A-Za-z0-9]{16,64}$/.test(nonce) ||
    !/^[0-9a-f]{64}$/.test(signature)
  )
    return { ok: false, reason: 'missing or malformed X-Platform-Timestamp, -Nonce or -Signature' };
  const expected = Buffer.from(signPlatformCall(deps.secret, timestamp, nonce, call.body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex')))
    return { ok: false, reason: 'signature does not verify' };
  if (Math.abs(deps.nowSeconds - Number(timestamp)) > deps.maxSkewSeconds)
    return { ok: false, reason: 'timestamp outside the allowed skew' };
  if (!(await deps.claimNonce(nonce))) return { ok: false, reason: 'nonce already used (replay)' };
  return { ok: true, nonce };
}
