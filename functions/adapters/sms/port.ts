/**
 * The SMS gateway port: one outbound message to one number, whatever the provider. Gateways are not
 * idempotent (Aliyun says so; none takes an idempotency key), so an adapter never retries: a
 * timeout or a lost connection is `unknown` (it may have been sent) and the caller must not send
 * again; the receipt, if any, tells.
 */
import type { SmsProvider } from '../../../schemas/sms.ts';
import type { RenderedSms } from '../../core/sms/messages.ts';

export interface OutboundSms {
  /** E.164, +86… */
  phone: string;
  message: RenderedSms;
  /** Echoed by the gateway in receipts where it can (Tencent SessionContext, Aliyun OutId). */
  reference: string;
}

export type SendResult =
  | { status: 'sent'; messageId: string }
  /** The gateway's own per-number limit: not sent. */
  | { status: 'rate-limited'; code: string }
  /** Will never succeed for this number (invalid, blacklisted, unsubscribed at the gateway). */
  | { status: 'permanent'; code: string }
  /** Not sent; may succeed later (gateway busy) or needs an operator (credentials, template, balance). */
  | { status: 'failed'; code: string; configuration: boolean }
  /** No answer: it may or may not have been sent. Never retried. */
  | { status: 'unknown'; code: string };

export interface SmsGateway {
  readonly provider: SmsProvider;
  send(sms: OutboundSms): Promise<SendResult>;
}

/** The endpoint override (tests, the local sandbox): `http://127.0.0.1:3000` → protocol and host. */
export function splitEndpoint(url: string): { protocol: 'http' | 'https'; host: string } {
  const u = new URL(url);
  return { protocol: u.protocol === 'http:' ? 'http' : 'https', host: u.host };
}
