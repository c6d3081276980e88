/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route declarations
 * (schemas/routes.ts): the request schemas are the very objects the router validates with, so the
 * document cannot drift from what the API accepts. Served at /openapi.json.
 *
 * JSON routes answer errors as RFC 9457 problem+json. Their error statuses are the use case's
 * (declared) plus the router's own: 400 (invalid input, a repeated query parameter), 401 and 403 on
 * admin routes, 413 over the route's body limit. Webhooks are documented as what they are: provider-signed XML
 * or JSON the handler authenticates and parses itself, with the answers each provider expects; pages
 * as the HTML they answer.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ProblemSchema } from './api.ts';
import {
  declaredRoutes,
  isJsonRoute,
  type JsonRoute,
  type PageRoute,
  type RouteDeclaration,
  splitRouteKey,
  type WebhookContent,
  type WebhookRoute,
} from './routes.ts';
import { queryInts } from './text.ts';

/**
 * Definitions a recursive schema needs (the menu's buttons hold buttons), moved from each schema's
 * local `$defs` (whose refs would not resolve once the schema sits deep in the document) to
 * components.schemas under a name derived from their content.
 */
const hoisted = new Map<string, unknown>();

function rewriteRefs(value: unknown, names: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, names));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) =>
      k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')
        ? [k, `#/components/schemas/${names[v.slice('#/$defs/'.length)]}`]
        : [k, rewriteRefs(v, names)],
    ),
  );
}

/** JSON Schema (draft 2020-12, which OpenAPI 3.1 uses) without the per-schema `$schema` marker. */
function json(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const {
    $schema: _,
    $defs,
    ...rest
  } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const bounds = queryInts.get(zodSchema as unknown as z.ZodType);
      if (!bounds) return;
      for (const k of Object.keys(jsonSchema)) delete jsonSchema[k];
      Object.assign(jsonSchema, { type: 'integer', minimum: bounds.min, maximum: bounds.max });
    },
  }) as Record<string, unknown> & {
    $defs?: Record<string, unknown>;
  };
  if (!$defs) return rest;
  const names = Object.fromEntries(
    Object.entries($defs).map(([id, def]) => [
      id,
      `Schema${createHash('sha256').update(JSON.stringify(def)).digest('hex').slice(0, 10)}`,
    ]),
  );
  for (const [id, def] of Object.entries($defs)) hoisted.set(names[id]!, rewriteRefs(def, names));
  return rewriteRefs(rest, names) as Record<string, unknown>;
}
const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input (the problem names each field)',
  401: 'Missing, expired or invalid token',
  403: 'The token lacks the role this needs',
  404: 'Unknown city, rule or suspension',
  409: 'Conflicts with the current state (the problem lists the allowed moves)',
  413: 'The request body is too large',
};

/** How each kind of route authenticates its caller (components.securitySchemes). */
const SECURITY: Record<RouteDeclaration['auth'], Array<Record<string, []>>> = {
  public: [],
  'admin-jwt': [{ adminJwt: [] }],
  'wechat-signature': [{ wechatSignature: [] }],
  'sms-signature': [{ smsCallbackToken: [] }, { smsCallbackSignature: [] }],
  /** Two machine-to-machine callers sign with HMAC, each its own way: see HMAC_SCHEME. */
  hmac: [{ integrationSignature: [] }],
};

/** The security scheme of each `hmac` route, by its function (the default: the integrations'). */
const HMAC_SCHEME: Record<string, string> = {
  'ingest-driver-events': 'integrationSignature',
  'receive-12345': 'platformSignature',
};

function parameters(where: 'path' | 'query', schema: z.ZodType | undefined) {
  if (!schema) return [];
  const props = json(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(props.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (props.required ?? []).includes(name),
    schema: s,
  }));
}

/** The statuses a JSON route may answer with a problem: its use case's and the router's own. */
export function errorStatuses(route: JsonRoute): number[] {
  const statuses = new Set<number>(route.errors);
  // A repeated query parameter is a 400 on every route; every route has a body limit.
  statuses.add(400).add(413);
  if (route.auth === 'admin-jwt') statuses.add(401).add(403);
  return [...statuses].sort((a, b) => a - b);
}

function jsonOperation(route: JsonRoute) {
  const { path, query, body } = route.request ?? {};
  return {
    parameters: [...parameters('path', path), ...parameters('query', query)],
    ...(body
      ? {
          requestBody: {
            // A body schema that accepts no body at all (an optional or defaulted one) is not required.
            required: !body.safeParse(undefined).success,
            content: { 'application/json': { schema: json(body, 'input') } },
          },
        }
      : {}),
    responses: {
      [route.response.status]: {
        description: route.response.description,
        content: { 'application/json': { schema: json(route.response.schema, 'output') } },
      },
      ...Object.fromEntries(
        errorStatuses(route).map((s) => [
          s,
          {
            description: ERROR_TEXT[s],
            content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
          },
        ]),
      ),
    },
  };
}

const content = (c: WebhookContent, io: 'input' | 'output') =>
  Object.fromEntries(
    c.contentTypes.map((t) => [t, { schema: c.schema ? json(c.schema, io) : { type: 'string' } }]),
  );

/** Webhooks and pages: what they carry, as declared (not problem+json). */
function webhookOperation(route: WebhookRoute | PageRoute) {
  return {
    parameters: route.parameters.map((p) => ({ ...p, schema: { type: 'string' } })),
    ...('body' in route && route.body
      ? {
          requestBody: {
            required: true,
            description: route.body.description,
            content: content(route.body, 'input'),
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(route.responses).map(([status, r]) => [
        status,
        { description: r.description, content: content(r, 'output') },
      ]),
    ),
  };
}

export function openApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { key, route } of declaredRoutes) {
    const { method, path } = splitRouteKey(key);
    const security =
      route.auth === 'hmac' && HMAC_SCHEME[route.function]
        ? [{ [HMAC_SCHEME[route.function]!]: [] as [] }]
        : SECURITY[route.auth];
    paths[path] ??= {};
    paths[path][method.toLowerCase()] = {
      summary: route.summary,
      tags: [route.tag],
      ...(security.length ? { security } : {}),
      ...(isJsonRoute(route) ? jsonOperation(route) : webhookOperation(route)),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Traffic-police public messaging API',
      version,
      description:
        'Tail-number restrictions (尾号限行) and the department’s public channels. Dates are civil dates in Asia/Shanghai.',
    },
    paths,
    components: {
      schemas: { Problem: json(ProblemSchema, 'output'), ...Object.fromEntries(hoisted) },
      securitySchemes: {
        adminJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (Cognito access token)' },
        wechatSignature: {
          type: 'apiKey',
          in: 'query',
          name: 'signature',
          description:
            'WeChat signs each request with the account Token: signature = SHA-1 of the sorted Token, timestamp and nonce; encrypted modes add msg_signature over the <Encrypt> element. The handler verifies both in constant time, and the timestamp’s freshness.',
        },
        smsCallbackToken: {
          type: 'apiKey',
          in: 'query',
          name: 'token',
          description:
            'The per-provider callback secret in the callback URL (the gateways sign nothing); compared in constant time before the body is parsed.',
        },
        integrationSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Signature',
          description:
            'A machine-to-machine integration (the traffic-management platform) signs each request with its own secret: X-Signature = hex(HMAC-SHA256(secret, X-Timestamp + "\\n" + X-Nonce + "\\n" + METHOD + "\\n" + path + "\\n" + hex(SHA-256(body)))), with X-Integration-Id naming the integration, X-Timestamp (Unix seconds) within 5 minutes and X-Nonce (16–64 characters) used once. Verified in constant time before the body is parsed; an optional IP allow-list per integration.',
        },
        smsCallbackSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Sms-Signature',
          description:
            'Behind a signing proxy (SMS callback auth `hmac`): hex(HMAC-SHA256(secret, X-Sms-Timestamp + "." + body)), with X-Sms-Timestamp within 5 minutes.',
        },
        platformSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Platform-Signature',
          description:
            'The 12345 platform signs each call: hex(HMAC-SHA256(secret, X-Platform-Timestamp + "." + X-Platform-Nonce + "." + body)); the timestamp within 5 minutes and the nonce never seen before. Compared in constant time; our answers back to it are signed the same way.',
        },
      },
    },
  };
}
