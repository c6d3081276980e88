/**
 * What push delivery needs from the world, as nouns. The DynamoDB, WeChat, SMS and SNS adapters
 * implement them; the unit tests pass in-memory fakes.
 */
import type { DeliveryMessage, FrequencyPolicy, Outcome } from '../../../schemas/pushes.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import type { CapRequest, ReservationMeta } from '../pushes/cap.ts';
import type { Channel } from '../vocabulary.ts';

/** What the ONE conditional write on a subscriber's day ledger decided. */
export type Reservation = 'reserved' | 'duplicate' | 'capped' | 'unknown-outcome';

/**
 * The subscriber's day ledger (cap counters + push keys) and each bundle's receipt. A reservation
 * is the cap and the dedupe in one write; once reserved, a push is never attempted again.
 */
export interface PushLedger {
  /** Consumed read/write capacity units, for the run's cost report. */
  readonly consumed: { read: number; write: number };
  reserve(
    channel: Channel,
    id: string,
    pushKey: string,
    req: CapRequest,
    meta: ReservationMeta,
    nowMs: number,
  ): Promise<Reservation>;
  /** Marks a push not attempted (opted out, unfollowed, …) without counting it against the cap. */
  skip(
    channel: Channel,
    id: string,
    date: string,
    pushKey: string,
    reason: string,
  ): Promise<'skipped' | 'duplicate'>;
  /** Records why a reserved push did not go out (a failure code, unknown-outcome). */
  settle(channel: Channel, id: string, date: string, pushKey: string, outcome: string): Promise<void>;
  /** Gives back a reservation whose push certainly did not go out (as if never reserved). */
  release(channel: Channel, id: string, date: string, pushKey: string, klass: string): Promise<void>;
  /** What the bundle's earlier attempts finished: recipient id → recorded outcome. */
  receipt(bundle: string): Promise<Map<string, string>>;
  recordReceipt(bundle: string, outcomes: ReadonlyMap<string, string>, nowMs: number): Promise<void>;
  /**
   * What the ledger holds for a push that `reserve` or `skip` found there already (a duplicate): what
   * an earlier attempt of this very bundle recorded before it died (`this-bundle`, with the value it
   * settled: its outcome stands), another entry of the push that holds it (`elsewhere`: the person
   * was reached through it), or nothing final yet (`in-flight`: a copy of this bundle is still on it).
   */
  earlier(channel: Channel, id: string, date: string, pushKey: string, bundle: string): Promise<Earlier>;
}

export type Earlier = { kind: 'this-bundle'; value: string } | { kind: 'elsewhere' } | { kind: 'in-flight' };

/** One recipient's outcome as a bundle attempt records it: in the bundle's receipt, counted under `count`. */
export interface ReceiptEntry {
  id: string;
  /** What the receipt says (`sent:<msgid>`, `failed:<code>`, `skipped:<status>`, `unsent:<why>`, …). */
  receipt: string;
  /** The run count it adds to (null: recorded for the person, not counted, e.g. unsent after an abort). */
  count: RunCountKey | null;
}

/** WeChat's later report of a template message, counted on its run next to `sent`. */
export type ReceiptCount = 'delivered' | 'failed:user block' | 'failed:system failed' | 'failed:other';

/**
 * Outcome counts as a run records them; SMS fallbacks are counted apart (`sms-fallback:<outcome>`),
 * as are the receipts WeChat reports after a send. `deferred-frequency`: a follower WeChat found
 * messaged too often (43117), deferred alone — not an outcome (the deferred push is counted when it
 * is delivered). `mass-send:<result>`: an account's article mass send (one per account, not per
 * follower).
 */
export type RunCountKey =
  | Outcome
  | 'planned'
  | 'deferred-frequency'
  | `sms-fallback:${Outcome}`
  | `mass-send:${MassSendResult}`
  | ReceiptCount;
export type RunCounts = Partial<Record<RunCountKey, number>>;
export type MassSendResult = 'sent' | 'held' | 'failed' | 'skipped';

export interface RunUsage {
  read?: number;
  write?: number;
  invocations?: number;
  durationMs?: number;
}

/** A push run as delivery sees it: its status and halted channels, and where outcomes are counted. */
export interface RunLog {
  get(runKey: string): Promise<{ status: string; halts: Record<string, string> } | undefined>;
  add(runKey: string, counts: RunCounts, usage: RunUsage, at: string): Promise<void>;
  /**
   * Records a bundle attempt's finished recipients in its receipt and counts them on the run, in one
   * transaction and once per recipient: entries a concurrent copy of the bundle already recorded are
   * dropped. Returns what was counted.
   */
  record(runKey: string, bundle: string, entries: readonly ReceiptEntry[], at: string): Promise<RunCounts>;
  /** Routine bundles wait for quiet hours to end: the run is not stalled until after `until`. */
  waitUntil(runKey: string, until: string): Promise<void>;
  abort(runKey: string, reason: string, at: string): Promise<void>;
  haltChannel(runKey: string, channel: string, reason: string, at: string): Promise<void>;
}

/** Routine bundles that met quiet hours wait here for the window's end; one item per bundle. */
export interface DeferredPushes {
  /** False when this bundle was already deferred. */
  defer(message: DeliveryMessage, releaseAt: Date, shard: number): Promise<boolean>;
}

/** Pushes sent per category and ISO week (the denominator of unfollows per 1,000). */
export interface PushTally {
  addSent(category: string, date: string, n: number): Promise<void>;
}

/** The frequency policy operators edit; cached by the adapter. */
export interface PolicySource {
  get(): Promise<{ policy: FrequencyPolicy; version: number }>;
}

/** A provider's daily quota, taken before sends so a run stops before the provider refuses. */
export interface DailyQuota {
  /** Takes `n` units of the day's `limit`; false (and nothing taken) when they are not left. */
  take(appId: string, date: string, n: number, limit: number): Promise<boolean>;
}

/** Delivery bundles handed back to the deliveries topic (SMS fallbacks, released deferrals). */
export interface DeliveryQueue {
  publish(messages: readonly DeliveryMessage[]): Promise<void>;
}

/** Why the WeChat API refused a call, from its error table (functions/adapters/wechat/errors.ts). */
export interface WeChatRefusal {
  errcode: number;
  /**
   * retry: transient; token: the credential (already retried once); recipient: this follower cannot
   * receive; window: the customer-service window is closed; abort: configuration or daily quota;
   * bug: our request is wrong.
   */
  action: 'retry' | 'token' | 'recipient' | 'window' | 'abort' | 'bug';
  /** What a recipient refusal says about the follower. */
  subscriberStatus: 'unfollowed' | 'blocked' | 'opted-out' | undefined;
  message: string;
}

/** sent; refused by WeChat (with why); or unknown: the call did not complete, it may have gone out. */
export type WeChatSendResult =
  | { status: 'sent'; msgid: string | null }
  | { status: 'refused'; refusal: WeChatRefusal }
  | { status: 'unknown'; message: string };

export interface TemplateMessage {
  touser: string;
  templateId: string;
  /** Deterministic per (push, follower): WeChat drops a repeat within its window. */
  clientMsgId: string;
  data: Record<string, { value: string }>;
  /** Where the message opens (the notice's page), or nothing. */
  url: string | null;
}

/** A long-term subscription notice (订阅通知, `/cgi-bin/message/subscribe/bizsend`). */
export interface SubscriptionMessage {
  touser: string;
  templateId: string;
  data: Record<string, { value: string }>;
  /** The web page it opens, or nothing. */
  page: string | null;
}

/** A customer-service message: text, or one article linking to a page (news). */
export type CustomerServiceMessage =
  | { type: 'text'; content: string }
  | { type: 'news'; article: { title: string; description: string; url: string } };

/**
 * The WeChat messages delivery sends: template messages and subscription notices (pushes), and
 * customer-service messages (replies: only through ./customer-service.ts, which keeps the window).
 */
export interface WeChatMessages {
  sendTemplate(account: WeChatAccount, message: TemplateMessage): Promise<WeChatSendResult>;
  sendSubscription(account: WeChatAccount, message: SubscriptionMessage): Promise<WeChatSendResult>;
  sendCustomerService(
    account: WeChatAccount,
    openid: string,
    message: CustomerServiceMessage,
  ): Promise<WeChatSendResult>;
}

/**
 * Who accepted which long-term subscription template (subscribe_msg_popup_event accept; a reject or
 * subscribe_msg_change_event takes it back).
 */
export interface SubscriptionConsents {
  /** Of these followers, those who accepted this template and have not taken it back. */
  accepted(openids: readonly string[], templateId: string): Promise<Set<string>>;
  record(
    openid: string,
    changes: ReadonlyArray<{ templateId: string; accepted: boolean }>,
    at: string,
  ): Promise<void>;
}

/** Structured, masked log lines and metrics (Powertools in the functions, spies in tests). */
export interface Telemetry {
  log(level: 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>): void;
  metric(name: string, n?: number): void;
}

/** Monotonic time and waiting, for pacing and durations (the wall clock is the Clock). */
export interface Timer {
  /** Milliseconds from an arbitrary origin, never going back. */
  elapsed(): number;
  sleep(ms: number): Promise<void>;
}
