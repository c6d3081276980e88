/**
 * Mainland mobile numbers, pure: normalised to E.164, masked for logs, keyed by HMAC under the
 * deployment's pepper. The number itself is stored only encrypted (functions/adapters/sms/vault.ts).
 */
import { createHmac } from 'node:crypto';
import { ValidationError } from '../errors.ts';

export class PhoneNumberError extends ValidationError {}

/** +86 and an 11-digit mobile number (1, then 3–9, then 9 digits). */
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

/**
 * A mainland China mobile number in E.164 (`+8613800138000`) from what a person or a gateway writes:
 * spaces, dashes, dots and brackets are ignored, full-width digits read as digits, and a prefix of
 * +86, 0086 or 86 is accepted. Anything else (landlines, other countries) is refused.
 */
export function normalisePhone(raw: string): string {
  const compact = raw.normalize('NFKC').replace(/[\s\-.()]/g, '');
  const national = compact.replace(/^(?:\+86|0086|86)(?=1\d{10}$)/, '');
  if (!MAINLAND_MOBILE.test(national))
    throw new PhoneNumberError(
      'Only mainland China mobile numbers are supported: 11 digits starting with 13–19, optionally with +86 (e.g. +86 138 0013 8000).',
      [{ path: 'phone', message: 'not a mainland China mobile number' }],
    );
  return `+86${national}`;
}

/** For every log line: `+86 138****1234`. */
export function maskPhone(e164: string): string {
  const national = e164.replace(/^\+86/, '');
  if (!MAINLAND_MOBILE.test(national)) return '+** ****';
  return `+86 ${national.slice(0, 3)}****${national.slice(-4)}`;
}

/** The subscriber id of a number: HMAC-SHA256 under the deployment's pepper (hex). Never the number. */
export function phoneId(pepper: Buffer, e164: string): string {
  return createHmac('sha256', pepper).update(e164).digest('hex');
}
