/**
 * The SQS chain, written once: tracer → logger with the Lambda context → the records through
 * Powertools batch processing (partial batch responses: only the records that failed come back) →
 * metrics flushed once. Each record's body is JSON validated with the queue's zod schema; a record
 * that fails (bad body, or its work threw) is logged and retried by SQS, then dead-lettered.
 *
 * `begin` builds what the records of one invocation share (e.g. the delivery loop's run statuses and
 * counts); `end` runs once after them, whatever happened, to write what they gathered. Each record
 * is told its attempt: how often the queue has delivered it, and whether this is its last delivery
 * before the dead-letter queue (the builders give each queue's consumer QUEUE_MAX_RECEIVES).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import { envNames } from '../../schemas/resource-env.ts';
import { env, isLocal } from './config.ts';
import { flushMetrics, logger, traceHandler } from './powertools.ts';
import { errorMessage } from './telemetry.ts';

/** Which delivery of its message a record is. */
export interface Attempt {
  receiveCount: number;
  /** The queue will not deliver it again (the next failure dead-letters it). */
  lastAttempt: boolean;
}

export interface QueueHandler<T, S> {
  schema: z.ZodType<T>;
  begin?: () => S | Promise<S>;
  record: (body: T, state: S, attempt: Attempt, record: SQSRecord) => Promise<void>;
  end?: (state: S) => Promise<void>;
  /** What a failed record's log line says will happen. */
  retrying?: string;
}

export function queueHandler<T, S = undefined>(h: QueueHandler<T, S>) {
  const maxReceives = Number(env()[envNames.queueMaxReceives]) || Number.POSITIVE_INFINITY;
  return middy<SQSEvent, SQSBatchResponse>()
    .use(traceHandler())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(flushMetrics())
    .handler(async (event, context) => {
      const state = (await h.begin?.()) as S;
      const processor = new BatchProcessor(EventType.SQS);
      const errors: Record<string, string> = {};
      const recordHandler = async (record: SQSRecord) => {
        try {
          const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
          const attempt = { receiveCount, lastAttempt: receiveCount >= maxReceives };
          await h.record(h.schema.parse(JSON.parse(record.body)), state, attempt, record);
        } catch (error) {
          errors[record.messageId] = errorMessage(error);
          logger.warn(h.retrying ?? 'record will be retried', {
            messageId: record.messageId,
            receiveCount: Number(record.attributes.ApproximateReceiveCount),
            error: errorMessage(error),
          });
          throw error;
        }
      };
      try {
        // One record after another: a bundle's sends are paced, and its outcomes counted, in turn.
        const response = await processPartialResponse(event, recordHandler, processor, {
          context,
          processInParallel: false,
          throwOnFullBatchFailure: false,
        });
        // Locally, why each record failed travels with the answer, so the local queue's dead letters
        // keep it (on AWS it is in the log line above, by messageId; Lambda reads only batchItemFailures).
        return isLocal() && response.batchItemFailures.length ? { ...response, errors } : response;
      } finally {
        await h.end?.(state);
      }
    });
}
