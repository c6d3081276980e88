/**
 * Subscribers in DynamoDB: one profile item and one item per binding under `SUB#{channel}#{id}`.
 * Every change is a pure transition (functions/core/subscribers.ts) applied with optimistic
 * concurrency: read profile + bindings, compute the next state, write profile (guarded by its
 * version) and every binding whose item changed in ONE transaction. Binding items carry the
 * fan-out key (`gsi1pk`) exactly while the subscriber may be pushed, and a TTL once unfollowed.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { fanoutSegment } from '../../core/subscribers/fanout.ts';
import {
  type Binding,
  type BindOutcome,
  bindingExpiry,
  type Preferences,
  type Subscriber,
  type SubscriberRef,
  type SubscriberRepository,
  transition,
} from '../../core/subscribers/subscriber.ts';
import { byInstant } from '../../core/time.ts';
import { retryOnConflict } from './conditional.ts';
import { keys } from './keys.ts';
import { batchGetAll } from './paging.ts';
import { ReadAhead } from './read-ahead.ts';

const ProfileItem = z.object({
  channel: z.enum(['wechat', 'sms']),
  id: z.string(),
  account: z.string(),
  status: z.enum(['active', 'unfollowed', 'opted-out', 'blocked']),
  reminders: z.boolean(),
  slot: z.enum(['morning', 'evening']),
  followedAt: z.string().nullable(),
  unfollowedAt: z.string().nullable(),
  lastInboundAt: z.string().nullable(),
  scene: z.string().nullable(),
  optedOutAt: z.string().nullable().default(null),
  smsFallback: z.string().nullable().default(null),
  locationReports: z.boolean().default(false),
  version: z.number().int().positive(),
});
const BindingItem = z.object({
  plate: z.string(),
  city: z.string(),
  tail: z.number().int().min(0).max(9),
  nev: z.boolean(),
  boundAt: z.string(),
});

type Snapshot = { subscriber: Subscriber | undefined; version: number };
const refKey = (ref: SubscriberRef) => `${ref.channel}#${ref.id}`;

/** Whether `next` differs from `current` only in the time of the last message. */
function onlyLastInboundChanged(current: Subscriber, next: Subscriber): boolean {
  const { lastInboundAt: _a, ...rest } = current;
  const { lastInboundAt: _b, ...restNext } = next;
  return JSON.stringify(rest) === JSON.stringify(restNext);
}

/** A binding item: carries the fan-out key exactly while the subscriber may be pushed, and a TTL once unfollowed. */
export function bindingItem(s: Subscriber, b: Binding) {
  const segment = fanoutSegment(s, b);
  const expiresAt = bindingExpiry(s);
  return {
    ...keys.binding(s, b.plate),
    channel: s.channel,
    id: s.id,
    account: s.account,
    slot: s.slot,
    ...b,
    ...(segment ? { gsi1pk: keys.fanout(segment), gsi1sk: keys.fanoutSort(s, b.plate) } : {}),
    ...(expiresAt ? { expiresAt } : {}),
  };
}

/** The profile item of a subscriber at a version. */
export function profileItem(s: Subscriber, version: number) {
  const { bindings: _bindings, ...profile } = s;
  return { ...keys.subscriber(s), ...profile, version };
}

export class DynamoSubscriberRepository implements SubscriberRepository {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  /** Reads begun before the webhook's claim (`prefetch`), taken once by the next change of that subscriber. */
  private readonly early = new ReadAhead<Snapshot>();
  /** The time of a follower's last message, written beside the reply (`settle`) instead of before it. */
  private readonly stamps = new Map<string, Promise<void>>();

  /**
   * Starts reading a subscriber now, so the read overlaps the webhook's dedupe claim: the next
   * change of this subscriber within a few seconds starts from it instead of reading again. A read
   * that went stale meanwhile costs nothing but a retry: every write is conditioned on the version.
   */
  prefetch(ref: SubscriberRef): void {
    this.early.begin(refKey(ref), () => this.read(ref));
  }

  /** Waits for the last-message time of this subscriber to be written (see `touch`). */
  async settle(ref: SubscriberRef): Promise<void> {
    const k = refKey(ref);
    const stamp = this.stamps.get(k);
    if (!stamp) return;
    await stamp;
    if (this.stamps.get(k) === stamp) this.stamps.delete(k);
  }

  private async snapshot(ref: SubscriberRef, first: boolean): Promise<Snapshot> {
    const k = refKey(ref);
    // A change starts from the last message's time, once it is written (or failed: settle reports that).
    await this.stamps.get(k)?.catch(() => {});
    return first ? this.early.take(k, () => this.read(ref)) : this.read(ref);
  }

  private async read(ref: SubscriberRef): Promise<Snapshot> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.subscriber(ref).pk },
        ConsistentRead: true,
      }),
    );
    const items = res.Items ?? [];
    const profile = items.find((i) => i.sk === keys.subscriber(ref).sk);
    if (!profile) return { subscriber: undefined, version: 0 };
    const p = ProfileItem.parse(profile);
    const bindings = items
      .filter((i) => keys.subscriberItemKind(i) === 'binding')
      .map((i) => BindingItem.parse(i))
      .sort((a, b) => byInstant(a.boundAt, b.boundAt));
    const { version, ...rest } = p;
    return { subscriber: { ...rest, bindings }, version };
  }

  async get(ref: SubscriberRef) {
    return (await this.read(ref)).subscriber;
  }

  /** The profiles' statuses, 100 to a BatchGetItem (eventually consistent, status only). */
  async statuses(channel: SubscriberRef['channel'], ids: readonly string[]) {
    const items = await batchGetAll(
      this.doc,
      this.table,
      [...new Set(ids)].map((id) => keys.subscriber({ channel, id })),
      { ProjectionExpression: 'id, #s', ExpressionAttributeNames: { '#s': 'status' } },
    );
    return new Map(items.map((item) => [String(item.id), ProfileItem.shape.status.parse(item.status)]));
  }

  /**
   * Applies `change` until it commits against the version it read (or nothing changes). A follower's
   * messages arriving together each re-read and retry (bounded, jittered), so every one of them is
   * applied and answered in its own reply.
   */
  private async mutate<R>(
    ref: SubscriberRef,
    change: (s: Subscriber | undefined) => { next: Subscriber | undefined; result: R },
    first?: Snapshot,
  ): Promise<{ next: Subscriber | undefined; result: R }> {
    let attempt = 0;
    return retryOnConflict(async () => {
      attempt++;
      const { subscriber, version } =
        attempt === 1 && first ? first : await this.snapshot(ref, attempt === 1);
      const out = change(subscriber);
      if (out.next && out.next !== subscriber) await this.write(out.next, subscriber, version);
      return out;
    });
  }

  private async write(next: Subscriber, previous: Subscriber | undefined, version: number): Promise<void> {
    const { bindings } = next;
    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
      {
        Put: {
          TableName: this.table,
          Item: profileItem(next, version + 1),
          ...(version === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': version } }),
        },
      },
    ];
    for (const b of bindings) items.push({ Put: { TableName: this.table, Item: bindingItem(next, b) } });
    for (const old of previous?.bindings ?? []) {
      if (!bindings.some((b) => b.plate === old.plate)) {
        items.push({ Delete: { TableName: this.table, Key: keys.binding(next, old.plate) } });
      }
    }
    await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
  }

  /**
   * A follower wrote. A new subscriber, or one whose status this repairs, is written at once (one
   * transaction with the bindings, as every change). When only the time of their last message
   * changes — a question: 限行, 路况, a menu number — no transaction is needed: that one attribute is
   * set by a single conditional update on the profile (its version, so concurrent writers still
   * see each other), begun now and awaited by `settle` beside the reply, so it adds no round trip
   * before the answer. Any later change of this subscriber waits for it first.
   */
  async touch(ref: SubscriberRef, account: string, at: string) {
    const read = await this.snapshot(ref, true);
    const { subscriber, version } = read;
    const next = transition.touch(subscriber, ref, account, at);
    if (!subscriber || !onlyLastInboundChanged(subscriber, next)) {
      const change = (s: Subscriber | undefined) => ({
        next: transition.touch(s, ref, account, at),
        result: null,
      });
      return (await this.mutate(ref, change, read)).next!;
    }
    const stamp = this.stamp(ref, at, version);
    stamp.catch(() => {}); // settle() reports it; a later change must not fail on it
    this.stamps.set(refKey(ref), stamp);
    return next;
  }

  /**
   * Sets lastInboundAt (never backwards) under the profile's version, re-reading on a conflict
   * (bounded, jittered, as every change of a subscriber: conditional.ts `retryOnConflict`).
   */
  private async stamp(ref: SubscriberRef, at: string, readVersion: number): Promise<void> {
    let attempt = 0;
    await retryOnConflict(async () => {
      attempt++;
      const version = attempt === 1 ? readVersion : (await this.read(ref)).version;
      if (version === 0) return; // gone (deleted meanwhile): nothing to stamp
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: keys.subscriber(ref),
            UpdateExpression: 'SET lastInboundAt = :at, version = :next',
            ConditionExpression:
              'version = :v AND (attribute_not_exists(lastInboundAt) OR lastInboundAt < :at OR attribute_type(lastInboundAt, :null))',
            ExpressionAttributeValues: { ':at': at, ':v': version, ':next': version + 1, ':null': 'NULL' },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // Lost to another writer, or a later message's time is already there: read and decide again.
        const { subscriber } = await this.read(ref);
        if (subscriber?.lastInboundAt && byInstant(subscriber.lastInboundAt, at) >= 0) return;
        throw error;
      }
    });
  }

  async follow(ref: SubscriberRef, account: string, at: string, scene: string | null) {
    const { next } = await this.mutate(ref, (s) => ({
      next: transition.follow(s, ref, account, at, scene),
      result: null,
    }));
    return next!;
  }
  async unfollow(ref: SubscriberRef, at: string) {
    await this.mutate(ref, (s) => ({ next: transition.unfollow(s, at), result: null }));
  }
  async setStatus(ref: SubscriberRef, status: 'active' | 'opted-out' | 'blocked', at: string) {
    await this.mutate(ref, (s) => ({ next: transition.setStatus(s, status, at), result: null }));
  }
  async setPreferences(ref: SubscriberRef, prefs: Preferences) {
    await this.mutate(ref, (s) => ({ next: transition.setPreferences(s, prefs), result: null }));
  }
  async bind(ref: SubscriberRef, binding: Binding): Promise<BindOutcome> {
    return (
      await this.mutate(ref, (s) => {
        const { next, outcome } = transition.bind(s, binding);
        return { next, result: outcome };
      })
    ).result;
  }
  async unbind(ref: SubscriberRef, plate?: string) {
    return (
      await this.mutate(ref, (s) => {
        const { next, removed } = transition.unbind(s, plate);
        return { next, result: removed };
      })
    ).result;
  }
}
