/**
 * The `notice-pushes` queue, `{ noticeId, version }` per published notice: plans the notice's push
 * run (functions/core/notices/planning.ts). Idempotent per notice version, so an announcement
 * delivered twice, or re-sent by the publisher's sweep, plans once.
 */
import { NoticePushMessageSchema } from '../../schemas/notices.ts';
import { NoticePlanningSettingsSchema } from '../../schemas/settings.ts';
import { planNoticePush } from '../core/notices/planning.ts';
import { settings } from '../shared/config.ts';
import { queueHandler } from '../shared/queue.ts';
import { telemetry } from '../shared/telemetry.ts';
import { noticePlanningDeps } from '../shared/wiring/notice-planning.ts';

const deps = noticePlanningDeps(settings(NoticePlanningSettingsSchema));

export const handler = queueHandler({
  schema: NoticePushMessageSchema,
  retrying: 'notice push planning will be retried',
  record: async (msg) =>
    telemetry.log('info', 'notice push planned', { ...(await planNoticePush(msg, deps)) }),
});
