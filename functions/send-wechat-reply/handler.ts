/**
 * Delivers replies the webhook could not give within WeChat's 5 s through the customer-service
 * API, at most once per message: the stored reply of the first attempt when it finished, otherwise
 * (after it had its chance) a note asking the citizen to send it again.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { WeChatApi, WeChatApiError } from '../adapters/wechat/api.ts';
import { DynamoTokenStore, StableTokenManager } from '../adapters/wechat/tokens.ts';
import { cdata, field, parseWeChatXml } from '../adapters/wechat/xml.ts';
import { maskId } from '../core/privacy.ts';
import { tableName } from '../shared/config.ts';
import { inboundLog } from '../shared/conversation.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { accounts, subscribers, wechatApiBase } from '../shared/wechat.ts';

const JobSchema = z.object({
  accountId: z.string(),
  openid: z.string(),
  dedupeKey: z.string(),
  inbound: z.union([
    z.object({ kind: z.literal('text'), text: z.string() }),
    z.object({ kind: z.literal('click'), key: z.string() }),
    z.object({ kind: z.literal('follow'), scene: z.string().nullable() }),
    z.object({ kind: z.literal('unfollow') }),
  ]),
});

const tokens = new StableTokenManager({
  baseUrl: wechatApiBase,
  store: new DynamoTokenStore(documentClient, tableName('operations')),
});
const api = new WeChatApi({ baseUrl: wechatApiBase, tokens });
/** Receives the first attempt gets to finish on its own before we answer in its place. */
const PATIENCE_RECEIVES = 3;

async function deliver(record: SQSRecord): Promise<void> {
  const job = JobSchema.parse(JSON.parse(record.body));
  const account = await accounts.get(job.accountId);
  if (!account) throw new Error(`unknown account ${job.accountId}`);
  let state = await inboundLog.get(job.dedupeKey);
  if (state?.state !== 'done') {
    if (Number(record.attributes.ApproximateReceiveCount) < PATIENCE_RECEIVES)
      throw new Error('first attempt still running');
    // The first attempt never finished. Re-running the citizen's request here could apply it out of
    // order with their later messages, so we say so instead and let them send it again.
    await inboundLog.complete(job.dedupeKey, `<xml><Content>${cdata(NOT_COMPLETED)}</Content></xml>`);
    state = await inboundLog.get(job.dedupeKey);
  }
  if (!state?.reply) return;
  const content = field(parseWeChatXml(state.reply), 'Content');
  if (!content) return;
  const ref = { channel: 'wechat' as const, id: job.openid };
  // The customer-service window: 48 h after the citizen's last message (2023 rules).
  const lastInbound = Date.parse((await subscribers.get(ref))?.lastInboundAt ?? '') || 0;
  if (Date.now() - lastInbound > CS_WINDOW_MS) {
    logger.info('async reply dropped: customer-service window closed', { openid: maskId(job.openid) });
    return;
  }
  await tokens.get(account); // a token problem fails here, before the send is claimed
  if (!(await inboundLog.claimAsyncSend(job.dedupeKey))) return;
  try {
    await api.sendText(account, job.openid, content);
    metrics.addMetric('WeChatAsyncRepliesSent', MetricUnit.Count, 1);
  } catch (error) {
    if (!(error instanceof WeChatApiError)) throw error;
    if (error.action === 'retry' || error.action === 'token') {
      await inboundLog.releaseAsyncSend(job.dedupeKey); // not sent: a later receive may try again
      throw error;
    }
    logger.warn('async reply not delivered', {
      openid: maskId(job.openid),
      errcode: error.errcode,
      action: error.action,
    });
    // 40164 (IP whitelist), 45009 (daily quota), 40037 (template), …: alarmed.
    if (error.action === 'abort') metrics.addMetric('WeChatConfigErrors', MetricUnit.Count, 1);
    const now = new Date().toISOString();
    if (error.subscriberStatus === 'unfollowed') await subscribers.unfollow(ref, now);
    else if (error.subscriberStatus) await subscribers.setStatus(ref, error.subscriberStatus, now);
  }
}

const NOT_COMPLETED = '抱歉，系统繁忙，您刚才的消息可能没有处理完成，请稍后重新发送。';
const CS_WINDOW_MS = 48 * 3600 * 1000;

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  try {
    return await deliverAll(event);
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};

async function deliverAll(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await deliver(record);
    } catch (error) {
      logger.info('async reply will be retried', {
        messageId: record.messageId,
        reason: (error as Error).message,
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
