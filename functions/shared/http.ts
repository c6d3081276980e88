/**
 * The HTTP middy chain, written once, and the router that puts a function's routes on it. One
 * chain per function: tracer → logger → metrics; then, per request, the route by API Gateway's
 * route key among the function's declared routes (schemas/routes.ts; an unknown key is a 404
 * problem), the role check of admin routes (before any input is parsed, so a caller without the
 * role learns nothing about the input rules), the body limit (the route's `maxBodyBytes`, else
 * the default: 413), a query parameter given twice (400: API Gateway would join the
 * values with a comma), zod validation of path, query and JSON body with the route's declared
 * schemas, and one error mapping to RFC 9457 problem+json.
 *
 *   export const handler = httpRouter('manage-notices', {
 *     'GET /v1/admin/notices/{id}': async ({ path, actor }) => ({ status: 200, body: … }),
 *     …
 *   });
 *
 * The table is typed against the function's route keys (a missing or extra key does not compile)
 * and each route's request (`path`, `query`, `body`, `actor`) against its declaration.
 *
 * Not @middy/http-router: the gateway has already matched method and path and hands over the route
 * key, so matching paths again would duplicate it, and a table keyed by the declared route keys is
 * what lets the compiler check that a function serves exactly its routes.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import {
  isJsonRoute,
  type JsonRoute,
  maxBodyBytesOf,
  ROUTES,
  type RouteDeclarations,
  type Routes,
} from '../../schemas/routes.ts';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../core/errors.ts';
import type { Actor } from '../core/vocabulary.ts';
import { authorize } from './auth.ts';
import { flushMetrics, logger, metrics, traceHandler } from './powertools.ts';
import { problemResponse, toProblem } from './problem.ts';

export interface HttpRequest<P = unknown, Q = unknown, B = unknown, A = Actor | undefined> {
  path: P;
  query: Q;
  body: B;
  event: APIGatewayProxyEventV2;
  context: Context;
  /** The caller of an admin route, already checked against its roles; undefined on public routes. */
  actor: A;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What the router parsed for one part of a route's request: its schema's output, or undefined. */
type Parsed<R, Part extends 'path' | 'query' | 'body'> = R extends {
  request: { [P in Part]: infer S extends z.ZodType };
}
  ? z.output<S>
  : undefined;

/** The request a route's handler receives, typed from its declaration. */
export type RouteRequest<R> = HttpRequest<
  Parsed<R, 'path'>,
  Parsed<R, 'query'>,
  Parsed<R, 'body'>,
  R extends { auth: 'admin-jwt' } ? Actor : undefined
>;

/** Method syntax: each handler is checked against its own route's request, and a table of them is one type. */
type RouteHandler<R> = { handle(req: RouteRequest<R>): Promise<HttpResult> }['handle'];
type AnyRouteHandler = { handle(req: HttpRequest): Promise<HttpResult> }['handle'];

/** The JSON routes of function F among declarations D. */
type RouteKeysOf<D, F> = { [K in keyof D]: D[K] extends JsonRoute & { function: F } ? K : never }[keyof D];
/** The functions that serve JSON routes (webhook functions parse their own requests). */
type JsonFunctionOf<D> = {
  [K in keyof D]: D[K] extends JsonRoute & { function: infer F } ? F : never;
}[keyof D];
/** One handler per route of function F: exactly its route keys. */
export type RouteHandlers<D, F> = { [K in RouteKeysOf<D, F>]: RouteHandler<D[K]> };

function parseOrThrow(schema: z.ZodType, value: unknown, where: string): unknown {
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

function bodyText(event: APIGatewayProxyEventV2, maxBytes: number): string | undefined {
  if (event.body === undefined || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text, 'utf8') > maxBytes)
    throw new PayloadTooLargeError(`The request body is larger than ${maxBytes} bytes.`);
  return text;
}

function readJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('The request body is not valid JSON.');
  }
}

/**
 * Every query parameter of the API is single-valued: one given twice (`?actor=a&actor=b`, which API
 * Gateway hands over as `a,b`) or a name that does not decode is refused, naming it.
 */
function refuseRepeatedParameters(rawQueryString: string | undefined): void {
  const seen = new Set<string>();
  for (const part of (rawQueryString ?? '').split('&')) {
    if (part === '') continue;
    let name: string;
    try {
      name = decodeURIComponent(part.split('=')[0]!.replaceAll('+', ' '));
    } catch {
      throw new ValidationError('The query string is not valid percent-encoding.', [
        { path: 'query', message: 'not valid percent-encoding' },
      ]);
    }
    if (seen.has(name))
      throw new ValidationError(`The query parameter '${name}' is given more than once.`, [
        { path: `query.${name}`, message: 'given more than once; give it once' },
      ]);
    seen.add(name);
  }
}

export function jsonResponse(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: result.status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...result.headers },
    ...(result.body === undefined ? {} : { body: JSON.stringify(result.body) }),
  };
}

/** The routed request: role check first, then path, query and body through the route's schemas. */
async function serve(
  route: JsonRoute,
  handle: AnyRouteHandler,
  event: APIGatewayProxyEventV2,
  context: Context,
) {
  const actor = route.auth === 'admin-jwt' ? authorize(event, route.roles) : undefined;
  const { path, query, body } = route.request ?? {};
  const text = bodyText(event, maxBodyBytesOf(route));
  refuseRepeatedParameters(event.rawQueryString);
  return handle({
    path: path && parseOrThrow(path, event.pathParameters ?? {}, 'path'),
    query: query && parseOrThrow(query, event.queryStringParameters ?? {}, 'query'),
    body: body && parseOrThrow(body, readJson(text), 'body'),
    event,
    context,
    actor,
  });
}

/** A router over a table of route declarations (the real one is `httpRouter`, over schemas/routes.ts). */
export function createHttpRouter<const D extends RouteDeclarations>(declarations: D) {
  return <F extends JsonFunctionOf<D>>(fn: F, handlers: RouteHandlers<D, F>) => {
    const table: Readonly<Record<string, AnyRouteHandler>> = handlers;
    const routes = new Map<string, { route: JsonRoute; handle: AnyRouteHandler }>();
    const missing: string[] = [];
    const webhooks: string[] = [];
    for (const [key, route] of Object.entries(declarations)) {
      if (route.function !== fn) continue;
      const handle = table[key];
      if (!isJsonRoute(route)) webhooks.push(key);
      else if (handle) routes.set(key, { route, handle });
      else missing.push(key);
    }
    const extra = Object.keys(table).filter((key) => !routes.has(key));
    // The types make these impossible; a table built around them fails at load, not per request.
    if (webhooks.length || routes.size === 0)
      throw new Error(`httpRouter('${fn}'): no JSON routes, or webhook routes too: [${webhooks}]`);
    if (missing.length || extra.length)
      throw new Error(`httpRouter('${fn}'): no handler for [${missing}]; not its routes: [${extra}]`);

    return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
      .use(traceHandler())
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(flushMetrics())
      .handler(async (event, context) => {
        metrics.addMetric('Requests', MetricUnit.Count, 1);
        try {
          const entry = routes.get(event.routeKey);
          if (!entry) throw new NotFoundError(`${event.routeKey} is not a route of ${fn}.`);
          return jsonResponse(await serve(entry.route, entry.handle, event, context));
        } catch (error) {
          const problem = toProblem(error, event.rawPath);
          metrics.addMetric(problem.status >= 500 ? 'ServerErrors' : 'ClientErrors', MetricUnit.Count, 1);
          if (problem.status >= 500)
            logger.error('unhandled error', { error: error instanceof Error ? error : String(error) });
          else logger.info('request rejected', { status: problem.status, type: problem.type });
          return problemResponse(problem);
        }
      });
  };
}

/** The router of the HTTP functions, typed against the route declarations. */
export const httpRouter = createHttpRouter<Routes>(ROUTES);
