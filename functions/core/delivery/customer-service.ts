/**
 * Customer-service messages (客服消息) only within the follower's window, as WeChat grants it
 * (../shared/reference/wechat-platform-2026.md §4.3):
 *   a message from the follower             → 5 messages within 48 h;
 *   a menu click (click, scancode_*), follow, scan of a QR code → 3 messages within 1 minute.
 * A newer trigger of the same kind replaces the older grant; a send takes one message from every
 * grant open at the time (how WeChat attributes a send to overlapping grants is not documented, so we
 * never count on the more generous one). A send outside the window is refused here, with the reason,
 * and the caller chooses another way — WeChat's 45015/45047 is not met.
 *
 * `sendCustomerService` is the one way a customer-service message goes out: async replies
 * (./async-reply.ts) and any other job on the `wechat-replies` queue call it.
 */
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { maskId } from '../privacy.ts';
import type { SubscriberRepository } from '../subscribers/subscriber.ts';
import type { Clock } from '../time.ts';
import type {
  CustomerServiceMessage,
  Telemetry,
  WeChatMessages,
  WeChatRefusal,
  WeChatSendResult,
} from './ports.ts';

export type WindowTrigger = 'message' | 'event';

export const WINDOW_RULES: Record<WindowTrigger, { ms: number; messages: number; what: string }> = {
  message: { ms: 48 * 3600_000, messages: 5, what: '48 h and 5 messages after their last message' },
  event: { ms: 60_000, messages: 3, what: '1 minute and 3 messages after a menu click, follow or scan' },
};

/** One grant of messages: opened by a trigger at `opensAt`, `left` messages until `closesAt`. */
export interface WindowGrant {
  trigger: WindowTrigger;
  opensAt: number;
  closesAt: number;
  left: number;
}

/** The grants after a trigger at `atMs` (the follower's own time: the message's CreateTime). */
export function openWindow(
  grants: readonly WindowGrant[],
  trigger: WindowTrigger,
  atMs: number,
): WindowGrant[] {
  const current = grants.find((g) => g.trigger === trigger);
  if (current && current.opensAt >= atMs) return [...grants];
  const rule = WINDOW_RULES[trigger];
  return [
    ...grants.filter((g) => g.trigger !== trigger),
    { trigger, opensAt: atMs, closesAt: atMs + rule.ms, left: rule.messages },
  ];
}

export const isOpen = (g: WindowGrant, nowMs: number) => nowMs < g.closesAt && g.left > 0;

/** Takes one message: the grants after it and which were taken from, or why none is open. */
export function takeFromWindow(
  grants: readonly WindowGrant[],
  nowMs: number,
): { grants: WindowGrant[]; taken: number[] } | { closed: string } {
  const open = grants.filter((g) => isOpen(g, nowMs));
  if (open.length === 0) return { closed: closedReason(grants, nowMs) };
  return {
    grants: grants.map((g) => (isOpen(g, nowMs) ? { ...g, left: g.left - 1 } : g)),
    taken: open.map((g) => g.opensAt),
  };
}

/** Gives back what a send took, when it certainly did not go out (the grants still being those). */
export function giveBack(grants: readonly WindowGrant[], taken: readonly number[]): WindowGrant[] {
  return grants.map((g) =>
    taken.includes(g.opensAt) ? { ...g, left: Math.min(WINDOW_RULES[g.trigger].messages, g.left + 1) } : g,
  );
}

function closedReason(grants: readonly WindowGrant[], nowMs: number): string {
  if (grants.length === 0)
    return 'the follower has not written to the account, followed, scanned or clicked its menu recently';
  const latest = [...grants].sort((a, b) => b.closesAt - a.closesAt)[0]!;
  const rule = WINDOW_RULES[latest.trigger];
  if (latest.left <= 0 && nowMs < latest.closesAt)
    return `the ${rule.messages} customer-service messages allowed (${rule.what}) were used`;
  return `the customer-service window (${rule.what}) closed at ${new Date(latest.closesAt).toISOString()}`;
}

/** Each follower's window, stored (DynamoDB: functions/adapters/dynamodb/customer-service-window.ts). */
export interface CustomerServiceWindow {
  /** Records a trigger from the follower (a message, a click, a follow, a scan) at `at`. */
  open(openid: string, trigger: WindowTrigger, at: Date): Promise<void>;
  /** Takes one message of the window, or says why it is closed. */
  take(openid: string, now: Date): Promise<{ taken: number[] } | { closed: string }>;
  /** Gives back a message a send took but certainly did not deliver. */
  giveBack(openid: string, taken: readonly number[]): Promise<void>;
  /** WeChat said the window is closed (45015/45047): nothing more until the follower writes again. */
  close(openid: string): Promise<void>;
}

export interface CustomerServiceDeps {
  window: CustomerServiceWindow;
  wechat: Pick<WeChatMessages, 'sendCustomerService'>;
  clock: Clock;
}

export type CustomerServiceResult = WeChatSendResult | { status: 'outside-window'; reason: string };

/**
 * A customer-service message to a follower, within their window:
 *  1. one message taken from the window, or `outside-window` with the reason (nothing is sent);
 *  2. the send; a refusal that certainly did not deliver (transient, token) gives the message back;
 *     WeChat's own window refusal (45015/45047) closes the window here too.
 */
export async function sendCustomerService(
  account: WeChatAccount,
  openid: string,
  message: CustomerServiceMessage,
  deps: CustomerServiceDeps,
): Promise<CustomerServiceResult> {
  const take = await deps.window.take(openid, deps.clock.now());
  if ('closed' in take) return { status: 'outside-window', reason: take.closed };
  const result = await deps.wechat.sendCustomerService(account, openid, message);
  if (result.status !== 'refused') return result;
  const { action } = result.refusal;
  if (action === 'retry' || action === 'token') await deps.window.giveBack(openid, take.taken);
  if (action === 'window') await deps.window.close(openid);
  return result;
}

export interface RefusalDeps {
  subscribers: Pick<SubscriberRepository, 'unfollow' | 'setStatus'>;
  clock: Clock;
  telemetry: Telemetry;
}

/**
 * A final refusal of a customer-service message: logged, alarmed when it is the account's
 * configuration (40164 IP whitelist, 45009 daily quota, …), and the follower's status updated when
 * WeChat says they left or blocked the account.
 */
export async function recordRefusal(
  refusal: WeChatRefusal,
  openid: string,
  what: string,
  deps: RefusalDeps,
): Promise<void> {
  deps.telemetry.log('warn', what, {
    openid: maskId(openid),
    errcode: refusal.errcode,
    action: refusal.action,
  });
  if (refusal.action === 'abort') deps.telemetry.metric('WeChatConfigErrors');
  const ref = { channel: 'wechat' as const, id: openid };
  const now = deps.clock.now().toISOString();
  if (refusal.subscriberStatus === 'unfollowed') await deps.subscribers.unfollow(ref, now);
  else if (refusal.subscriberStatus) await deps.subscribers.setStatus(ref, refusal.subscriberStatus, now);
}
