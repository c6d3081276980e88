/**
 * API Gateway HTTP API (payload 2.0), locally: a request becomes the same APIGatewayProxyEventV2 the
 * real gateway builds (raw path and query, lowercased headers joined by commas, cookies, base64 body
 * for binary content, path parameters, request context with the authorizer's JWT claims), and the
 * handler's result becomes the response by the gateway's rules. Gateway-level errors use the
 * gateway's bodies: 404 {"message":"Not Found"}, 401 Unauthorized, 413, 500, 503.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RouteDef } from '../../schemas/blueprint.ts';
import { FunctionTimeoutError } from './invoke.ts';

/** API Gateway's payload limit. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface CompiledRoute {
  route: RouteDef;
  routeKey: string;
  regex: RegExp;
  params: string[];
  /** Literal segments count first when several routes match, as API Gateway prefers the most specific. */
  specificity: number;
}

export function compileRoute(route: RouteDef): CompiledRoute {
  const params: string[] = [];
  const segments = route.path.split('/').filter(Boolean);
  let specificity = 0;
  const pattern = segments
    .map((seg) => {
      const greedy = /^\{(\w+)\+\}$/.exec(seg);
      if (greedy) {
        params.push(greedy[1]!);
        return '/(.+)';
      }
      const param = /^\{(\w+)\}$/.exec(seg);
      if (param) {
        params.push(param[1]!);
        specificity += 1;
        return '/([^/]+)';
      }
      specificity += 100;
      return `/${seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
    })
    .join('');
  return {
    route,
    routeKey: `${route.method} ${route.path}`,
    regex: new RegExp(`^${pattern || '/'}$`),
    params,
    specificity,
  };
}

export function matchRoute(
  routes: CompiledRoute[],
  method: string,
  path: string,
): { compiled: CompiledRoute; pathParameters: Record<string, string> } | undefined {
  const candidates = routes
    .filter((r) => r.route.method === method)
    .map((r) => ({ r, m: r.regex.exec(path) }))
    .filter((x): x is { r: CompiledRoute; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => b.r.specificity - a.r.specificity);
  const best = candidates[0];
  if (!best) return undefined;
  const pathParameters: Record<string, string> = {};
  best.r.params.forEach((name, i) => {
    const raw = best.m[i + 1] ?? '';
    try {
      pathParameters[name] = decodeURIComponent(raw);
    } catch {
      pathParameters[name] = raw;
    }
  });
  return { compiled: best.r, pathParameters };
}

const TEXT_TYPES =
  /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript|problem\+json|[\w.+-]+\+(json|xml)))/i;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer | 'too-large'> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolvePromise(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function toEvent(
  req: IncomingMessage,
  body: Buffer,
  compiled: CompiledRoute,
  pathParameters: Record<string, string>,
  claims: Record<string, string> | undefined,
  port: number,
): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies = [...(cookies ?? []), ...value.split(/;\s*/).filter(Boolean)];
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const now = new Date();
  const requestId = randomUUID();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: compiled.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: `127.0.0.1:${port}`,
      domainPrefix: '127',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: compiled.routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: !isText,
    ...(cookies ? { cookies } : {}),
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
  };
  if (claims) {
    (event.requestContext as unknown as Record<string, unknown>).authorizer = {
      jwt: { claims, scopes: claims.scope ? claims.scope.split(' ') : null },
    };
  }
  return event;
}

export function sendGatewayError(
  res: ServerResponse,
  status: number,
  message: string,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...extra });
  res.end(JSON.stringify({ message }));
}

/** Writes a Lambda result as API Gateway would (payload 2.0 response rules). */
export function writeResult(res: ServerResponse, result: unknown): void {
  const structured =
    result !== null && typeof result === 'object' && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: typeof result === 'string' ? result : JSON.stringify(result ?? null),
        };
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(structured.headers ?? {})) headers[k.toLowerCase()] = String(v);
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const body =
    structured.body === undefined
      ? Buffer.alloc(0)
      : structured.isBase64Encoded
        ? Buffer.from(structured.body, 'base64')
        : Buffer.from(structured.body, 'utf8');
  res.writeHead(structured.statusCode ?? 200, headers);
  res.end(body);
}

/** Maps an invocation failure to the gateway's answer. */
export function writeInvocationError(res: ServerResponse, error: unknown): void {
  if (error instanceof FunctionTimeoutError) sendGatewayError(res, 503, 'Service Unavailable');
  else sendGatewayError(res, 500, 'Internal Server Error');
}
