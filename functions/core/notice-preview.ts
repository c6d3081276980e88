/**
 * What publishing a notice would do, without sending anything: who it would reach on each channel,
 * how many of them the frequency cap would hold back today or quiet hours would defer, the WeChat
 * template values as a follower would see them (each cut to WeChat's 20 characters), and the SMS
 * text with its billing parts. An audience of zero is allowed and said so.
 */
import type { Audience, Notice } from '../../schemas/notices.ts';
import type { FrequencyPolicy } from '../../schemas/pushes.ts';
import type { SmsCatalogue } from '../../schemas/sms.ts';
import type { WeChatAccount } from '../../schemas/wechat.ts';
import { civilMinute } from './calendar.ts';
import { pushCategory } from './notices.ts';
import { type Channel, capRequest, quietUntil, templateValue } from './pushes.ts';
import { renderSms, smsLength } from './sms.ts';

export interface CensusEntry {
  channel: Channel;
  id: string;
  account: string;
  status: string;
  bindings: Array<{ city: string; tail: number }>;
}

/** A subscriber's counts on the day of sending and routine pushes on the 6 days before. */
export interface LedgerCounts {
  day: Record<'restriction' | 'routine' | 'emergency', number>;
  routineBefore: number;
}

export function matchesAudience(
  e: CensusEntry,
  audience: Audience,
  city: string,
  internalAccounts: ReadonlySet<string>,
): boolean {
  if (e.status !== 'active') return false;
  const internal = internalAccounts.has(e.account);
  switch (audience.type) {
    case 'internal':
      return internal;
    case 'all-followers':
      return !internal;
    case 'bound-in-city':
      return !internal && e.bindings.some((b) => b.city === city);
    case 'tails':
      return !internal && e.bindings.some((b) => b.city === city && audience.tails.includes(b.tail));
  }
}

const shanghai = (iso: string) => civilMinute(new Date(iso)).replace(/\//, '月').replace(/ /, '日');

/** The notice template's values (title, time, place, summary), each within WeChat's display limit. */
export function noticeTemplateValues(
  n: Pick<Notice, 'title' | 'effectiveFrom' | 'effectiveTo' | 'areas' | 'city' | 'shortBody'>,
) {
  // Within WeChat's 20 characters: the end names only what differs from the start
  // (11月23日09:50至14:00, 11月23日09:50至25日14:00).
  const from = shanghai(n.effectiveFrom);
  const to = n.effectiveTo ? shanghai(n.effectiveTo) : null;
  const upTo = (s: string, mark: string) => s.slice(0, s.indexOf(mark) + 1);
  const end =
    to === null
      ? null
      : upTo(to, '日') === upTo(from, '日')
        ? to.slice(to.indexOf('日') + 1)
        : upTo(to, '月') === upTo(from, '月')
          ? to.slice(to.indexOf('月') + 1)
          : to;
  const window = end === null ? `${from}起` : `${from}至${end}`;
  return {
    keyword1: templateValue(n.title),
    keyword2: templateValue(window),
    keyword3: templateValue(n.areas.length ? n.areas.join('、') : n.city),
    keyword4: templateValue(n.shortBody),
  };
}

/**
 * The notice's SMS exactly as deliver-sms renders it (the `notice` template with its sign: title and
 * short form), its billable parts, and whether it is within the deployment's part limit.
 */
export function noticeSms(n: Pick<Notice, 'title' | 'shortBody'>, catalogue: SmsCatalogue, maxParts: number) {
  const rendered = renderSms(
    catalogue,
    'notice',
    { title: n.title, summary: n.shortBody },
    Number.MAX_SAFE_INTEGER,
  );
  return {
    text: rendered.text,
    characters: smsLength(rendered.text),
    parts: rendered.parts,
    maxParts,
    withinLimit: rendered.parts <= maxParts,
  };
}

export interface NoticePreviewInput {
  notice: Notice;
  census: readonly CensusEntry[];
  accounts: readonly WeChatAccount[];
  policy: FrequencyPolicy;
  /** When it would be sent: its publishAt if later, else now. */
  sendAt: Date;
  sms: { catalogue: SmsCatalogue; maxParts: number };
}

/**
 * The audience members whose day ledgers the preview reads: all of them up to `max`, beyond that an
 * even stride through them (the census comes in table order, unrelated to anyone's push history),
 * so a preview of a million followers reads 7 × `max` ledger items, not 7 million.
 */
export function capSample<T>(members: readonly T[], max = CAP_SAMPLE): readonly T[] {
  if (members.length <= max) return members;
  const stride = members.length / max;
  return Array.from({ length: max }, (_, i) => members[Math.floor(i * stride)]!);
}
/** How many members' ledgers a preview reads per channel at most. */
export const CAP_SAMPLE = 2000;

export function previewNotice(
  input: NoticePreviewInput,
  ledgers: ReadonlyMap<string, LedgerCounts>,
  sampleSize = CAP_SAMPLE,
) {
  const { notice: n, policy, sendAt } = input;
  const internal = new Set(input.accounts.filter((a) => a.audience === 'internal').map((a) => a.id));
  const category = pushCategory(n);
  const channels = n.channels.filter((c): c is Channel => c === 'wechat' || c === 'sms');
  const perChannel = Object.fromEntries(
    channels.map((channel) => {
      const members = audienceOf(input, channel, internal);
      const sample = capSample(members, sampleSize);
      const cap = capRequest(policy, channel, category, sendAt);
      const deferUntil = quietUntil(policy, channel, category, sendAt);
      let held = 0;
      for (const m of sample) {
        const l = ledgers.get(`${channel}#${m.id}`);
        const today = l?.day[cap.klass] ?? 0;
        const weekFull = cap.weekLimit !== null && (l?.routineBefore ?? 0) + today >= cap.weekLimit;
        if (today >= cap.dayLimit || weekFull) held++;
      }
      // Exact when every ledger was read; otherwise the sample's share, scaled to the audience.
      const capped =
        sample.length === members.length ? held : Math.round((held / sample.length) * members.length);
      const rest = members.length - capped;
      const wouldBe = { send: deferUntil ? 0 : rest, capped, deferred: deferUntil ? rest : 0 };
      return [
        channel,
        {
          audience: members.length,
          capClass: cap.klass,
          wouldBe,
          deferredUntil: deferUntil && wouldBe.deferred ? deferUntil.toISOString() : null,
          capEstimate: sample.length === members.length ? null : { sampled: sample.length },
        },
      ];
    }),
  );
  const total = channels.reduce((s, c) => s + (perChannel[c]?.audience ?? 0), 0);
  return {
    noticeId: n.id,
    version: n.version,
    category,
    sendAt: sendAt.toISOString(),
    channels: perChannel,
    feed: n.channels.includes('feed') ? { city: n.city, public: true } : null,
    audienceTotal: total,
    note:
      channels.length === 0
        ? 'Feed only: publishing pushes nothing to people.'
        : total === 0
          ? 'No follower matches this audience now: publishing would push to nobody (the feed still shows it if chosen).'
          : null,
    wechat: n.channels.includes('wechat') ? { values: noticeTemplateValues(n) } : null,
    sms: n.channels.includes('sms') ? noticeSms(n, input.sms.catalogue, input.sms.maxParts) : null,
    sent: 0,
  };
}

/** The audience members on one channel. */
export function audienceOf(
  input: Pick<NoticePreviewInput, 'notice' | 'census'>,
  channel: Channel,
  internalAccounts: ReadonlySet<string>,
) {
  return input.census.filter(
    (e) =>
      e.channel === channel && matchesAudience(e, input.notice.audience, input.notice.city, internalAccounts),
  );
}
