/** The notice workflow's dependencies, composed once per container (manage-notices, publish-due-notices). */
import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { shippedRestrictionData } from '../../../schemas/data/index.ts';
import type { NoticePushMessage } from '../../../schemas/notices.ts';
import { entityAuditEntries } from '../../adapters/dynamodb/audit-log.ts';
import { DynamoNoticeStore } from '../../adapters/dynamodb/notices.ts';
import { DynamoRestrictionDataRepository } from '../../adapters/dynamodb/restriction-data.ts';
import { bestEffort, SchedulerPublishSchedules } from '../../adapters/scheduler/publish-schedules.ts';
import { accountDirectory } from '../../adapters/wechat/accounts.ts';
import { errorMessage } from '../../core/errors.ts';
import type { NoticeHistoryDeps } from '../../core/notices/history.ts';
import { noticeRunKey } from '../../core/notices/planning.ts';
import type { NoticeWorkflowDeps, PublishSchedules } from '../../core/notices/workflow.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { topics } from '../clients/sns.ts';
import { clock } from '../clock.ts';
import { env, scheduleGroup, tableName, topicArn } from '../config.ts';
import { logger, metrics, traced } from '../powertools.ts';
import { pushRuns } from './pushes.ts';
import { catalogue, settings } from './sms.ts';

export const noticeStore = new DynamoNoticeStore(documentClient, {
  content: tableName('content'),
  operations: tableName('operations'),
});
const restrictionData = new DynamoRestrictionDataRepository(documentClient, {
  contentTable: tableName('content'),
  operationsTable: tableName('operations'),
  shipped: shippedRestrictionData,
  cacheMs: 0,
});
const accounts = accountDirectory(env());
const noticePushes = topicArn('notice-pushes');

/** Sends the announcement to `notice-pushes`, then clears it; on failure the schedule sends it later. */
export async function announce(message: NoticePushMessage): Promise<void> {
  try {
    await topics.publish(noticePushes, message);
    await noticeStore.announcementSent(message);
  } catch (error) {
    logger.warn('notice announcement not sent yet; publish-due-notices retries it', {
      noticeId: message.noticeId,
      error: errorMessage(error),
    });
  }
}

/** The notice's one-off publish schedule; failures are logged and counted, the sweep covers them. */
const publishSchedules: PublishSchedules = bestEffort(
  new SchedulerPublishSchedules(traced(new SchedulerClient({})), scheduleGroup('notice-publish')),
  (what, noticeId, error) => {
    logger.warn(`publish schedule not ${what === 'create' ? 'created' : 'removed'}; the sweep covers it`, {
      noticeId,
      error: errorMessage(error),
    });
    metrics.addMetric('PublishScheduleFailures', MetricUnit.Count, 1);
  },
);

export const noticeDeps: NoticeWorkflowDeps = {
  store: noticeStore,
  clock,
  newId: randomUUID,
  restrictions: () => restrictionData.load(),
  accounts: () => accounts.all(),
  announce,
  sms: { catalogue, maxParts: settings.maxParts },
  stopPush: (noticeId, version, reason) =>
    pushRuns.abort(noticeRunKey(noticeId, version), reason, clock.now().toISOString()),
  publishSchedules,
};

/** What the reviewer's comparison reads: the notice and its audit entries (core/notices/history.ts). */
export const noticeHistoryDeps: NoticeHistoryDeps = {
  notice: (id) => noticeStore.get(id),
  auditOf: (entity, days) => entityAuditEntries(documentClient, tableName('operations'), entity, days),
  clock,
};
