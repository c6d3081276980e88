/**
 * What the SMS use cases need from the world, as nouns: the gateway (one message to one number,
 * whatever the provider), the month's budget, the per-number daily cap, the stored (encrypted)
 * numbers, the delivery records receipts update, and the vault that seals numbers at rest.
 *
 * Gateways are not idempotent (Aliyun says so; none takes an idempotency key), so an adapter never
 * retries: a timeout or a lost connection is `unknown` (it may have been sent) and the caller must
 * not send again; the receipt, if any, tells.
 */
import type { SmsProvider } from '../../../schemas/sms.ts';
import type { RenderedSms } from './messages.ts';

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

/** The month's SMS spend in fen, taken before each send so concurrent senders stop at the ceiling. */
export interface SmsBudget {
  /** Takes `costFen` of the month's `ceilingFen`; false (nothing taken) when it would go over. */
  take(month: string, costFen: number, ceilingFen: number): Promise<boolean>;
  /** Gives back what a send that did not happen took. */
  refund(month: string, costFen: number): Promise<void>;
  spent(month: string): Promise<{ spentFen: number; sends: number }>;
}

/** Messages to one number per civil day, below the gateway's own per-number cap. */
export interface SmsNumberCap {
  take(id: string, date: string, cap: number): Promise<boolean>;
  giveBack(id: string, date: string): Promise<void>;
}

/** An SMS subscriber's number, sealed by the vault, and whether their opt-out was confirmed. */
export interface SmsContacts {
  put(id: string, sealedPhone: string, at: string): Promise<void>;
  get(id: string): Promise<{ phone: string; optOutConfirmedAt: string | null } | undefined>;
  /** True for the first caller after an opt-out: the one confirmation the citizen is due. */
  claimOptOutConfirmation(id: string, at: string): Promise<boolean>;
  resetOptOutConfirmation(id: string): Promise<void>;
}

/** What went out, by the gateway's message id, so receipts can update it. */
export interface SmsDeliveryRecord {
  provider: string;
  messageId: string;
  subscriberId: string;
  kind: string;
  pushKey: string | null;
  runKey: string | null;
  parts: number;
  costFen: number;
  sentAt: string;
}
export interface SmsMessages {
  record(r: SmsDeliveryRecord): Promise<void>;
}

/** Numbers at rest: sealed per subscriber, so a ciphertext moved to another subscriber does not open. */
export interface PhoneSeal {
  encrypt(e164: string, subscriberId: string): string;
  decrypt(sealed: string, subscriberId: string): string;
}

/**
 * SMS fallback for WeChat followers (短信备用): the follower gets a code in WeChat; the phone that is
 * to receive the fallback proves itself by texting it back within minutes, which links the two.
 */
export interface FallbackLinks {
  /** A fresh code for this follower. */
  start(openid: string, nowMs: number): Promise<string>;
  /** The follower the code was given to, once (attempts per number and day are limited); else null. */
  consume(code: string, smsId: string, day: string, nowMs: number): Promise<string | null>;
}
