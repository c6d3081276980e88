/**
 * The chain of the provider webhooks (WeChat, the SMS gateways), written once: tracer → logger with
 * the Lambda context → metrics flushed once → the request with its raw body decoded once (the
 * handler verifies signatures over it before parsing anything) → the adapter's answer as the
 * provider expects it (XML or text for WeChat, JSON for the gateways). An unexpected error is logged
 * and answered 500, so the provider retries.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { protocolNow } from './clock.ts';
import { flushMetrics, logger, traceHandler } from './powertools.ts';
import { errorMessage } from './telemetry.ts';

export interface RawRequest {
  method: string;
  path: string;
  pathParameters: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  rawQueryString: string;
  headers: Record<string, string | undefined>;
  sourceIp: string;
  /** The body as text, base64 decoded when API Gateway encoded it. */
  body: string;
  /** When the request arrived (epoch ms), for the provider's answer deadline. */
  receivedAt: number;
}

export interface RawResponse {
  status: number;
  contentType: string;
  body: string;
}

export function rawRequest(event: APIGatewayProxyEventV2, receivedAt: number): RawRequest {
  const body = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    pathParameters: event.pathParameters ?? {},
    query: event.queryStringParameters ?? {},
    rawQueryString: event.rawQueryString,
    headers: event.headers ?? {},
    sourceIp: event.requestContext.http.sourceIp,
    body,
    receivedAt,
  };
}

export function webhookHandler(fn: (req: RawRequest) => Promise<RawResponse>) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(traceHandler())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(flushMetrics())
    .handler(async (event) => {
      try {
        const res = await fn(rawRequest(event, protocolNow()));
        return { statusCode: res.status, headers: { 'content-type': res.contentType }, body: res.body };
      } catch (error) {
        logger.error('webhook failed; the provider will retry', { error: errorMessage(error) });
        return { statusCode: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'error' };
      }
    });
}
