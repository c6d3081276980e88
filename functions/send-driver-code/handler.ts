/**
 * The `driver-codes` queue: the SMS of a code that proves a plate or licence, handed on by the
 * webhook (functions/core/drivers/code-sends.ts sendCodeJob): sent through the SMS delivery path at
 * most once by its push key, or withdrawn and the follower told why in WeChat.
 */
import { DriverCodeJobSchema } from '../../schemas/drivers.ts';
import { sendCodeJob } from '../core/drivers/code-sends.ts';
import { queueHandler } from '../shared/queue.ts';
import { codeJobDeps } from '../shared/wiring/driver-code-sends.ts';

export const handler = queueHandler({
  schema: DriverCodeJobSchema,
  retrying: 'driver code SMS will be retried',
  record: async (job) => void (await sendCodeJob(job, codeJobDeps)),
});
