/**
 * The `desk-answers` queue: a case's acknowledgement, answer or satisfaction question to its citizen
 * on their channel, at most once (functions/core/desk/answers.ts): WeChat's customer-service window,
 * else the desk notice linking to the case page; SMS within the budget; the 12345 platform.
 */
import { DeskAnswerJobSchema } from '../../schemas/desk.ts';
import { deliverCaseMessage } from '../core/desk/answers.ts';
import { queueHandler } from '../shared/queue.ts';
import { deskAnswerDeps, withPageBase } from '../shared/wiring/desk-answers.ts';

const base = deskAnswerDeps();

export const handler = queueHandler({
  schema: DeskAnswerJobSchema,
  retrying: 'desk answer will be retried',
  record: async (job) => {
    await deliverCaseMessage(job, await withPageBase(base));
  },
});
