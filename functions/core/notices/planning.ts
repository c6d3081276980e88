/**
 * Planning a notice push: a published notice with people channels becomes a push run under the
 * idempotent key `notice#{id}#v{version}` and one segment per parallel Scan segment of the
 * subscribers table; expansion filters each page by the notice's audience. The push key is the
 * notice id, so a notice published again after an edit reaches nobody twice.
 *
 * Primary course of planNoticePush:
 *  1. the notice as stored now; not published (withdrawn meanwhile, or never) → a `skipped` run;
 *  2. only the channels this deployment delivers (a channel without a deliver queue is reported);
 *  3. the run with its segments, created or found (an announcement delivered twice plans once);
 *  4. its segments, emitted again for an existing running run (expansion resumes, counts once), with
 *     the notice's placeholder values each account's template is filled from at delivery; none when
 *     only accounts that cannot send template messages would send it on WeChat;
 *  5. one article mass send per such account (subscription accounts: ./mass-send in core/delivery),
 *     after the same review, recorded on the run (idempotent per run and account).
 */
import type { Notice } from '../../../schemas/notices.ts';
import type { NoticeSegment } from '../../../schemas/pushes.ts';
import type { MassSendJob, WeChatAccount } from '../../../schemas/wechat.ts';
import type { NewRun, PlannedRun, RunRecorder } from '../pushes/runs.ts';
import type { Clock } from '../time.ts';
import { civilDate } from '../time.ts';
import type { Channel } from '../vocabulary.ts';
import { noticePlaceholders } from '../wechat/placeholders.ts';
import { pushCategory } from './lifecycle.ts';

export const noticeRunKey = (id: string, version: number) => `notice#${id}#v${version}`;
export const noticePushKey = (id: string) => `notice#${id}`;

export interface NoticePlanningDeps {
  clock: Clock;
  notice(id: string): Promise<Notice | undefined>;
  accounts(): Promise<readonly WeChatAccount[]>;
  /** Channels with a deliver queue in this deployment. */
  delivered: ReadonlySet<Channel>;
  scanSegments: number;
  runs: RunRecorder<NewRun<'notice', 'notice' | 'emergency', null>>;
  publishSegments(segments: NoticeSegment[]): Promise<void>;
  /** One job per account that sends the notice as an article mass send (`wechat-mass-sends`). */
  publishMassSends(jobs: MassSendJob[]): Promise<void>;
  /** The city's name as citizens read it (restriction data), for the template values. */
  cityName(city: string): Promise<string>;
}

/** The accounts that send a notice on WeChat: its audience's, one by one or by mass send. */
export function weChatSenders(n: Pick<Notice, 'audience' | 'channels'>, accounts: readonly WeChatAccount[]) {
  if (!n.channels.includes('wechat')) return { oneByOne: [], massSend: [] };
  const audience = n.audience.type === 'internal' ? 'internal' : 'public';
  const senders = accounts.filter((a) => a.audience === audience);
  return {
    oneByOne: senders.filter((a) => a.kind === 'service'),
    massSend: senders.filter((a) => a.kind === 'subscription'),
  };
}

export async function planNoticePush(
  msg: { noticeId: string; version: number },
  deps: NoticePlanningDeps,
): Promise<PlannedRun> {
  const now = deps.clock.now();
  const notice = await deps.notice(msg.noticeId);
  const key = noticeRunKey(msg.noticeId, msg.version);
  const wanted = (notice?.channels ?? []).filter((c): c is Channel => c === 'wechat' || c === 'sms');
  const channels = wanted.filter((c) => deps.delivered.has(c));
  const missing = wanted.filter((c) => !deps.delivered.has(c));
  const reason = !notice
    ? 'the notice no longer exists'
    : notice.status !== 'published'
      ? `the notice is ${notice.status}, not published`
      : channels.length === 0
        ? missing.length
          ? `this deployment does not deliver ${missing.join(', ')}`
          : 'feed only: nothing to push'
        : null;
  const category = notice ? pushCategory(notice) : 'notice';
  const accounts = await deps.accounts();
  const senders = notice ? weChatSenders(notice, accounts) : { oneByOne: [], massSend: [] };
  // Followers are expanded one by one for SMS and for accounts that send template messages.
  const oneByOne = channels.includes('sms') || (channels.includes('wechat') && senders.oneByOne.length > 0);
  const internalAccounts = accounts.filter((a) => a.audience === 'internal').map((a) => a.id);
  const values = notice && !reason ? noticePlaceholders(notice, await deps.cityName(notice.city)) : {};
  const segmentsOf = (of: number): NoticeSegment[] =>
    !notice || reason
      ? []
      : Array.from({ length: of }, (_, scan) => ({
          kind: 'notice' as const,
          runKey: key,
          pushKey: noticePushKey(notice.id),
          category,
          city: notice.city,
          date: civilDate(now),
          audience:
            notice.audience.type === 'tails'
              ? { type: 'tails', tails: [...notice.audience.tails] }
              : notice.audience,
          channels,
          internalAccounts,
          values,
          smsValues: { title: notice.title, summary: notice.shortBody },
          scan,
          of,
        }));
  const segmentsTotal = reason || !oneByOne ? 0 : deps.scanSegments;
  // Recorded with the run, which waits for each one's result (a resume sends for a lost one again).
  const massSendJobs: MassSendJob[] =
    notice && !reason && channels.includes('wechat')
      ? senders.massSend.map((a) => ({
          runKey: key,
          noticeId: notice.id,
          version: msg.version,
          accountId: a.id,
        }))
      : [];
  const { created, run } = await deps.runs.createOrGet(
    {
      key,
      kind: 'notice',
      category,
      city: notice?.city ?? 'unknown',
      date: civilDate(now),
      slot: null,
      status: reason ? 'skipped' : 'running',
      reason: reason ?? (missing.length ? `not delivered on ${missing.join(', ')}: no deliver queue` : null),
      segmentsTotal,
      startedAt: now.toISOString(),
      lastActivityAt: now.toISOString(),
      massSendJobs,
    },
    segmentsOf(segmentsTotal),
  );
  if (run.status === 'running' && notice) {
    // An existing run is planned again with the segments it was created with.
    await deps.publishSegments(segmentsOf(run.segmentsTotal));
    if (massSendJobs.length) await deps.publishMassSends(massSendJobs);
  }
  return { key, created, status: run.status, reason: run.reason, segments: run.segmentsTotal };
}
