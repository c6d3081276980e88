/**
 * The sparse, sharded fan-out index: a binding is listed under `city#tail#slot#shard` exactly while
 * its subscriber may receive the daily reminder; shards spread one city × tail over parallel segments.
 */
import { createHash } from 'node:crypto';
import type { Binding, Subscriber, SubscriberRef } from './subscriber.ts';

export const FANOUT_SHARDS = 16;

/** Spreads a city × tail segment over shards by a stable hash of the subscriber. */
export function shardOf(ref: SubscriberRef): number {
  return createHash('sha256').update(`${ref.channel}#${ref.id}`).digest().readUInt32BE(0) % FANOUT_SHARDS;
}

/** The fan-out partition a binding belongs to, or null when the subscriber must not be pushed. */
export function fanoutKey(
  s: Pick<Subscriber, 'channel' | 'id' | 'status' | 'reminders' | 'slot'>,
  b: Pick<Binding, 'city' | 'tail'>,
): string | null {
  if (s.status !== 'active' || !s.reminders) return null;
  return `${b.city}#${b.tail}#${s.slot}#${shardOf(s)}`;
}
