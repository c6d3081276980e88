/** In-memory SubscriberRepository for unit tests: the same transitions as the DynamoDB one. */
import {
  type Binding,
  type BindOutcome,
  type Preferences,
  type Subscriber,
  type SubscriberRef,
  type SubscriberRepository,
  transition,
} from '../../core/subscribers/subscriber.ts';

export class MemorySubscriberRepository implements SubscriberRepository {
  readonly items = new Map<string, Subscriber>();
  private key = (r: SubscriberRef) => `${r.channel}#${r.id}`;
  private put(s: Subscriber | undefined) {
    if (s) this.items.set(this.key(s), structuredClone(s));
  }
  async get(ref: SubscriberRef) {
    const s = this.items.get(this.key(ref));
    return s ? structuredClone(s) : undefined;
  }
  async statuses(channel: SubscriberRef['channel'], ids: readonly string[]) {
    const out = new Map<string, Subscriber['status']>();
    for (const id of ids) {
      const s = this.items.get(this.key({ channel, id }));
      if (s) out.set(id, s.status);
    }
    return out;
  }
  async touch(ref: SubscriberRef, account: string, at: string) {
    const next = transition.touch(await this.get(ref), ref, account, at);
    this.put(next);
    return next;
  }
  async follow(ref: SubscriberRef, account: string, at: string, scene: string | null) {
    const next = transition.follow(await this.get(ref), ref, account, at, scene);
    this.put(next);
    return next;
  }
  async unfollow(ref: SubscriberRef, at: string) {
    this.put(transition.unfollow(await this.get(ref), at));
  }
  async setStatus(ref: SubscriberRef, status: 'active' | 'opted-out' | 'blocked', at: string) {
    this.put(transition.setStatus(await this.get(ref), status, at));
  }
  async setPreferences(ref: SubscriberRef, prefs: Preferences) {
    this.put(transition.setPreferences(await this.get(ref), prefs));
  }
  async bind(ref: SubscriberRef, binding: Binding): Promise<BindOutcome> {
    const { next, outcome } = transition.bind(await this.get(ref), binding);
    this.put(next);
    return outcome;
  }
  async unbind(ref: SubscriberRef, plate?: string) {
    const { next, removed } = transition.unbind(await this.get(ref), plate);
    this.put(next);
    return removed;
  }
}
