/**
 * The `notice-pushes` queue, `{ noticeId, version }` per published notice: plans the notice's push
 * run (functions/core/notices/planning.ts). Idempotent per notice version, so an announcement
 * delivered twice, or re-sent by the publisher's sweep, plans once.
 */
import { NoticePushMessageSchema } from '../../schemas/notices.ts';
import { NoticePlanningSettingsSchema } from '../../schemas/settings.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoNoticeStore } from '../adapters/dynamodb/notices.ts';
import { publishAll } from '../adapters/sns/publisher.ts';
import { accountDirectory } from '../adapters/wechat/accounts.ts';
import { planNoticePush } from '../core/notices/planning.ts';
import { clock } from '../shared/clock.ts';
import { env, settings, tableName, topicArn } from '../shared/config.ts';
import { pushRuns } from '../shared/pushes.ts';
import { queueHandler } from '../shared/queue.ts';
import { telemetry } from '../shared/telemetry.ts';

const store = new DynamoNoticeStore(documentClient, {
  content: tableName('content'),
  operations: tableName('operations'),
});
const accounts = accountDirectory(env());
const segmentsTopic = topicArn('push-segments');
const deps = {
  ...settings(NoticePlanningSettingsSchema),
  clock,
  notice: (id: string) => store.get(id),
  accounts: () => accounts.all(),
  runs: pushRuns,
  publishSegments: async (segments: unknown[]) => {
    await publishAll(
      segmentsTopic,
      segments.map((body) => ({ body })),
    );
  },
};

export const handler = queueHandler({
  schema: NoticePushMessageSchema,
  retrying: 'notice push planning will be retried',
  record: async (msg) =>
    telemetry.log('info', 'notice push planned', { ...(await planNoticePush(msg, deps)) }),
});
