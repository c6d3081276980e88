/**
 * The `desk-media` queue: a citizen's photo or voice message copied from WeChat's temporary media
 * into the attachments bucket, after type and size checks (functions/core/desk/media.ts).
 */
import { DeskMediaJobSchema } from '../../schemas/desk.ts';
import { DeskMediaSettingsSchema } from '../../schemas/settings.ts';
import { DynamoCaseStore } from '../adapters/dynamodb/cases.ts';
import { S3AttachmentStorage } from '../adapters/s3/attachments.ts';
import { WeChatApiError } from '../adapters/wechat/errors.ts';
import { RetryLater } from '../core/delivery/async-reply.ts';
import { keepMedia } from '../core/desk/media.ts';
import { documentClient } from '../shared/clients/dynamodb.ts';
import { s3Client } from '../shared/clients/s3.ts';
import { bucketName, settings, tableName } from '../shared/config.ts';
import { queueHandler } from '../shared/queue.ts';
import { telemetry } from '../shared/telemetry.ts';
import { accounts, wechatApi } from '../shared/wiring/wechat-api.ts';

const { api } = wechatApi();
const deps = {
  store: new DynamoCaseStore(documentClient, {
    desk: tableName('desk'),
    operations: tableName('operations'),
  }),
  storage: new S3AttachmentStorage(s3Client(), bucketName('desk-attachments')),
  account: (id: string) => accounts.get(id),
  download: async (account: Parameters<typeof api.media>[0], mediaId: string, max: number) => {
    try {
      return await api.media(account, mediaId, max);
    } catch (error) {
      if (error instanceof WeChatApiError && (error.action === 'retry' || error.action === 'token'))
        throw new RetryLater(error.message);
      if (error instanceof WeChatApiError) return { gone: `${error.errcode} ${error.message}` };
      throw error;
    }
  },
  limits: settings(DeskMediaSettingsSchema),
  log: (level: 'info' | 'warn', message: string, details?: Record<string, unknown>) =>
    telemetry.log(level, message, details),
  metric: (name: string, n?: number) => telemetry.metric(name, n),
};

export const handler = queueHandler({
  schema: DeskMediaJobSchema,
  retrying: 'attachment fetch will be retried',
  record: async (job) => void (await keepMedia(job, deps)),
});
