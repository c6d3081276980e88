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
 *  4. its segments, emitted again for an existing running run (expansion resumes, counts once).
 */
import type { Notice } from '../../../schemas/notices.ts';
import type { NoticeSegment } from '../../../schemas/pushes.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import type { NewRun, PlannedRun, RunRecorder } from '../pushes/runs.ts';
import type { Clock } from '../time.ts';
import { civilDate } from '../time.ts';
import type { Channel } from '../vocabulary.ts';
import { pushCategory } from './lifecycle.ts';
import { noticeTemplateValues } from './rendering.ts';

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
  const internalAccounts = reason
    ? []
    : (await deps.accounts()).filter((a) => a.audience === 'internal').map((a) => a.id);
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
          values: noticeTemplateValues(notice),
          smsValues: { title: notice.title, summary: notice.shortBody },
          scan,
          of,
        }));
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
      segmentsTotal: reason ? 0 : deps.scanSegments,
      startedAt: now.toISOString(),
      lastActivityAt: now.toISOString(),
    },
    segmentsOf(deps.scanSegments),
  );
  // An existing run is planned again with the segments it was created with.
  if (run.status === 'running' && notice) await deps.publishSegments(segmentsOf(run.segmentsTotal));
  return { key, created, status: run.status, reason: run.reason, segments: run.segmentsTotal };
}
