/**
 * The `wechat-replies` queue, sent through the customer-service API at most once and only within the
 * follower's window: replies the webhook could not give within WeChat's 5 s
 * (functions/core/delivery/async-reply.ts) and notes about a follower's own request that another
 * channel completed (follower-notes.ts).
 */
import { WeChatReplyJobSchema } from '../../schemas/wechat.ts';
import { DynamoInboundLog } from '../adapters/dynamodb/inbound-log.ts';
import { WeChatMessageSender } from '../adapters/wechat/messages.ts';
import { InboundNoteClaims, InboundPendingReplies } from '../adapters/wechat/pending-replies.ts';
import { sendAsyncReply } from '../core/delivery/async-reply.ts';
import { sendFollowerNote } from '../core/delivery/follower-notes.ts';
import { documentClient } from '../shared/clients/dynamodb.ts';
import { clock } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { queueHandler } from '../shared/queue.ts';
import { telemetry } from '../shared/telemetry.ts';
import { accounts, customerService, subscribers, wechatApi } from '../shared/wiring/wechat.ts';

const { api, tokens } = wechatApi();
const inbound = new DynamoInboundLog(documentClient, tableName('inbound'));
const deps = {
  account: (id: string) => accounts.get(id),
  replies: new InboundPendingReplies(inbound),
  notes: new InboundNoteClaims(inbound, () => clock.now().getTime()),
  subscribers,
  customerService: customerService(new WeChatMessageSender(api)),
  ensureToken: async (account: Parameters<typeof tokens.get>[0]) => void (await tokens.get(account)),
  clock,
  telemetry,
};

export const handler = queueHandler({
  schema: WeChatReplyJobSchema,
  retrying: 'customer-service message will be retried',
  record: async (job, _, attempt) => {
    if ('kind' in job) await sendFollowerNote(job, deps);
    else await sendAsyncReply(job, attempt.receiveCount, deps);
  },
});
