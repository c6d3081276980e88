/**
 * Publishes notices at their time, invoked two ways:
 *  - by a notice's one-off schedule (`scheduleGroups.notice-publish`) with `{ noticeId, version }`:
 *    publishes that version if it is still approved and due;
 *  - every five minutes by the blueprint schedule with `{}`: publishes every approved notice whose
 *    publishAt has come (a backstop for a schedule that could not be created or did not fire) and
 *    re-sends announcements to the push pipeline that a crash or an SNS error left unsent.
 * Every publication is conditional on the version it read (functions/core/notices/workflow.ts), so a
 * reviewer publishing at the same moment, the sweep and the one-off schedule publish a notice once.
 */
import { ScheduledPublicationSchema } from '../../schemas/notices.ts';
import * as workflow from '../core/notices/workflow.ts';
import { scheduleHandler } from '../shared/schedule.ts';
import { errorMessage, telemetry } from '../shared/telemetry.ts';
import { noticeDeps, noticeStore } from '../shared/wiring/notices.ts';

export const handler = scheduleHandler(ScheduledPublicationSchema, async (input) => {
  if (input.kind === 'one-off') {
    const { noticeId, version } = input;
    const result = await workflow.publishScheduledNotice({ noticeId, version }, noticeDeps);
    telemetry.log('info', 'notice schedule fired', { noticeId, version, ...result });
    return {
      published: result.published ? [noticeId] : [],
      ...(result.reason ? { reason: result.reason } : {}),
    };
  }
  const published = await workflow.publishDueNotices(noticeDeps, (noticeId, error) => {
    telemetry.log('error', 'scheduled notice not published', { noticeId, error: errorMessage(error) });
    telemetry.metric('ScheduledNoticeFailures');
  });
  const resent = await workflow.resendPendingAnnouncements({
    ...noticeDeps,
    pendingAnnouncements: (olderThan) => noticeStore.pendingAnnouncements(olderThan),
  });
  if (published.length || resent) telemetry.log('info', 'notices published', { published, resent });
  return { published, resent };
});
