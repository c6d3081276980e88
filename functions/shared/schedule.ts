/**
 * The chain of functions EventBridge Scheduler invokes, written once: tracer → logger with the
 * Lambda context → the schedule's input validated with its zod schema → metrics flushed once. An
 * input that does not parse is logged and rejected (Scheduler retries, then dead-letters it).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { flushMetrics, logger, traceHandler } from './powertools.ts';

export function scheduleHandler<S extends z.ZodType, R>(
  schema: S,
  fn: (input: z.output<S>, context: Context) => Promise<R>,
) {
  return middy<unknown, R>()
    .use(traceHandler())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(flushMetrics())
    .handler(async (event, context) => {
      const parsed = schema.safeParse(event ?? {});
      if (!parsed.success) {
        logger.error('schedule input refused', {
          issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        });
        throw new Error('schedule input refused');
      }
      return fn(parsed.data, context);
    });
}
