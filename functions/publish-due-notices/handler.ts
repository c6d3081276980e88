/**
 * Publishes notices at their time, invoked two ways:
 *  - by a notice's one-off schedule (`scheduleGroups.notice-publish`) with `{ noticeId, version }`:
 *    publishes that version if it is still approved and due;
 *  - every five minutes by the blueprint schedule with `{}`: publishes every approved notice whose
 *    publishAt has come (a backstop for a schedule that could not be created or did not fire) and
 *    re-sends announcements to the push pipeline that a crash or an SNS error left unsent.
 * Every publication is conditional on the version it read, so a reviewer publishing at the same
 * moment, the sweep and the one-off schedule publish a notice once.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { publishDueNotices, publishScheduledNotice } from '../core/notices/workflow.ts';
import { announce, noticeDeps, noticeStore } from '../shared/notices.ts';
import { logger, metrics } from '../shared/powertools.ts';

/** An announcement younger than this may still be on its way from the request that published it. */
const RESEND_AFTER_MS = 60_000;

/** A one-off schedule's input; the five-minute schedule sends `{}`. */
const ScheduledNoticeSchema = z.strictObject({
  noticeId: z.string().min(1).max(64),
  version: z.number().int().min(1),
});

export const handler = async (event: unknown) => {
  try {
    const one = ScheduledNoticeSchema.safeParse(event);
    if (one.success) {
      const input = one.data;
      const result = await publishScheduledNotice(input, noticeDeps);
      logger.info('notice schedule fired', { noticeId: input.noticeId, version: input.version, ...result });
      return {
        published: result.published ? [input.noticeId] : [],
        ...(result.reason ? { reason: result.reason } : {}),
      };
    }
    const published = await publishDueNotices(noticeDeps, (noticeId, error) => {
      logger.error('scheduled notice not published', { noticeId, error: error as Error });
      metrics.addMetric('ScheduledNoticeFailures', MetricUnit.Count, 1);
    });
    const cutoff = new Date(noticeDeps.clock.now().getTime() - RESEND_AFTER_MS).toISOString();
    const pending = await noticeStore.pendingAnnouncements(cutoff);
    for (const m of pending) await announce(m);
    if (published.length || pending.length)
      logger.info('notices published', { published, resent: pending.length });
    return { published, resent: pending.length };
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
