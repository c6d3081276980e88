/**
 * What a restriction push would do, without sending: the audience of its segments, who of it the
 * rule exempts that day (./reminders.ts, as expansion decides), and what the cap would do to the
 * rest (`capDecision`, the rule the ledger's conditional write applies at send time): already
 * reminded (duplicate), held back by the cap (capped), or sent.
 */
import type { FrequencyPolicy } from '../../../schemas/pushes.ts';
import { type RestrictionBook, restrictionOn } from '../restrictions/engine.ts';
import type { FanoutSegment } from '../subscribers/fanout.ts';
import { civilDate } from '../time.ts';
import type { Channel } from '../vocabulary.ts';
import { capDecision, capRequest, type LedgerState } from './cap.ts';
import { type PaceLimits, planPace, reminderDeadline } from './deadline.ts';
import { restrictionRunKey, restrictionSegments } from './planning.ts';
import { reminderFor } from './reminders.ts';

type Member = { channel: Channel; id: string };
type FanoutMember = Member & { plates: string[] };

export interface PreviewDeps {
  book: RestrictionBook;
  policy: FrequencyPolicy;
  /** How the run would be paced for its deadline (./deadline.ts). */
  pacing: PaceLimits;
  /** Every subscriber of one fan-out segment. */
  segmentMembers(segment: FanoutSegment): Promise<FanoutMember[]>;
  /** The day ledgers of these subscribers for the day of sending (and the routine count before it). */
  ledgerCounts(members: readonly Member[], date: string): Promise<ReadonlyMap<string, LedgerState>>;
}

/** `sendAt`: when the run would start (the cap counts per civil day of sending; the pace plans from it). */
export async function previewRestrictionPush(
  req: { city: string; date: string; slot: 'morning' | 'evening'; sendAt: Date },
  deps: PreviewDeps,
) {
  const answer = restrictionOn(deps.book, req.city, req.date);
  const key = restrictionRunKey(req.city, req.date, req.slot);
  const segments = restrictionSegments(answer);
  // Counted as the run counts them: per segment a subscriber is in (one with restricted plates of two
  // tails is in two segments: reminded in the first, a duplicate in the second).
  const appearances: Array<{ member: Member; verdict: ReturnType<typeof reminderFor> }> = [];
  const audience = new Map<string, Member>();
  for (const s of segments) {
    for (const m of await deps.segmentMembers({ city: req.city, slot: req.slot, ...s })) {
      const member = { channel: m.channel, id: m.id };
      audience.set(`${m.channel}#${m.id}`, member);
      appearances.push({ member, verdict: reminderFor(deps.book, req.city, req.date, m.plates) });
    }
  }
  const remindable = appearances.filter((a) => a.verdict.verdict === 'remind').map((a) => a.member);
  const ledgers = await deps.ledgerCounts(
    [...new Map(remindable.map((m) => [`${m.channel}#${m.id}`, m])).values()],
    civilDate(req.sendAt, deps.policy.timeZone),
  );
  const wouldBe = { send: 0, capped: 0, duplicate: 0, exempt: 0, 'invalid-recipient': 0 };
  const decided = new Set<string>();
  for (const { member: m, verdict } of appearances) {
    if (verdict.verdict !== 'remind') {
      wouldBe[verdict.verdict === 'exempt' ? 'exempt' : 'invalid-recipient']++;
      continue;
    }
    const k = `${m.channel}#${m.id}`;
    if (decided.has(k)) {
      wouldBe.duplicate++;
      continue;
    }
    decided.add(k);
    const cap = capRequest(deps.policy, m.channel, 'restriction', req.sendAt);
    wouldBe[capDecision(cap, key, ledgers.get(k))]++;
  }
  const members = [...audience.values()];
  const deadline = reminderDeadline(
    answer,
    req.slot,
    deps.policy,
    civilDate(req.sendAt, deps.policy.timeZone),
  );
  return {
    key,
    date: req.date,
    status: answer.status,
    reason: answer.reason,
    tails: answer.tails,
    segments: segments.length,
    audience: {
      wechat: members.filter((a) => a.channel === 'wechat').length,
      sms: members.filter((a) => a.channel === 'sms').length,
    },
    wouldBe,
    // Paced for the audience as the run counts it (one per subscriber and segment).
    pace:
      answer.status === 'restricted' ? planPace(appearances.length, req.sendAt, deadline, deps.pacing) : null,
  };
}
