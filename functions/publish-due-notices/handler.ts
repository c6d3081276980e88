/**
 * Every minute: publishes approved notices whose publishAt has come (each conditional on the version
 * it read, so a reviewer publishing at the same moment or a second run publishes it once), and
 * re-sends announcements to the push pipeline that a crash or an SNS error left unsent.
 * (Deliberately a schedule rather than a one-off EventBridge schedule per notice: the same on AWS
 * and locally, and it needs no scheduler:CreateSchedule or iam:PassRole.)
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { publishDueNotices } from '../core/notice-workflow.ts';
import { announce, noticeDeps, noticeStore } from '../shared/notices.ts';
import { logger, metrics } from '../shared/powertools.ts';

/** An announcement younger than this may still be on its way from the request that published it. */
const RESEND_AFTER_MS = 60_000;

export const handler = async () => {
  try {
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
