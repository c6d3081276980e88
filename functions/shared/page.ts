/**
 * The chain of public HTML pages (GET /n/{id}), written once: tracer → logger with the Lambda context
 * → metrics flushed once → the page, answered with its security and cache headers (a strict
 * Content-Security-Policy, nosniff, no referrer, no framing; cacheable for a minute, an ETag, 304 for
 * a matching If-None-Match). An unexpected error is a short HTML 500 page, logged.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { flushMetrics, logger, traceHandler } from './powertools.ts';
import { errorMessage } from './telemetry.ts';

export interface Page {
  status: 200 | 403 | 404 | 410;
  html: string;
  /** Public pages only: what If-None-Match is compared with. */
  etag?: string;
}

export interface PageRequest {
  pathParameters: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  ifNoneMatch: string | undefined;
}

/** Cacheable for a minute (a withdrawal shows within it), a found page a little longer at the edge. */
const CACHE = {
  200: 'public, max-age=60, stale-while-revalidate=300',
  403: 'public, max-age=30',
  404: 'public, max-age=30',
  410: 'public, max-age=300',
} as const;

/**
 * `personal`: a page for one person (a driver notice's, a citizen's case): never stored by a browser
 * or a cache, no ETag, no 304.
 */
export function pageHandler(
  csp: string,
  fn: (req: PageRequest) => Promise<Page>,
  options: { personal?: boolean } = {},
) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(traceHandler())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(flushMetrics())
    .handler(async (event) => {
      const headers = {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': csp,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
      };
      try {
        const page = await fn({
          pathParameters: event.pathParameters ?? {},
          query: event.queryStringParameters ?? {},
          ifNoneMatch: event.headers?.['if-none-match'],
        });
        if (options.personal || !page.etag)
          return {
            statusCode: page.status,
            headers: { ...headers, 'cache-control': 'private, no-store' },
            body: page.html,
          };
        const cached = { ...headers, 'cache-control': CACHE[page.status], etag: page.etag };
        if (page.status === 200 && event.headers?.['if-none-match'] === page.etag)
          return { statusCode: 304, headers: cached };
        return { statusCode: page.status, headers: cached, body: page.html };
      } catch (error) {
        logger.error('page failed', { error: errorMessage(error) });
        return {
          statusCode: 500,
          headers: { ...headers, 'cache-control': 'no-store' },
          body: '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>暂时无法显示</title><p>页面暂时无法显示，请稍后再试。</p></html>',
        };
      }
    });
}
