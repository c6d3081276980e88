/**
 * What a restriction push would do, without sending: the audience per segment and what the cap
 * would hold back (already reminded today: duplicate; daily restriction cap reached: capped).
 */
import type { FrequencyPolicy } from '../../../schemas/pushes.ts';
import { type RestrictionBook, restrictionOn } from '../restrictions/engine.ts';
import { restrictionRunKey, restrictionSegments } from './planning.ts';

export interface AudiencePage {
  subscribers: Array<{ channel: 'wechat' | 'sms'; id: string }>;
}

export interface PreviewDeps {
  book: RestrictionBook;
  policy: FrequencyPolicy;
  /** Every subscriber of one fan-out partition. */
  audience(partition: string): Promise<Array<{ channel: 'wechat' | 'sms'; id: string }>>;
  /** The ledger of each subscriber for a day: push keys and restriction count. */
  ledgers(
    subscribers: Array<{ channel: 'wechat' | 'sms'; id: string }>,
    date: string,
  ): Promise<Map<string, { keys: string[]; restriction: number }>>;
}

/** `sendDate`: the civil day the sends would count against (the cap is per day of sending). */
export async function previewRestrictionPush(
  req: { city: string; date: string; slot: 'morning' | 'evening'; sendDate: string },
  deps: PreviewDeps,
) {
  const answer = restrictionOn(deps.book, req.city, req.date);
  const key = restrictionRunKey(req.city, req.date, req.slot);
  const segments = restrictionSegments(answer);
  const seen = new Set<string>();
  const audience: Array<{ channel: 'wechat' | 'sms'; id: string }> = [];
  for (const s of segments) {
    for (const sub of await deps.audience(`${req.city}#${s.tail}#${req.slot}#${s.shard}`)) {
      const k = `${sub.channel}#${sub.id}`;
      if (!seen.has(k)) {
        seen.add(k);
        audience.push(sub);
      }
    }
  }
  const ledgers = await deps.ledgers(audience, req.sendDate);
  const wouldBe = { send: 0, capped: 0, duplicate: 0 };
  for (const sub of audience) {
    const l = ledgers.get(`${sub.channel}#${sub.id}`);
    const limit = deps.policy.channels[sub.channel].perDay.restriction;
    if (l?.keys.includes(key)) wouldBe.duplicate++;
    else if ((l?.restriction ?? 0) >= limit) wouldBe.capped++;
    else wouldBe.send++;
  }
  return {
    key,
    date: req.date,
    status: answer.status,
    reason: answer.reason,
    tails: answer.tails,
    segments: segments.length,
    audience: {
      wechat: audience.filter((a) => a.channel === 'wechat').length,
      sms: audience.filter((a) => a.channel === 'sms').length,
    },
    wouldBe,
  };
}
