/**
 * Announcements of published notices (`notice-pushes` queue, `{ noticeId, version }`): plans the
 * notice push run (see functions/core/notice-planning.ts). Idempotent per notice version, so an
 * announcement delivered twice, or re-sent by the publisher's sweep, plans once.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { NoticePushMessageSchema } from '../../schemas/notices.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoNoticeStore } from '../adapters/dynamodb/notices.ts';
import { publishAll } from '../adapters/sns/publisher.ts';
import { accountDirectory } from '../adapters/wechat/accounts.ts';
import { planNoticePush } from '../core/notices/planning.ts';
import { clock } from '../shared/clock.ts';
import { tableName, topicArn } from '../shared/config.ts';
import { logger } from '../shared/powertools.ts';
import { pushRuns } from '../shared/pushes.ts';

const config = z
  .object({
    /** Channels with a deliver queue in this deployment. */
    PUSH_CHANNELS: z
      .string()
      .default('wechat')
      .transform((s) => new Set(z.array(z.enum(['wechat', 'sms'])).parse(s.split(',').filter(Boolean)))),
    NOTICE_SCAN_SEGMENTS: z.coerce.number().int().min(1).max(64).default(8),
  })
  .parse(process.env);

const store = new DynamoNoticeStore(documentClient, {
  content: tableName('content'),
  operations: tableName('operations'),
});
const segmentsTopic = topicArn('push-segments');
const accounts = accountDirectory();

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const msg = NoticePushMessageSchema.parse(JSON.parse(record.body));
      const run = await planNoticePush(msg, {
        clock,
        notice: (id) => store.get(id),
        accounts: () => accounts.all(),
        delivered: config.PUSH_CHANNELS,
        scanSegments: config.NOTICE_SCAN_SEGMENTS,
        runs: pushRuns,
        publishSegments: async (segments) => {
          await publishAll(
            segmentsTopic,
            segments.map((s) => ({ body: s })),
          );
        },
      });
      logger.info('notice push planned', { ...run });
    } catch (error) {
      logger.warn('notice push planning will be retried', {
        messageId: record.messageId,
        error: (error as Error).message,
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
