/**
 * Expanding a segment of a push run into delivery bundles of up to 50 recipients each.
 *
 * Primary course of expandSegment:
 *  1. the segment's cursor: a segment delivered twice, or retried after a crash, resumes where it
 *     stopped (a finished segment does nothing);
 *  2. one page of its audience: a restriction segment pages its partition of the fan-out index (one
 *     recipient per subscriber, their plates with this tail together) and keeps, per subscriber, the
 *     plates the engine says are restricted that day (./reminders.ts) — a subscriber with none is
 *     counted `exempt` and sent nothing; a notice segment pages one of the parallel Scan segments of
 *     the subscribers and keeps the notice's audience;
 *     a member whose id is not one a key can be built from is settled here, alone, invalid-recipient;
 *  3. the page's recipients in bundles per channel and account, with deterministic ids (run, segment,
 *     page, chunk), so a page expanded twice yields the same bundles;
 *  4. the cursor advanced in the same write that counts the page's recipients as planned (and the ones
 *     settled here, exempt or invalid, with their outcome) and keeps the page's bundles — what a resume
 *     of the run reads; if another copy of the segment advanced first, it owns the rest (our page was
 *     a duplicate) and we publish nothing;
 *  5. the bundles published. A crash between 4 and 5 leaves bundles no queue holds: the run stalls and
 *     its resume (./resume.ts) publishes what the pages recorded and the receipts do not.
 */
import {
  type DeliveryMessage,
  type NoticeSegment,
  type Outcome,
  type Recipient,
  RecipientSchema,
  type RestrictionSegment,
  type SegmentMessage,
} from '../../../schemas/pushes.ts';
import type { DeliveryQueue, RunCounts } from '../delivery/ports.ts';
import { type CensusEntry, matchesAudience } from '../notices/audience.ts';
import type { RestrictionBook } from '../restrictions/engine.ts';
import { FALLBACK_SCENE } from '../subscribers/subscriber.ts';
import type { Clock } from '../time.ts';
import type { Channel } from '../vocabulary.ts';
import { reminderFor } from './reminders.ts';

/** Where a segment's expansion stands: an opaque cursor the audience gave for the next page. */
export type PageCursor = Record<string, unknown> | null;

/** What one expanded page became: its bundles as published, and the recipients settled at expansion. */
export interface PageManifest {
  bundles: DeliveryMessage[];
  settled: Array<{ id: string; outcome: Outcome }>;
}

export interface SegmentCursors {
  segmentCursor(
    runKey: string,
    segment: string,
  ): Promise<{ page: number; cursor: PageCursor; done: boolean }>;
  /** Moves from `page` to the next with the page's recipients counted and its bundles kept; false if another copy moved first. */
  advanceSegment(
    runKey: string,
    segment: string,
    page: number,
    next: PageCursor,
    planned: number,
    at: string,
    settled: RunCounts,
    manifest: PageManifest,
  ): Promise<boolean>;
}

export interface Addressed extends Recipient {
  channel: Channel;
  account: string;
}

/** The audience as expansion pages it (functions/adapters/dynamodb/audience.ts). */
export interface AudiencePages {
  restrictionPage(
    segment: Pick<RestrictionSegment, 'city' | 'tail' | 'slot' | 'shard'>,
    cursor: PageCursor,
    pageSize: number,
  ): Promise<{ members: Addressed[]; next: PageCursor }>;
  scanPage(
    scan: { segment: number; of: number },
    cursor: PageCursor,
    pageSize: number,
  ): Promise<{ members: Array<CensusEntry & { scene: string | null }>; next: PageCursor }>;
}

export interface ExpansionDeps {
  runs: SegmentCursors;
  /** The restriction data reminders are checked against (restriction segments). */
  restrictions(): Promise<RestrictionBook>;
  audience: AudiencePages;
  deliveries: DeliveryQueue;
  clock: Clock;
  settings: { bundleSize: number; pageSize: number };
}

/** The members of a notice's audience on one page of subscribers. */
export function noticeRecipients(
  members: ReadonlyArray<CensusEntry & { scene: string | null }>,
  segment: Pick<NoticeSegment, 'audience' | 'city' | 'channels' | 'internalAccounts'>,
): Addressed[] {
  const internal = new Set(segment.internalAccounts);
  return (
    members
      .filter((m) => segment.channels.includes(m.channel))
      // A number linked only as a WeChat follower's fallback is not an SMS audience of its own.
      .filter((m) => !(m.channel === 'sms' && m.scene === FALLBACK_SCENE && m.bindings.length === 0))
      .filter((m) => matchesAudience(m, segment.audience, segment.city, internal))
      .map((m) => ({ channel: m.channel, account: m.account, id: m.id, plates: [] }))
  );
}

type BundleBase = Omit<DeliveryMessage, 'bundle' | 'channel' | 'account' | 'recipients' | 'values'>;

/** Bundles per channel and account, at most `size` recipients each. */
export function bundlesOf(
  recipients: readonly Addressed[],
  base: BundleBase,
  values: (channel: Channel) => Record<string, string> | undefined,
  prefix: string,
  size: number,
): DeliveryMessage[] {
  const groups = new Map<string, { channel: Channel; account: string; members: Recipient[] }>();
  for (const { channel, account, id, plates } of recipients) {
    const g = `${channel}#${account}`;
    const group = groups.get(g) ?? { channel, account, members: [] };
    group.members.push({ id, plates });
    groups.set(g, group);
  }
  const out: DeliveryMessage[] = [];
  for (const [g, { channel, account, members }] of groups) {
    const v = values(channel);
    const fallbackValues = channel === 'wechat' ? values('sms') : undefined;
    for (let i = 0; i < members.length; i += size)
      out.push({
        ...base,
        ...(v ? { values: v } : {}),
        ...(fallbackValues ? { fallbackValues } : {}),
        bundle: `${prefix}#${g}#${i / size}`,
        channel,
        account,
        recipients: members.slice(i, i + size),
      });
  }
  return out;
}

/** The name a segment's cursor is kept under. */
export const segmentName = (seg: SegmentMessage) =>
  seg.kind === 'notice' ? `scan#${seg.scan}` : `${seg.tail}#${seg.shard}`;

export async function expandSegment(seg: SegmentMessage, deps: ExpansionDeps): Promise<void> {
  const segment = segmentName(seg);
  const base: BundleBase = {
    runKey: seg.runKey,
    pushKey: seg.kind === 'notice' ? seg.pushKey : seg.runKey,
    category: seg.category,
    city: seg.city,
    date: seg.date,
    // The deadline's pace (WeChat delivery reads it; SMS keeps its gateway's configured rate).
    ...(seg.kind !== 'notice' && seg.ratePerSecond ? { ratePerSecond: seg.ratePerSecond } : {}),
  };
  const values = (channel: Channel) =>
    seg.kind !== 'notice' ? undefined : channel === 'sms' ? seg.smsValues : seg.values;
  const { pageSize, bundleSize } = deps.settings;
  for (;;) {
    const { page, cursor, done } = await deps.runs.segmentCursor(seg.runKey, segment);
    if (done) return;
    let members: Addressed[];
    let next: PageCursor;
    const settled: PageManifest['settled'] = [];
    const recipients: Addressed[] = [];
    if (seg.kind === 'notice') {
      const scanned = await deps.audience.scanPage({ segment: seg.scan, of: seg.of }, cursor, pageSize);
      members = noticeRecipients(scanned.members, seg);
      next = scanned.next;
    } else {
      const fanout = await deps.audience.restrictionPage(seg, cursor, pageSize);
      const book = await deps.restrictions();
      members = [];
      for (const member of fanout.members) {
        const r = reminderFor(book, seg.city, seg.date, member.plates);
        if (r.verdict === 'remind') members.push({ ...member, plates: r.plates });
        else
          settled.push({ id: member.id, outcome: r.verdict === 'exempt' ? 'exempt' : 'invalid-recipient' });
      }
      next = fanout.next;
    }
    // A member no key can be built for is settled alone here, never put in a bundle it would fail.
    for (const m of members)
      if (RecipientSchema.safeParse({ id: m.id, plates: m.plates }).success) recipients.push(m);
      else settled.push({ id: m.id.slice(0, 128), outcome: 'invalid-recipient' });
    const bundles = bundlesOf(recipients, base, values, `${seg.runKey}#${segment}#${page}`, bundleSize);
    const counts: RunCounts = {};
    for (const { outcome } of settled) counts[outcome] = (counts[outcome] ?? 0) + 1;
    const at = deps.clock.now().toISOString();
    const planned = recipients.length + settled.length;
    const manifest = { bundles, settled };
    if (!(await deps.runs.advanceSegment(seg.runKey, segment, page, next, planned, at, counts, manifest)))
      return;
    await deps.deliveries.publish(bundles);
    if (!next) return;
  }
}
