/** The SQS and schedule chains with event fixtures: partial batch responses, validation, state per invocation. */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { queueHandler } from '../../../functions/shared/queue.ts';
import { scheduleHandler } from '../../../functions/shared/schedule.ts';
import { lambdaContext } from '../../fixtures/api-gateway.ts';

const record = (messageId: string, body: string, receiveCount = 1): SQSRecord => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body,
  attributes: {
    ApproximateReceiveCount: String(receiveCount),
    SentTimestamp: '0',
    SenderId: 'local',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
  awsRegion: 'us-east-1',
});
const event = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

describe('queueHandler', () => {
  const Body = z.strictObject({ n: z.number().int() });

  it('answers only the records that failed, whether their body was invalid or their work threw', async () => {
    const done: number[] = [];
    const handler = queueHandler({
      schema: Body,
      record: async ({ n }) => {
        if (n === 13) throw new Error('unlucky');
        done.push(n);
      },
    });
    const res = await handler(
      event(
        record('a', '{"n":1}'),
        record('b', 'not json'),
        record('c', '{"n":13}'),
        record('d', '{"n":2,"x":1}'),
        record('e', '{"n":3}'),
      ),
      lambdaContext,
    );
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['b', 'c', 'd']);
    expect(done).toEqual([1, 3]);
  });

  it('shares one state across the records of an invocation, in order, and ends it once even after failures', async () => {
    const log: string[] = [];
    const handler = queueHandler({
      schema: Body,
      begin: () => ({ seen: [] as number[] }),
      record: async ({ n }, state) => {
        state.seen.push(n);
        if (n === 2) throw new Error('retry me');
      },
      end: async (state) => void log.push(state.seen.join(',')),
    });
    const res = await handler(
      event(record('a', '{"n":1}'), record('b', '{"n":2}'), record('c', '{"n":3}')),
      lambdaContext,
    );
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'b' }]);
    expect(log).toEqual(['1,2,3']);
    // A whole batch failing is still a partial response (every record back), not a thrown error.
    const all = await handler(event(record('x', '{"n":2}')), lambdaContext);
    expect(all.batchItemFailures).toEqual([{ itemIdentifier: 'x' }]);
  });
});

describe('scheduleHandler', () => {
  it('passes the validated input and refuses one that does not parse', async () => {
    const handler = scheduleHandler(z.strictObject({ city: z.enum(['beijing']) }), async (input) => ({
      got: input.city,
    }));
    expect(await handler({ city: 'beijing' }, lambdaContext)).toEqual({ got: 'beijing' });
    await expect(handler({ city: 'shanghai' }, lambdaContext)).rejects.toThrow(/schedule input refused/);
  });
});
