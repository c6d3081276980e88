/**
 * The `wechat-mass-sends` queue: a published notice for an account that cannot send template
 * messages, as an article mass send — draft, then send — within the account's daily allowance,
 * recorded on the notice's run (functions/core/delivery/mass-send.ts).
 */
import { MassSendJobSchema } from '../../schemas/wechat.ts';
import { sendNoticeAsArticle } from '../core/delivery/mass-send.ts';
import { queueHandler } from '../shared/queue.ts';
import { telemetry } from '../shared/telemetry.ts';
import { massSendDeps } from '../shared/wiring/mass-sends.ts';

const deps = massSendDeps();

export const handler = queueHandler({
  schema: MassSendJobSchema,
  retrying: 'mass send will be retried',
  record: async (job) =>
    telemetry.log('info', 'mass send', { ...job, result: await sendNoticeAsArticle(job, deps) }),
});
