/**
 * What publishing a notice would do, without sending anything: who it would reach on each channel,
 * how many of them the frequency cap would hold back today or quiet hours would defer, the WeChat
 * values as a follower would see them, per account (its typed template keys filled from this notice,
 * or its mass send), and the SMS text with its billing parts. An audience of zero is allowed and said so.
 */
import type { Notice } from '../../../schemas/notices.ts';
import type { FrequencyPolicy } from '../../../schemas/pushes.ts';
import type { SmsCatalogue } from '../../../schemas/sms.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { NotFoundError } from '../errors.ts';
import { capDecision, capRequest, type LedgerState } from '../pushes/cap.ts';
import { quietUntil } from '../pushes/quiet-hours.ts';
import { type Clock, civilDate } from '../time.ts';
import { CHANNELS, type Channel } from '../vocabulary.ts';
import { audienceOf, type CensusEntry, internalAccountIds } from './audience.ts';
import { pushCategory } from './lifecycle.ts';
import { noticePushKey } from './planning.ts';
import { noticeSms, noticeTemplateValues } from './rendering.ts';
import { weChatSending } from './wechat-sending.ts';
import { ensureTemplates } from './workflow.ts';

export interface NoticePreviewInput {
  notice: Notice;
  census: readonly CensusEntry[];
  accounts: readonly WeChatAccount[];
  policy: FrequencyPolicy;
  /** When it would be sent: its publishAt if later, else now. */
  sendAt: Date;
  sms: { catalogue: SmsCatalogue; maxParts: number };
  /** The notice's city as followers read it (北京), as the send path fills the templates. */
  cityName: string;
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
  ledgers: ReadonlyMap<string, LedgerState>,
  sampleSize = CAP_SAMPLE,
) {
  const { notice: n, policy, sendAt } = input;
  const internal = internalAccountIds(input.accounts);
  const category = pushCategory(n);
  const pushKey = noticePushKey(n.id);
  const channels = n.channels.filter((c): c is Channel => c === 'wechat' || c === 'sms');
  const perChannel = Object.fromEntries(
    channels.map((channel) => {
      const members = audienceOf(input, channel, internal);
      const sample = capSample(members, sampleSize);
      const cap = capRequest(policy, channel, category, sendAt);
      const deferUntil = quietUntil(policy, channel, category, sendAt);
      const verdicts = { send: 0, capped: 0, duplicate: 0 };
      for (const m of sample) verdicts[capDecision(cap, pushKey, ledgers.get(`${channel}#${m.id}`))]++;
      // Exact when every ledger was read; otherwise the sample's share, scaled to the audience.
      const scaled = (n: number) =>
        sample.length === members.length ? n : Math.round((n / sample.length) * members.length);
      const capped = scaled(verdicts.capped);
      // Reached by an earlier publication of this notice (the push key is the notice's): not again.
      const alreadyReached = scaled(verdicts.duplicate);
      const rest = Math.max(0, members.length - capped - alreadyReached);
      const wouldBe = { send: deferUntil ? 0 : rest, capped, deferred: deferUntil ? rest : 0 };
      return [
        channel,
        {
          audience: members.length,
          capClass: cap.klass,
          wouldBe,
          alreadyReached,
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
    wechat: n.channels.includes('wechat') ? weChatPreview(n, input.accounts, input.cityName) : null,
    sms: n.channels.includes('sms') ? noticeSms(n, input.sms.catalogue, input.sms.maxParts) : null,
    sent: 0,
  };
}

/**
 * What each account would send: the keys of its template as a follower sees them (`values`: the
 * first account's), the subscription notice's, or the article mass send.
 */
function weChatPreview(n: Notice, accounts: readonly WeChatAccount[], cityName: string) {
  const { sendings } = weChatSending(n, accounts, cityName);
  return {
    values: sendings.find((s) => s.values)?.values ?? noticeTemplateValues(n, cityName),
    accounts: sendings,
  };
}

export interface NoticePreviewDeps {
  notice(id: string): Promise<Notice | undefined>;
  accounts(): Promise<WeChatAccount[]>;
  /** Every subscriber with their bound cities and tails (a whole-table read). */
  census(): Promise<readonly CensusEntry[]>;
  /** The day ledgers of these members for the day of sending. */
  ledgerCounts(
    members: ReadonlyArray<{ channel: Channel; id: string }>,
    date: string,
  ): Promise<ReadonlyMap<string, LedgerState>>;
  policy(): Promise<FrequencyPolicy>;
  /** A city's name (北京) from the restriction data. */
  cityName(city: string): Promise<string>;
  clock: Clock;
  sms: { catalogue: SmsCatalogue; maxParts: number };
}

/**
 * Primary course of previewNoticeById (POST /v1/admin/notices/{id}/preview):
 *  1. the notice as stored; a WeChat channel an account has no template for is refused (400);
 *  2. when it would be sent: its publishAt if later, else now;
 *  3. the audience per channel from the census, and the day ledgers of a sample of it (all of a
 *     small one: `capSample`), so the preview says what the cap would hold back;
 *  4. the preview itself; nothing is sent or written.
 */
export async function previewNoticeById(id: string, deps: NoticePreviewDeps) {
  const notice = await deps.notice(id);
  if (!notice) throw new NotFoundError(`No notice '${id}'.`);
  const accounts = await deps.accounts();
  await ensureTemplates(notice, { accounts: async () => accounts });
  const now = deps.clock.now();
  const sendAt =
    notice.publishAt && Date.parse(notice.publishAt) > now.getTime() ? new Date(notice.publishAt) : now;
  const policy = await deps.policy();
  const input = {
    notice,
    census: await deps.census(),
    accounts,
    policy,
    sendAt,
    sms: deps.sms,
    cityName: await deps.cityName(notice.city),
  };
  const internal = internalAccountIds(accounts);
  const members = CHANNELS.flatMap((c) =>
    notice.channels.includes(c) ? capSample(audienceOf(input, c, internal)) : [],
  );
  return previewNotice(input, await deps.ledgerCounts(members, civilDate(sendAt, policy.timeZone)));
}
