/**
 * What a restriction push would do, without sending: the audience of its segments and what the cap
 * would do to each member (`capDecision`, the rule the ledger's conditional write applies at send
 * time): already reminded (duplicate), held back by the cap (capped), or sent.
 */
import type { FrequencyPolicy } from '../../../schemas/pushes.ts';
import { type RestrictionBook, restrictionOn } from '../restrictions/engine.ts';
import type { FanoutSegment } from '../subscribers/fanout.ts';
import { civilDate } from '../time.ts';
import type { Channel } from '../vocabulary.ts';
import { capDecision, capRequest, type LedgerState } from './cap.ts';
import { restrictionRunKey, restrictionSegments } from './planning.ts';

type Member = { channel: Channel; id: string };

export interface PreviewDeps {
  book: RestrictionBook;
  policy: FrequencyPolicy;
  /** Every subscriber of one fan-out segment. */
  segmentMembers(segment: FanoutSegment): Promise<Member[]>;
  /** The day ledgers of these subscribers for the day of sending (and the routine count before it). */
  ledgerCounts(members: readonly Member[], date: string): Promise<ReadonlyMap<string, LedgerState>>;
}

/** `sendAt`: when the sends would happen (the cap counts per civil day of sending). */
export async function previewRestrictionPush(
  req: { city: string; date: string; slot: 'morning' | 'evening'; sendAt: Date },
  deps: PreviewDeps,
) {
  const answer = restrictionOn(deps.book, req.city, req.date);
  const key = restrictionRunKey(req.city, req.date, req.slot);
  const segments = restrictionSegments(answer);
  const seen = new Set<string>();
  const audience: Member[] = [];
  for (const s of segments) {
    for (const m of await deps.segmentMembers({ city: req.city, slot: req.slot, ...s })) {
      const k = `${m.channel}#${m.id}`;
      if (!seen.has(k)) {
        seen.add(k);
        audience.push({ channel: m.channel, id: m.id });
      }
    }
  }
  const ledgers = await deps.ledgerCounts(audience, civilDate(req.sendAt, deps.policy.timeZone));
  const wouldBe = { send: 0, capped: 0, duplicate: 0 };
  for (const m of audience) {
    const cap = capRequest(deps.policy, m.channel, 'restriction', req.sendAt);
    wouldBe[capDecision(cap, key, ledgers.get(`${m.channel}#${m.id}`))]++;
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
