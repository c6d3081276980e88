/**
 * Followers per channel and their plate bindings. A subscriber is pushed to only while `active`
 * with reminders on; the repository keeps the sparse, sharded fan-out index true on every change
 * (a binding is in the index exactly when its subscriber may receive the daily reminder).
 */
import type { Channel } from '../vocabulary.ts';

export type SubscriberStatus = 'active' | 'unfollowed' | 'opted-out' | 'blocked';
export type ReminderSlot = 'morning' | 'evening';

export interface SubscriberRef {
  channel: Channel;
  id: string;
}

export interface Binding {
  plate: string;
  city: string;
  tail: number;
  nev: boolean;
  boundAt: string;
}

export interface Subscriber extends SubscriberRef {
  account: string;
  status: SubscriberStatus;
  reminders: boolean;
  slot: ReminderSlot;
  bindings: Binding[];
  followedAt: string | null;
  unfollowedAt: string | null;
  lastInboundAt: string | null;
  scene: string | null;
  /** The citizen's own opt-out (TD/退订); survives unfollow and re-follow until they resubscribe. */
  optedOutAt: string | null;
  /** WeChat followers: the SMS subscriber (number HMAC) to reach when a WeChat push fails permanently. */
  smsFallback: string | null;
  /** WeChat followers: keep their reported location (LOCATION events); off unless they turn it on. */
  locationReports: boolean;
}

export const MAX_BINDINGS = 3;
/** Bindings of an unfollowed subscriber are kept this long, then purged (TTL). */
export const UNFOLLOW_RETENTION_DAYS = 30;

export type BindOutcome = 'bound' | 'already-bound' | 'limit-reached';

/** The scene of an SMS subscriber created only as a WeChat follower's fallback number (短信备用). */
export const FALLBACK_SCENE = 'wechat-fallback';

/** What a subscriber chooses about their pushes. */
export interface Preferences {
  reminders?: boolean;
  slot?: ReminderSlot;
  smsFallback?: string | null;
  locationReports?: boolean;
}

export interface SubscriberRepository {
  get(ref: SubscriberRef): Promise<Subscriber | undefined>;
  /** Statuses of many subscribers of one channel at once (unknown ids are absent); may lag a second. */
  statuses(
    channel: SubscriberRef['channel'],
    ids: readonly string[],
  ): Promise<Map<string, Subscriber['status']>>;
  /** Creates the subscriber if new (active), records the inbound time; returns the current state. */
  touch(ref: SubscriberRef, account: string, at: string): Promise<Subscriber>;
  follow(ref: SubscriberRef, account: string, at: string, scene: string | null): Promise<Subscriber>;
  unfollow(ref: SubscriberRef, at: string): Promise<void>;
  setStatus(ref: SubscriberRef, status: 'active' | 'opted-out' | 'blocked', at: string): Promise<void>;
  setPreferences(ref: SubscriberRef, prefs: Preferences): Promise<void>;
  bind(ref: SubscriberRef, binding: Binding): Promise<BindOutcome>;
  /** Removes one plate, or all when `plate` is undefined; returns the plates removed. */
  unbind(ref: SubscriberRef, plate?: string): Promise<string[]>;
}

/** A new subscriber: active, reminders on, morning slot. */
export function newSubscriber(ref: SubscriberRef, account: string, at: string): Subscriber {
  return {
    ...ref,
    account,
    status: 'active',
    reminders: true,
    slot: 'morning',
    bindings: [],
    followedAt: at,
    unfollowedAt: null,
    lastInboundAt: null,
    scene: null,
    optedOutAt: null,
    smsFallback: null,
    locationReports: false,
  };
}

/**
 * State transitions, pure: each takes the current state (undefined = unknown subscriber) and
 * returns the next state (or the same object when nothing changes). Repositories apply them with
 * optimistic concurrency, so every writer sees and keeps the other writers' changes.
 */
export const transition = {
  /** Someone wrote to us: they follow (a missed follow event is repaired); record the time. */
  touch(s: Subscriber | undefined, ref: SubscriberRef, account: string, at: string): Subscriber {
    const base = s ?? newSubscriber(ref, account, at);
    if (base.status !== 'unfollowed') return { ...base, lastInboundAt: at };
    // A missed follow event, repaired: following again, with an opt-out kept.
    const status = base.optedOutAt ? 'opted-out' : 'active';
    return { ...base, status, lastInboundAt: at, unfollowedAt: null, followedAt: at };
  },
  follow(
    s: Subscriber | undefined,
    ref: SubscriberRef,
    account: string,
    at: string,
    scene: string | null,
  ): Subscriber {
    const base = s ?? newSubscriber(ref, account, at);
    // An opt-out is the citizen's decision and survives re-following; unfollow and block do not.
    const status = base.optedOutAt ? 'opted-out' : 'active';
    return {
      ...base,
      account,
      status,
      followedAt: at,
      unfollowedAt: null,
      lastInboundAt: at,
      scene: scene ?? base.scene,
    };
  },
  unfollow(s: Subscriber | undefined, at: string): Subscriber | undefined {
    if (!s || s.status === 'unfollowed') return s;
    return { ...s, status: 'unfollowed', unfollowedAt: at };
  },
  setStatus(
    s: Subscriber | undefined,
    status: 'active' | 'opted-out' | 'blocked',
    at: string,
  ): Subscriber | undefined {
    if (!s) return s;
    if (status === 'opted-out') return s.status === 'opted-out' ? s : { ...s, status, optedOutAt: at };
    if (status === 'active')
      return s.status === 'active' && !s.optedOutAt ? s : { ...s, status, optedOutAt: null };
    return s.status === status ? s : { ...s, status };
  },
  setPreferences(s: Subscriber | undefined, prefs: Preferences): Subscriber | undefined {
    return s ? { ...s, ...prefs } : s;
  },
  bind(s: Subscriber | undefined, binding: Binding): { next: Subscriber | undefined; outcome: BindOutcome } {
    if (!s) return { next: s, outcome: 'limit-reached' };
    if (s.bindings.some((b) => b.plate === binding.plate && b.city === binding.city))
      return { next: s, outcome: 'already-bound' };
    const others = s.bindings.filter((b) => b.plate !== binding.plate);
    if (others.length >= MAX_BINDINGS) return { next: s, outcome: 'limit-reached' };
    return { next: { ...s, bindings: [...others, binding] }, outcome: 'bound' };
  },
  unbind(s: Subscriber | undefined, plate?: string): { next: Subscriber | undefined; removed: string[] } {
    if (!s) return { next: s, removed: [] };
    const removed = s.bindings.filter((b) => plate === undefined || b.plate === plate).map((b) => b.plate);
    return {
      next: removed.length ? { ...s, bindings: s.bindings.filter((b) => !removed.includes(b.plate)) } : s,
      removed,
    };
  },
};

/** Epoch seconds after which an unfollowed subscriber's bindings are purged; null while following. */
export function bindingExpiry(s: Subscriber): number | null {
  if (s.status !== 'unfollowed' || !s.unfollowedAt) return null;
  return Math.floor(Date.parse(s.unfollowedAt) / 1000) + UNFOLLOW_RETENTION_DAYS * 86_400;
}
