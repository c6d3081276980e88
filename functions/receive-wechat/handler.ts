/**
 * GET  /webhooks/wechat/{account} — URL verification (echostr verbatim, text/plain)
 * POST /webhooks/wechat/{account} — messages and events; see functions/adapters/wechat/webhook.ts
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoDeliveryOutcomes } from '../adapters/dynamodb/delivery-outcomes.ts';
import { publish } from '../adapters/sns/publisher.ts';
import { receive, verifyUrl, type WebhookDeps } from '../adapters/wechat/webhook.ts';
import { clock } from '../shared/clock.ts';
import { tableName, topicArn } from '../shared/config.ts';
import { converseFor, inboundLog } from '../shared/conversation.ts';
import { logger, metrics, tracer } from '../shared/powertools.ts';
import { pushStats } from '../shared/pushes.ts';
import { accounts, subscribers } from '../shared/wechat.ts';

const repliesTopic = topicArn('wechat-replies');
const outcomes = new DynamoDeliveryOutcomes(documentClient, tableName('operations'));
const stats = pushStats();
const deps: WebhookDeps = {
  accounts,
  inbound: inboundLog,
  converse: async (account, ref, inbound) => {
    const reply = await converseFor(account, ref, inbound);
    if (inbound.kind === 'unfollow') await stats.attributeUnfollow('wechat', ref.id, clock.now(), 'unfollow');
    return reply;
  },
  templateJobFinished: async (account, ref, msgId, status) => {
    await outcomes.record(account.appId, msgId, ref.id, status, new Date().toISOString());
    if (status === 'failed:user block') await stats.attributeUnfollow('wechat', ref.id, clock.now(), 'block');
    if (status === 'failed:user block') await subscribers.setStatus(ref, 'blocked', new Date().toISOString());
  },
  enqueueAsyncReply: (job) => publish(repliesTopic, job),
  now: Date.now,
  maxSkewSeconds: Number(process.env.WECHAT_MAX_SKEW_S ?? 300),
  budgetMs: 3500,
  retryWaitMs: 1000,
  log: (message, details) => logger.warn(message, details),
  // Published at once: most requests count nothing, so no end-of-invocation flush (and no
  // "No application metrics to publish" warning on each of them).
  metric: (name, value) => {
    metrics.addMetric(name, MetricUnit.Count, value);
    metrics.publishStoredMetrics();
  },
};

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const request = {
      accountId: event.pathParameters?.account ?? '',
      query: event.queryStringParameters ?? {},
      rawQueryString: event.rawQueryString,
      body: event.body
        ? event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body
        : '',
      startedAt: Date.now(),
    };
    const res =
      event.requestContext.http.method === 'GET'
        ? await verifyUrl(request, deps)
        : await receive(request, deps);
    return { statusCode: res.status, headers: { 'content-type': res.contentType }, body: res.body };
  });
