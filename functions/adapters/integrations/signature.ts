/**
 * How a machine-to-machine integration (the traffic-management platform) authenticates a request:
 *
 *   X-Integration-Id: <id>            which integration (its own secret, from the secrets store)
 *   X-Timestamp:      <unix seconds>  within ±maxSkew of our clock
 *   X-Nonce:          <16–64 chars>   used once (a replay within the window is refused)
 *   X-Signature:      hex(HMAC-SHA256(secret, `${timestamp}\n${nonce}\n${METHOD}\n${path}\n${hex(SHA-256(body))}`))
 *
 * Checked in this order, before the body is parsed: a known integration, the caller's IP on its
 * allow-list (if it has one), the timestamp's freshness, the signature in constant time, and only
 * then the nonce is claimed (a forged request cannot use up a nonce). The local sandbox of the
 * platform (`npm run platform`) signs with `signRequest`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Integration } from '../../../schemas/drivers.ts';
import { ipAllowed } from '../sms/webhook.ts';

export const SIGNATURE_HEADERS = {
  integration: 'x-integration-id',
  timestamp: 'x-timestamp',
  nonce: 'x-nonce',
  signature: 'x-signature',
} as const;

const NONCE = /^[A-Za-z0-9_-]{16,64}$/;

export function signingString(timestamp: string, nonce: string, method: string, path: string, body: string) {
  const digest = createHash('sha256').update(body, 'utf8').digest('hex');
  return `${timestamp}\n${nonce}\n${method.toUpperCase()}\n${path}\n${digest}`;
}

export const signature = (secret: string, text: string) =>
  createHmac('sha256', secret).update(text, 'utf8').digest('hex');

/** The headers of a signed request (the platform's side; the local sandbox and tests use it). */
export function signRequest(
  integration: { id: string; secret: string },
  req: { method: string; path: string; body: string },
  at: { timestampS: number; nonce: string },
): Record<string, string> {
  const ts = String(at.timestampS);
  return {
    [SIGNATURE_HEADERS.integration]: integration.id,
    [SIGNATURE_HEADERS.timestamp]: ts,
    [SIGNATURE_HEADERS.nonce]: at.nonce,
    [SIGNATURE_HEADERS.signature]: signature(
      integration.secret,
      signingString(ts, at.nonce, req.method, req.path, req.body),
    ),
  };
}

export interface SignedRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  sourceIp: string;
  body: string;
}

export interface SignatureDeps {
  integrations(): Promise<readonly Integration[]>;
  /** Claims a nonce for `retentionSeconds`; anything but 'claimed' means it was used. */
  claimNonce(key: string, nowMs: number, retentionSeconds: number): Promise<'claimed' | unknown>;
  nowMs: () => number;
  maxSkewSeconds: number;
}

export type Authenticated =
  | { ok: true; integration: Integration }
  | { ok: false; status: 401 | 403; reason: string };

const header = (h: Record<string, string | undefined>, name: string) =>
  h[name] ?? Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];

export async function authenticate(req: SignedRequest, deps: SignatureDeps): Promise<Authenticated> {
  const refuse = (status: 401 | 403, reason: string): Authenticated => ({ ok: false, status, reason });
  const id = header(req.headers, SIGNATURE_HEADERS.integration) ?? '';
  const integration = (await deps.integrations()).find((i) => i.id === id);
  if (!integration) return refuse(401, 'unknown integration');
  if (!ipAllowed(req.sourceIp, integration.allowedIps)) return refuse(403, 'caller not on the allow-list');
  const ts = header(req.headers, SIGNATURE_HEADERS.timestamp) ?? '';
  const nowMs = deps.nowMs();
  if (!/^\d{9,11}$/.test(ts) || Math.abs(nowMs / 1000 - Number(ts)) > deps.maxSkewSeconds)
    return refuse(401, 'timestamp missing or outside the freshness window');
  const nonce = header(req.headers, SIGNATURE_HEADERS.nonce) ?? '';
  if (!NONCE.test(nonce)) return refuse(401, 'nonce missing or malformed');
  const given = Buffer.from(header(req.headers, SIGNATURE_HEADERS.signature) ?? '', 'utf8');
  const expected = Buffer.from(
    signature(integration.secret, signingString(ts, nonce, req.method, req.path, req.body)),
    'utf8',
  );
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return refuse(401, 'signature does not verify');
  // Kept as long as a timestamp stays fresh on either side of now.
  const claimed = await deps.claimNonce(
    `driver:${integration.id}:${nonce}`,
    nowMs,
    2 * deps.maxSkewSeconds + 60,
  );
  if (claimed !== 'claimed') return refuse(401, 'nonce used before (replay)');
  return { ok: true, integration };
}
