/**
 * The sparse, sharded fan-out index: a binding is listed under its city × tail × slot × shard
 * exactly while its subscriber may receive the daily reminder; shards spread one city × tail over
 * parallel segments. Which segment a binding is in is decided here; how the index spells it is the
 * DynamoDB adapter's business (functions/adapters/dynamodb/keys.ts).
 */
import { createHash } from 'node:crypto';
import type { Binding, ReminderSlot, Subscriber, SubscriberRef } from './subscriber.ts';

export const FANOUT_SHARDS = 16;

/** One partition of the fan-out index. */
export interface FanoutSegment {
  city: string;
  tail: number;
  slot: ReminderSlot;
  shard: number;
}

/** Spreads a city × tail segment over shards by a stable hash of the subscriber. */
export function shardOf(ref: SubscriberRef): number {
  return createHash('sha256').update(`${ref.channel}#${ref.id}`).digest().readUInt32BE(0) % FANOUT_SHARDS;
}

/** The fan-out segment a binding belongs to, or null when the subscriber must not be pushed. */
export function fanoutSegment(
  s: Pick<Subscriber, 'channel' | 'id' | 'status' | 'reminders' | 'slot'>,
  b: Pick<Binding, 'city' | 'tail'>,
): FanoutSegment | null {
  if (s.status !== 'active' || !s.reminders) return null;
  return { city: b.city, tail: b.tail, slot: s.slot, shard: shardOf(s) };
}
