/**
 * The HTTP middy chain, written once: tracer → logger → metrics, the role check of admin routes
 * (before any input is parsed, so a caller without the role learns nothing about the input rules),
 * zod validation of path, query and JSON body, and one error mapping to RFC 9457 problem+json. A
 * handler built with `httpHandler` receives typed, validated input (and, on admin routes, the
 * authorized actor) and returns `{ status, body, headers? }`.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { PayloadTooLargeError, ValidationError } from '../core/errors.ts';
import type { Actor } from '../core/vocabulary.ts';
import { authorize, hasJwt } from './auth.ts';
import { logger, metrics, tracer } from './powertools.ts';
import { problemResponse, toProblem } from './problem.ts';

export interface HttpRequest<P, Q, B> {
  path: P;
  query: Q;
  body: B;
  event: APIGatewayProxyEventV2;
  context: Context;
  /** The caller of an admin route, already checked against the role matrix; undefined on public routes. */
  actor: Actor | undefined;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Schemas<P, Q, B> {
  path?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Larger JSON bodies are refused with 413 before parsing. */
  maxBodyBytes?: number;
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    path: [where, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
  throw new ValidationError(
    `Invalid ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues,
  );
}

function readJsonBody(event: APIGatewayProxyEventV2, maxBytes: number | undefined): unknown {
  if (event.body === undefined || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (maxBytes !== undefined && Buffer.byteLength(text, 'utf8') > maxBytes)
    throw new PayloadTooLargeError(`The request body is larger than ${maxBytes} bytes.`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('The request body is not valid JSON.');
  }
}

export function jsonResponse(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: result.status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...result.headers },
    ...(result.body === undefined ? {} : { body: JSON.stringify(result.body) }),
  };
}

export function httpHandler<P = unknown, Q = unknown, B = unknown>(
  schemas: Schemas<P, Q, B>,
  fn: (req: HttpRequest<P, Q, B>) => Promise<HttpResult>,
) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(async (event, context) => {
      metrics.addMetric('Requests', MetricUnit.Count, 1);
      try {
        // Admin routes (the gateway verified a JWT): the role matrix decides, before any parsing.
        const actor = hasJwt(event) ? authorize(event) : undefined;
        const path = schemas.path
          ? parseOrThrow(schemas.path, event.pathParameters ?? {}, 'path')
          : (undefined as P);
        const query = schemas.query
          ? parseOrThrow(schemas.query, event.queryStringParameters ?? {}, 'query')
          : (undefined as Q);
        const body = schemas.body
          ? parseOrThrow(schemas.body, readJsonBody(event, schemas.maxBodyBytes), 'body')
          : (undefined as B);
        return jsonResponse(await fn({ path, query, body, event, context, actor }));
      } catch (error) {
        const problem = toProblem(error, event.rawPath);
        metrics.addMetric(problem.status >= 500 ? 'ServerErrors' : 'ClientErrors', MetricUnit.Count, 1);
        if (problem.status >= 500) logger.error('unhandled error', { error: error as Error });
        else logger.info('request rejected', { status: problem.status, type: problem.type });
        return problemResponse(problem);
      }
    });
}
