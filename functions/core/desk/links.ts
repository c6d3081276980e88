/**
 * The case page's link (`/c/{number}?e={expiry}&t={token}`): the token is an HMAC-SHA256 over the
 * number and the expiry under the deployment's case-link key (the `desk` secret), so only links we
 * made open a case, and only until they expire. Verified in constant time. Pure.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const tokenOf = (key: Buffer, number: string, expires: number) =>
  createHmac('sha256', key).update(`${number}.${expires}`).digest('base64url');

/** The path (with its query) of a case page link valid until `expires` (epoch seconds). */
export function caseLinkPath(key: Buffer, number: string, expires: number): string {
  return `/c/${number}?e=${expires}&t=${tokenOf(key, number, expires)}`;
}

export type LinkCheck = 'valid' | 'expired' | 'invalid';

export function verifyCaseLink(
  key: Buffer,
  number: string,
  e: string | undefined,
  t: string | undefined,
  nowSeconds: number,
): LinkCheck {
  if (!e || !t || !/^\d{1,12}$/.test(e) || !/^[A-Za-z0-9_-]{43}$/.test(t)) return 'invalid';
  const expected = Buffer.from(tokenOf(key, number, Number(e)));
  const given = Buffer.from(t);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  return Number(e) < nowSeconds ? 'expired' : 'valid';
}
