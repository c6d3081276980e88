/**
 * The link to a driver's personal page (GET /d/{token}): what the notice is about, signed with the
 * deployment's page key (HMAC-SHA256) and expiring. The message carries the link only; the details
 * and the photo links are behind it. Verified in constant time; an expired link says so. Pure.
 *
 * Token: base64url(JSON payload) "." base64url(first 18 bytes of the HMAC of the payload).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { DriverNoticeKindSchema } from '../../../schemas/drivers.ts';

const PayloadSchema = z.strictObject({
  /** The notice kind. */
  k: DriverNoticeKindSchema,
  /** The subject's key (vehicle or licence). */
  s: z.string().regex(/^[0-9a-f]{32}$/),
  /** The record: a violation id, a due date; empty for points. */
  r: z.string().max(64),
  /** Expiry, epoch seconds. */
  e: z.number().int().positive(),
});
export type PagePayload = z.infer<typeof PayloadSchema>;

const mac = (key: Buffer, payload: string) =>
  createHmac('sha256', key).update(`driver-page:${payload}`).digest().subarray(0, 18);

export function signPageToken(key: Buffer, payload: PagePayload): string {
  const body = Buffer.from(JSON.stringify(PayloadSchema.parse(payload))).toString('base64url');
  return `${body}.${mac(key, body).toString('base64url')}`;
}

export type PageTokenCheck =
  | { ok: true; payload: PagePayload }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

export function verifyPageToken(key: Buffer, token: string, nowMs: number): PageTokenCheck {
  if (token.length > 400) return { ok: false, reason: 'malformed' };
  const [body, sig, ...rest] = token.split('.');
  if (!body || !sig || rest.length) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(key, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature' };
  let payload: PagePayload;
  try {
    payload = PayloadSchema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (payload.e * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, payload };
}
