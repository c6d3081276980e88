/**
 * The `wechat-replies` queue: replies the webhook could not give within WeChat's 5 s, sent through
 * the customer-service API at most once (functions/core/delivery/async-reply.ts).
 */
import { AsyncReplyJobSchema } from '../../schemas/wechat.ts';
import { DynamoInboundLog } from '../adapters/dynamodb/inbound-log.ts';
import { WeChatMessageSender } from '../adapters/wechat/messages.ts';
import { InboundPendingReplies } from '../adapters/wechat/pending-replies.ts';
import { sendAsyncReply } from '../core/delivery/async-reply.ts';
import { documentClient } from '../shared/aws-clients.ts';
import { clock } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { queueHandler } from '../shared/queue.ts';
import { telemetry } from '../shared/telemetry.ts';
import { accounts, subscribers, wechatApi } from '../shared/wiring/wechat.ts';

const { api, tokens } = wechatApi();
const deps = {
  account: (id: string) => accounts.get(id),
  replies: new InboundPendingReplies(new DynamoInboundLog(documentClient, tableName('inbound'))),
  subscribers,
  wechat: new WeChatMessageSender(api),
  ensureToken: async (account: Parameters<typeof tokens.get>[0]) => void (await tokens.get(account)),
  clock,
  telemetry,
};

export const handler = queueHandler({
  schema: AsyncReplyJobSchema,
  retrying: 'async reply will be retried',
  record: async (job, _, attempt) => {
    await sendAsyncReply(job, attempt.receiveCount, deps);
  },
});
