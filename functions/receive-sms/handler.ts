/**
 * POST /webhooks/sms/tencent/replies, /webhooks/sms/aliyun/replies — citizens' replies (TD, BD, 限行)
 * POST /webhooks/sms/{provider}/receipts — delivery receipts, matched to the delivery record by the
 * gateway's message id (unknown ids are counted and ignored). See functions/adapters/sms/webhook.ts.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import keywordData from '../../schemas/data/keywords.json' with { type: 'json' };
import { KeywordRepliesSchema } from '../../schemas/wechat.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoInboundLog } from '../adapters/dynamodb/inbound-log.ts';
import { DynamoNoticeFeed } from '../adapters/dynamodb/notice-feed.ts';
import {
  DynamoSmsBudget,
  DynamoSmsContacts,
  DynamoSmsMessages,
  DynamoSmsNumberCap,
} from '../adapters/dynamodb/sms.ts';
import { DynamoSubscriberRepository } from '../adapters/dynamodb/subscribers.ts';
import { receiveSmsCallback } from '../adapters/sms/webhook.ts';
import { reminderCitiesFrom } from '../core/conversation/reminder-cities.ts';
import { bookOf } from '../core/restrictions/engine.ts';
import { phoneId } from '../core/sms/numbers.ts';
import { clock } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { logger, metrics, tracer } from '../shared/powertools.ts';
import { restrictionData } from '../shared/restriction-data.ts';
import { catalogue, settings, smsLog, smsMetric, smsRuntime } from '../shared/sms.ts';
import { fallbackLinks } from '../shared/sms-fallback.ts';
import { handleSmsReply } from './reply.ts';

const stores = {
  inbound: new DynamoInboundLog(documentClient, tableName('inbound')),
  subscribers: new DynamoSubscriberRepository(documentClient, tableName('subscribers')),
  contacts: new DynamoSmsContacts(documentClient, tableName('subscribers')),
  numberCap: new DynamoSmsNumberCap(documentClient, tableName('ledger')),
  budget: new DynamoSmsBudget(documentClient, tableName('operations')),
  messages: new DynamoSmsMessages(documentClient, tableName('operations')),
  notices: new DynamoNoticeFeed(documentClient, tableName('content')),
};
const keywords = KeywordRepliesSchema.parse(keywordData);
const reminderCities = reminderCitiesFrom(process.env.SERVED_CITIES);

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    const runtime = await smsRuntime();
    const path = event.rawPath.split('/');
    const result = await receiveSmsCallback(
      {
        provider: event.pathParameters?.provider ?? path[3] ?? '',
        kind: path[4] === 'receipts' ? 'receipts' : 'replies',
        query: event.queryStringParameters ?? {},
        headers: event.headers ?? {},
        sourceIp: event.requestContext.http.sourceIp,
        body: event.body
          ? event.isBase64Encoded
            ? Buffer.from(event.body, 'base64').toString('utf8')
            : event.body
          : '',
      },
      {
        secret: async (provider) => runtime.secret.callbackSecrets[provider],
        auth: settings.callbackAuth,
        allowedIps: settings.allowedIps,
        inbound: stores.inbound,
        numberKey: (raw) => phoneId(runtime.secret.pepper, raw),
        now: Date.now,
        log: (message, details) => logger.warn(message, details),
        receipt: (r) => stores.messages.receipt(r.provider, r.messageId, r.delivered, r.code, r.reportedAt),
        reply: (r) =>
          handleSmsReply(r, {
            ...stores,
            gateway: runtime.gateway,
            vault: runtime.vault,
            pepper: runtime.secret.pepper,
            catalogue,
            clock,
            settings,
            log: smsLog,
            metric: smsMetric,
            fallbackLinks,
            conversation: {
              subscribers: stores.subscribers,
              restrictions: async () => bookOf(await restrictionData.load()),
              notices: stores.notices,
              clock,
              keywords,
              account: { id: 'sms', defaultCity: settings.defaultCity },
              reminderCities,
            },
          }),
      },
    );
    if (result.counts.unknownReceipts) smsMetric('SmsReceiptsUnknown', result.counts.unknownReceipts);
    if (result.counts.duplicates) smsMetric('SmsCallbackDuplicates', result.counts.duplicates);
    return {
      statusCode: result.status,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(result.body),
    };
  });
