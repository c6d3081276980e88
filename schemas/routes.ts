/**
 * Every HTTP route, declared once: method and path (the key, as API Gateway spells its route key),
 * the function that serves it, how the caller is authenticated, the roles of an admin route, the
 * request schemas, the success response, the summary and tag, and the statuses its use case may
 * answer. Everything else is derived from this table:
 *  - the blueprint's `routes` (lib/blueprint.ts → both builders),
 *  - the role matrix (schemas/roles.ts; the router checks each route's `roles` before parsing),
 *  - the OpenAPI document (schemas/openapi.ts, served at /openapi.json),
 *  - each function's dispatch (functions/shared/http.ts `httpRouter`, typed against these keys).
 * JSON routes are parsed by the router with exactly these schemas. Webhooks (`wechat-signature`,
 * `sms-signature`) parse and authenticate their own XML or JSON bodies; they are declared for the
 * blueprint and the document, with their content types, parameters and answers. Pages (`kind:
 * 'page'`) are public HTML a person opens in a browser (WeChat's), declared the same way.
 */
import * as z from 'zod';
import * as api from './api.ts';
import * as desk from './desk.ts';
import * as drivers from './drivers.ts';
import * as notices from './notices.ts';
import * as operations from './operations.ts';
import * as pushes from './pushes.ts';
import * as restrictionAdmin from './restriction-admin.ts';
import type { Role } from './roles.ts';
import * as sms from './sms.ts';
import * as wechat from './wechat.ts';

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type Method = (typeof METHODS)[number];
/** `METHOD /path`, with `{param}` segments: API Gateway's route key. */
export type RouteKeyPattern = `${Method} /${string}`;

/** Statuses a use case may answer; the router adds 400, 401, 403 and 413 from the request and auth. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413;
/** `admin` may call every admin route and is never listed. */
export type StaffRole = Exclude<Role, 'admin'>;

interface Documented {
  /** The blueprint function that serves the route. */
  function: string;
  summary: string;
  tag: string;
}

export interface JsonRequest {
  path?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Larger JSON bodies are refused with 413 before parsing (default DEFAULT_MAX_BODY_BYTES). */
  maxBodyBytes?: number;
}

/** The body limit of a JSON route that declares none (most bodies are a few hundred bytes). */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;
/** What a route's body may be at most: its declared limit, or the default. */
export const maxBodyBytesOf = (route: JsonRouteBase) => route.request?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

interface JsonRouteBase extends Documented {
  request?: JsonRequest;
  response: { status: number; schema: z.ZodType; description: string };
  errors: readonly ErrorStatus[];
}
export interface PublicRoute extends JsonRouteBase {
  auth: 'public';
}
export interface AdminRoute extends JsonRouteBase {
  /** The gateway verifies the JWT; the router checks `roles` before it parses any input. */
  auth: 'admin-jwt';
  roles: readonly StaffRole[];
}
export type JsonRoute = PublicRoute | AdminRoute;

export interface WebhookParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description: string;
}
export interface WebhookContent {
  contentTypes: readonly string[];
  description: string;
  /** Only where the handler validates the body with this very schema; otherwise the body is text. */
  schema?: z.ZodType;
}
export interface WebhookRoute extends Documented {
  /**
   * The handler verifies the provider's signature or secret itself (the gateway does not); `hmac`:
   * a machine-to-machine integration signs each request with its own secret.
   */
  auth: 'wechat-signature' | 'sms-signature' | 'hmac';
  parameters: readonly WebhookParameter[];
  body?: WebhookContent;
  responses: Readonly<Record<number, WebhookContent>>;
}

/** A public HTML page (functions/shared/page.ts): parameters and answers, like a webhook's. */
export interface PageRoute extends Documented {
  auth: 'public';
  kind: 'page';
  parameters: readonly WebhookParameter[];
  responses: Readonly<Record<number, WebhookContent>>;
}

export type RouteDeclaration = JsonRoute | WebhookRoute | PageRoute;
export type RouteDeclarations = Readonly<Record<RouteKeyPattern, RouteDeclaration>>;

export const isPageRoute = (r: RouteDeclaration): r is PageRoute => 'kind' in r && r.kind === 'page';
export const isJsonRoute = (r: RouteDeclaration): r is JsonRoute =>
  (r.auth === 'public' || r.auth === 'admin-jwt') && !isPageRoute(r);

const EDITORS = ['editor'] as const;
const REVIEWERS = ['reviewer'] as const;
const NOTICE_READERS = ['editor', 'reviewer'] as const;
const OPERATORS = ['operator'] as const;
/** The desk: officers work their units' cases; supervisors every unit's, the 督办 list and the measures. */
const DESK = ['officer', 'supervisor'] as const;
const SUPERVISORS = ['supervisor'] as const;
/** Managed content (keyword replies, service information, the desk's units and rules). */
const CONTENT_EDITORS = ['operator', 'supervisor'] as const;

const deskMove = <B extends z.ZodType>(summary: string, body: B, schema: z.ZodType = desk.CaseDetailSchema) =>
  ({
    function: 'manage-desk',
    auth: 'admin-jwt',
    roles: DESK,
    summary,
    tag: 'admin: desk',
    request: { path: desk.CasePathSchema, body },
    response: { status: 200, schema, description: 'The case after the move' },
    errors: [404, 409],
  }) as const;

/** A response the API does not specify further than "a JSON object". */
const AnObject = z.object({}).loose();

const noticeMove = <B extends z.ZodType, R extends readonly StaffRole[]>(
  summary: string,
  roles: R,
  body: B,
) =>
  ({
    function: 'manage-notices',
    auth: 'admin-jwt',
    roles,
    summary,
    tag: 'admin: notices',
    request: { path: notices.NoticeIdPathSchema, body, maxBodyBytes: notices.MAX_NOTICE_BODY_BYTES },
    response: { status: 200, schema: notices.AdminNoticeSchema, description: 'The notice after the move' },
    errors: [404, 409],
  }) as const;

// Webhooks: what WeChat and the SMS gateways send, and what they get back ---------------------------

const wechatQuery = (names: ReadonlyArray<readonly [string, boolean, string]>): WebhookParameter[] => [
  { name: 'account', in: 'path', required: true, description: 'The account id (WECHAT_ACCOUNTS)' },
  ...names.map(([name, required, description]) => ({ name, in: 'query' as const, required, description })),
];
const SIGNED = [
  ['signature', true, 'SHA-1 of the sorted Token, timestamp and nonce'],
  ['timestamp', true, 'Unix seconds, signed with the account Token'],
  ['nonce', true, 'Random, signed with the account Token'],
] as const;
const wechatText = (description: string) => ({ contentTypes: ['text/plain'], description });

const smsAnswer = (provider: 'tencent' | 'aliyun' | 'either', description: string): WebhookContent => ({
  contentTypes: ['application/json'],
  description,
  schema:
    provider === 'tencent'
      ? sms.TencentCallbackAnswerSchema
      : provider === 'aliyun'
        ? sms.AliyunCallbackAnswerSchema
        : z.union([sms.TencentCallbackAnswerSchema, sms.AliyunCallbackAnswerSchema]),
});
const smsAnswers = (provider: 'tencent' | 'aliyun' | 'either') => ({
  200: smsAnswer(provider, 'Handled (duplicates included): the gateway stops retrying'),
  400: smsAnswer(provider, 'The body is not JSON, or an item does not match the gateway’s format'),
  401: smsAnswer(provider, 'The callback token or signature does not verify'),
  403: smsAnswer(provider, 'The caller’s IP is not allowed'),
  413: smsAnswer(provider, 'The body is larger than 256 KB'),
  500: smsAnswer(provider, 'A failure of ours; the gateway retries (the claim was released)'),
});
const smsBody = (schema: z.ZodType, description: string): WebhookContent => ({
  contentTypes: ['application/json'],
  description: `${description}: one object or a batch (an array of at most 1,000)`,
  schema,
});

export const ROUTES = {
  // System ---------------------------------------------------------------------------------------
  'GET /health': {
    function: 'get-health',
    auth: 'public',
    summary: 'Liveness',
    tag: 'system',
    response: { status: 200, schema: api.HealthSchema, description: 'Up' },
    errors: [],
  },
  'GET /openapi.json': {
    function: 'get-openapi',
    auth: 'public',
    summary: 'This document',
    tag: 'system',
    response: { status: 200, schema: AnObject, description: 'OpenAPI 3.1' },
    errors: [],
  },

  // Restrictions, public -------------------------------------------------------------------------
  'GET /v1/cities': {
    function: 'list-cities',
    auth: 'public',
    summary: 'Cities with restriction data, the rule in force today and today’s answer',
    tag: 'restrictions',
    response: { status: 200, schema: api.CitiesResponseSchema, description: 'Cities' },
    errors: [],
  },
  'GET /v1/cities/{city}/restrictions': {
    function: 'get-city-restrictions',
    auth: 'public',
    summary:
      'What is restricted in a city on a date (default today, Asia/Shanghai) or on each day of a range (≤ 62 days)',
    tag: 'restrictions',
    request: { path: api.CityPathSchema, query: api.RestrictionsQuerySchema },
    response: {
      status: 200,
      schema: z.union([api.RestrictionAnswerSchema, api.RestrictionRangeResponseSchema]),
      description: 'One answer (date) or one per day (from/to)',
    },
    errors: [404],
  },
  'GET /v1/plates/{plate}/restriction': {
    function: 'get-plate-restriction',
    auth: 'public',
    summary: 'Whether a plate is restricted in a city on a date',
    tag: 'restrictions',
    request: { path: api.PlatePathSchema, query: api.PlateQuerySchema },
    response: { status: 200, schema: api.PlateRestrictionAnswerSchema, description: 'The plate’s answer' },
    errors: [404],
  },

  // Pages ----------------------------------------------------------------------------------------
  'GET /n/{id}': {
    function: 'get-notice-page',
    auth: 'public',
    kind: 'page',
    summary:
      'The page of a published notice, as WeChat’s browser opens it from a template message, a subscription notice or an article reply',
    tag: 'notices',
    parameters: [{ name: 'id', in: 'path', required: true, description: 'The notice id' }],
    responses: {
      200: {
        contentTypes: ['text/html'],
        description:
          'Kind, title, full body, areas, effective window, publication time, and a banner once withdrawn; no script, strict CSP, cacheable for a minute',
      },
      304: { contentTypes: ['text/html'], description: 'Not modified (If-None-Match matched the ETag)' },
      404: {
        contentTypes: ['text/html'],
        description: 'No published notice with this id (drafts, notices in review and officers-only ones)',
      },
    },
  },

  'GET /c/{number}': {
    function: 'get-case-page',
    auth: 'public',
    kind: 'page',
    summary:
      'A citizen’s case and its thread, as WeChat’s browser opens it from the “您的留言有回复” notice; the link carries a signed, expiring token',
    tag: 'desk',
    parameters: [
      { name: 'number', in: 'path', required: true, description: 'The case number' },
      { name: 'e', in: 'query', required: true, description: 'Expiry of the link (Unix seconds)' },
      {
        name: 't',
        in: 'query',
        required: true,
        description: 'base64url(HMAC-SHA256(caseLinkKey, number + "." + e))',
      },
    ],
    responses: {
      200: {
        contentTypes: ['text/html'],
        description:
          'Number, category, status, the answer deadline and the thread (no internal notes, no attachments); no script, strict CSP, never cached',
      },
      403: { contentTypes: ['text/html'], description: 'The link does not verify or has expired' },
      404: {
        contentTypes: ['text/html'],
        description: 'No such case (or purged after the retention period)',
      },
    },
  },

  'GET /d/{token}': {
    function: 'get-driver-page',
    auth: 'public',
    kind: 'page',
    summary:
      'A driver notice’s personal page (the link in the template message): the violation with its photo links, the points, the due date — signed, expiring',
    tag: 'drivers',
    parameters: [
      {
        name: 'token',
        in: 'path',
        required: true,
        description: 'The signed link token (HMAC, with its expiry)',
      },
    ],
    responses: {
      200: {
        contentTypes: ['text/html'],
        description: 'The notice’s details; no script, strict CSP, never cached (private, no-store)',
      },
      404: {
        contentTypes: ['text/html'],
        description: 'The link does not verify, or its record is gone (retention)',
      },
      410: { contentTypes: ['text/html'], description: 'The link has expired' },
    },
  },

  // Integrations: the traffic-management platform --------------------------------------------------
  'POST /v1/integrations/driver-events': {
    function: 'ingest-driver-events',
    auth: 'hmac',
    summary:
      'The traffic-management platform’s events (registry, violations, points, due dates): a signed batch of at most 500, answered event by event; idempotent by event id',
    tag: 'integrations',
    parameters: [
      {
        name: 'X-Integration-Id',
        in: 'header',
        required: true,
        description: 'The integration (its secret signs)',
      },
      { name: 'X-Timestamp', in: 'header', required: true, description: 'Unix seconds, within 5 minutes' },
      { name: 'X-Nonce', in: 'header', required: true, description: '16–64 characters, used once' },
      {
        name: 'X-Signature',
        in: 'header',
        required: true,
        description: 'hex HMAC-SHA256 (see the security scheme)',
      },
    ],
    body: {
      contentTypes: ['application/json'],
      description: '{ "events": [ … ] }: each event of its kind’s schema (an invalid one is refused alone)',
      schema: drivers.DriverEventBatchSchema,
    },
    responses: {
      200: {
        contentTypes: ['application/json'],
        description: 'Per event: accepted, duplicate, stale or invalid with the reason',
        schema: drivers.IngestAnswerSchema,
      },
      400: {
        contentTypes: ['application/json'],
        description: 'The body is not JSON or not { events: [1..500] }',
      },
      401: {
        contentTypes: ['application/json'],
        description:
          'Unknown integration, a signature that does not verify, a stale timestamp or a nonce used before',
      },
      403: {
        contentTypes: ['application/json'],
        description: 'The caller’s IP is not on the integration’s allow-list',
      },
      413: { contentTypes: ['application/json'], description: 'The body is larger than 1 MB' },
    },
  },

  // Webhooks -------------------------------------------------------------------------------------
  'POST /integrations/12345/cases': {
    function: 'receive-12345',
    auth: 'hmac',
    summary:
      'The city’s 12345 platform hands a ticket to the traffic police: a case of its own ticket id (posting it again answers the same case)',
    tag: 'webhooks',
    parameters: [
      {
        name: 'X-Platform-Timestamp',
        in: 'header',
        required: true,
        description: 'Unix seconds, within 5 minutes',
      },
      {
        name: 'X-Platform-Nonce',
        in: 'header',
        required: true,
        description: '16–64 letters and digits, never reused',
      },
      {
        name: 'X-Platform-Signature',
        in: 'header',
        required: true,
        description: 'hex(HMAC-SHA256(secret, timestamp.nonce.body))',
      },
    ],
    body: {
      contentTypes: ['application/json'],
      description: 'The ticket: its id, category, text, the caller’s number (optional) and area',
      schema: desk.PlatformTicketSchema,
    },
    responses: {
      201: {
        contentTypes: ['application/json'],
        description: 'Accepted: our case number and deadlines',
        schema: desk.PlatformAcceptedSchema,
      },
      200: {
        contentTypes: ['application/json'],
        description: 'This ticket was accepted before: the same case',
        schema: desk.PlatformAcceptedSchema,
      },
      400: {
        contentTypes: ['application/json'],
        description: 'The body is not a valid ticket',
        schema: desk.PlatformProblemSchema,
      },
      401: {
        contentTypes: ['application/json'],
        description: 'The signature does not verify, the timestamp is stale or the nonce was used',
        schema: desk.PlatformProblemSchema,
      },
      413: {
        contentTypes: ['application/json'],
        description: 'The body is larger than 16 KB',
        schema: desk.PlatformProblemSchema,
      },
    },
  },
  'GET /webhooks/wechat/{account}': {
    function: 'receive-wechat',
    auth: 'wechat-signature',
    summary: 'WeChat server URL verification (服务器配置): the echostr, verbatim',
    tag: 'webhooks',
    parameters: wechatQuery([...SIGNED, ['echostr', true, 'Returned verbatim once the signature verifies']]),
    responses: {
      200: wechatText('The echostr'),
      400: wechatText('Repeated or malformed query parameters, or no echostr'),
      401: wechatText('The signature does not verify'),
      404: wechatText('Unknown account'),
    },
  },
  'POST /webhooks/wechat/{account}': {
    function: 'receive-wechat',
    auth: 'wechat-signature',
    summary:
      'Messages and events from WeChat: the passive reply within ~3.5 s, else `success` and a customer-service reply',
    tag: 'webhooks',
    parameters: wechatQuery([
      ...SIGNED,
      ['openid', false, 'The follower (WeChat adds it; the handler reads FromUserName)'],
      ['encrypt_type', false, '`aes` in compatible and safe modes'],
      ['msg_signature', false, 'SHA-1 over Token, timestamp, nonce and <Encrypt> (encrypted modes)'],
    ]),
    body: {
      contentTypes: ['text/xml', 'application/xml'],
      description:
        'A message or event as WeChat XML (plain mode) or the <xml><Encrypt> envelope (compatible, safe); at most 64 KB, no DOCTYPE or ENTITY',
    },
    responses: {
      200: {
        contentTypes: ['application/xml', 'text/plain'],
        description:
          'The passive reply as XML (encrypted with the key that opened the request), or `success` (no reply, or it follows through the customer-service API)',
      },
      400: wechatText('Repeated or malformed query parameters, a DOCTYPE/ENTITY, XML that does not parse'),
      401: wechatText('A signature does not verify, the timestamp is stale, or a plain-mode nonce is reused'),
      403: wechatText('A plaintext message to an account that accepts encrypted ones only'),
      404: wechatText('Unknown account'),
      413: wechatText('The body is larger than 64 KB'),
    },
  },
  'POST /webhooks/sms/tencent/replies': {
    function: 'receive-sms',
    auth: 'sms-signature',
    summary: 'Citizens’ SMS replies (TD, BD, 限行…) as Tencent Cloud SMS posts them',
    tag: 'webhooks',
    parameters: [],
    body: smsBody(sms.batchOf(sms.TencentReplySchema), 'Tencent replies'),
    responses: smsAnswers('tencent'),
  },
  'POST /webhooks/sms/aliyun/replies': {
    function: 'receive-sms',
    auth: 'sms-signature',
    summary: 'Citizens’ SMS replies (TD, BD, 限行…) as Aliyun SMS posts them',
    tag: 'webhooks',
    parameters: [],
    body: smsBody(sms.batchOf(sms.AliyunReplySchema), 'Aliyun replies'),
    responses: smsAnswers('aliyun'),
  },
  'POST /webhooks/sms/{provider}/receipts': {
    function: 'receive-sms',
    auth: 'sms-signature',
    summary: 'Delivery receipts, matched to the delivery record by the gateway’s message id',
    tag: 'webhooks',
    parameters: [{ name: 'provider', in: 'path', required: true, description: '`tencent` or `aliyun`' }],
    body: smsBody(
      z.union([sms.batchOf(sms.TencentReceiptSchema), sms.batchOf(sms.AliyunReceiptSchema)]),
      'Receipts in the provider’s format',
    ),
    responses: {
      ...smsAnswers('either'),
      404: smsAnswer('either', 'Unknown provider'),
    },
  },

  // Pushes, SMS budget (operators) -----------------------------------------------------------------
  'GET /v1/admin/sms/budget': {
    function: 'manage-sms',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary: 'The month’s SMS spend, the budget ceiling and what remains (fen)',
    tag: 'admin: pushes',
    request: { query: sms.SmsBudgetQuerySchema },
    response: { status: 200, schema: sms.SmsBudgetReportSchema, description: 'The month’s budget' },
    errors: [],
  },
  'GET /v1/admin/pushes': {
    function: 'manage-pushes',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary: 'Push runs, newest first across months (paged); ?month= keeps one month',
    tag: 'admin: pushes',
    request: { query: pushes.PushRunsQuerySchema },
    response: { status: 200, schema: pushes.PushRunPageSchema, description: 'One page of runs' },
    errors: [],
  },
  'GET /v1/admin/pushes/{id}': {
    function: 'manage-pushes',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary: 'One push run: status, counts by outcome, consumed capacity (id = the URL-encoded run key)',
    tag: 'admin: pushes',
    request: { path: pushes.PushRunPathSchema },
    response: { status: 200, schema: pushes.PushRunReportSchema, description: 'The run' },
    errors: [404],
  },
  'POST /v1/admin/pushes/{id}/resume': {
    function: 'manage-pushes',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary:
      'Resume a running push run: emit again its segments not expanded and the recipients of its bundles without an outcome (audited; delivery keeps it at-most-once)',
    tag: 'admin: pushes',
    request: { path: pushes.PushRunPathSchema, body: notices.EmptyBodySchema },
    response: { status: 200, schema: pushes.ResumeReportSchema, description: 'What was emitted again' },
    errors: [404, 409],
  },
  'POST /v1/admin/pushes/restriction': {
    function: 'manage-pushes',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary:
      'Run (idempotently) or preview (dryRun) the restriction push of a city, date and slot; a date before today is refused unless force (audited)',
    tag: 'admin: pushes',
    request: { body: pushes.RestrictionPushTriggerSchema },
    response: {
      status: 201,
      schema: AnObject,
      description: 'The run (201 new, 200 existing) or the preview',
    },
    errors: [404, 409],
  },
  'GET /v1/admin/policies/frequency': {
    function: 'manage-pushes',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary: 'The frequency cap every push passes, with its version',
    tag: 'admin: pushes',
    response: { status: 200, schema: pushes.VersionedPolicySchema, description: 'The policy' },
    errors: [],
  },
  'GET /v1/admin/stats/pushes': {
    function: 'manage-pushes',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary: 'Pushes and attributed unfollows (per 1,000 pushes) by category and ISO week',
    tag: 'admin: pushes',
    request: { query: operations.WeeksQuerySchema },
    response: { status: 200, schema: pushes.PushStatsReportSchema, description: 'The report' },
    errors: [],
  },
  'PUT /v1/admin/policies/frequency': {
    function: 'manage-pushes',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary: 'Replace the frequency cap (based on the version read; audited)',
    tag: 'admin: pushes',
    request: { body: pushes.PolicyUpdateSchema },
    response: { status: 200, schema: pushes.VersionedPolicySchema, description: 'Saved' },
    errors: [409],
  },

  // The WeChat account (operators) ------------------------------------------------------------------
  'GET /v1/admin/wechat/{account}/menu': {
    function: 'manage-wechat',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary:
      'The repository’s custom menu for an account, the one WeChat shows now, the difference and what stands in the way of publishing',
    tag: 'admin: wechat',
    request: { path: wechat.MenuPathSchema },
    response: { status: 200, schema: wechat.MenuReportSchema, description: 'The menu and its difference' },
    errors: [404],
  },
  'POST /v1/admin/wechat/{account}/menu': {
    function: 'manage-wechat',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary:
      'Publish the repository’s menu (menu/create), only over WeChat’s menu as the difference showed it (basedOn); audited',
    tag: 'admin: wechat',
    request: { path: wechat.MenuPathSchema, body: wechat.MenuPublishSchema },
    response: { status: 200, schema: wechat.MenuReportSchema, description: 'Published' },
    errors: [404, 409],
  },

  // Notices, public --------------------------------------------------------------------------------
  'GET /v1/notices': {
    function: 'get-notices',
    auth: 'public',
    summary: 'A city’s published notices, newest first (withdrawn ones stay, marked withdrawn)',
    tag: 'notices',
    request: { query: notices.FeedQuerySchema },
    response: {
      status: 200,
      schema: notices.NoticeFeedPageSchema,
      description: 'One page; pass cursor for the next',
    },
    errors: [],
  },
  'GET /v1/notices/{id}': {
    function: 'get-notices',
    auth: 'public',
    summary: 'One published (or withdrawn) notice',
    tag: 'notices',
    request: { path: notices.NoticeIdPathSchema },
    response: { status: 200, schema: notices.PublicNoticeSchema, description: 'The notice' },
    errors: [404],
  },

  // Notices: editors draft, reviewers approve, reject, publish and withdraw ------------------------
  'POST /v1/admin/notices': {
    function: 'manage-notices',
    auth: 'admin-jwt',
    roles: EDITORS,
    summary: 'Draft a notice (editor)',
    tag: 'admin: notices',
    request: { body: notices.NewNoticeSchema, maxBodyBytes: notices.MAX_NOTICE_BODY_BYTES },
    response: { status: 201, schema: notices.AdminNoticeSchema, description: 'The draft' },
    errors: [],
  },
  'GET /v1/admin/notices': {
    function: 'manage-notices',
    auth: 'admin-jwt',
    roles: NOTICE_READERS,
    summary: 'Notices by status and kind, newest first',
    tag: 'admin: notices',
    request: { query: notices.NoticeListQuerySchema },
    response: { status: 200, schema: notices.AdminNoticeListSchema, description: 'Notices' },
    errors: [],
  },
  'GET /v1/admin/notices/{id}': {
    function: 'manage-notices',
    auth: 'admin-jwt',
    roles: NOTICE_READERS,
    summary: 'One notice with the workflow moves it allows now',
    tag: 'admin: notices',
    request: { path: notices.NoticeIdPathSchema },
    response: { status: 200, schema: notices.AdminNoticeSchema, description: 'The notice' },
    errors: [404],
  },
  'PATCH /v1/admin/notices/{id}': {
    function: 'manage-notices',
    auth: 'admin-jwt',
    roles: EDITORS,
    summary: 'Edit a notice (based on the version read); an approved notice goes back to review',
    tag: 'admin: notices',
    request: {
      path: notices.NoticeIdPathSchema,
      body: notices.NoticePatchSchema,
      maxBodyBytes: notices.MAX_NOTICE_BODY_BYTES,
    },
    response: { status: 200, schema: notices.AdminNoticeSchema, description: 'The notice' },
    errors: [404, 409],
  },
  'POST /v1/admin/notices/{id}/submit': noticeMove(
    'Submit a draft for review (editor)',
    EDITORS,
    notices.EmptyBodySchema,
  ),
  'POST /v1/admin/notices/{id}/approve': noticeMove(
    'Approve a notice in review (reviewer; not one’s own)',
    REVIEWERS,
    notices.EmptyBodySchema,
  ),
  'POST /v1/admin/notices/{id}/reject': noticeMove(
    'Reject a notice in review, with a reason (back to draft)',
    REVIEWERS,
    notices.ReasonBodySchema,
  ),
  'POST /v1/admin/notices/{id}/publish': noticeMove(
    'Publish an approved notice, or an emergency directly (reviewer); announces it to the push pipeline',
    REVIEWERS,
    notices.EmptyBodySchema,
  ),
  'POST /v1/admin/notices/{id}/withdraw': noticeMove(
    'Withdraw a published notice, with a reason (it stays visible as withdrawn)',
    REVIEWERS,
    notices.ReasonBodySchema,
  ),
  'POST /v1/admin/notices/{id}/preview': {
    function: 'preview-notice',
    auth: 'admin-jwt',
    roles: NOTICE_READERS,
    summary:
      'What publishing would do: audience per channel, cap, template values, SMS parts (sends nothing)',
    tag: 'admin: notices',
    request: { path: notices.NoticeIdPathSchema },
    response: { status: 200, schema: notices.NoticePreviewSchema, description: 'The preview' },
    errors: [404],
  },

  // Driver notices (operators; personal data masked unless role admin) -----------------------------
  'GET /v1/admin/drivers/stats': {
    function: 'manage-drivers',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary: 'Driver notices by kind and outcome per ISO week, the verification rate, verified owners now',
    tag: 'admin: drivers',
    request: { query: drivers.DriverStatsQuerySchema },
    response: { status: 200, schema: drivers.DriverStatsSchema, description: 'The measures' },
    errors: [],
  },
  'GET /v1/admin/drivers/vehicles/{plate}': {
    function: 'manage-drivers',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary:
      'One vehicle: registered or not, its verified owners, violations, due dates (masked unless role admin; never a hash or the VIN)',
    tag: 'admin: drivers',
    request: { path: drivers.VehiclePathSchema },
    response: { status: 200, schema: drivers.VehicleViewSchema, description: 'The vehicle' },
    errors: [],
  },
  'GET /v1/admin/drivers/followers/{channel}/{id}': {
    function: 'manage-drivers',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary: 'What one follower proved they own (masked unless role admin)',
    tag: 'admin: drivers',
    request: { path: drivers.DriverFollowerPathSchema },
    response: { status: 200, schema: drivers.DriverFollowerViewSchema, description: 'The follower' },
    errors: [],
  },

  // Operations: stats, subscriber support, the audit trail (operators) ------------------------------
  'GET /v1/admin/stats': {
    function: 'report-operations',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary:
      'Followers, active, bound plates by city, pushes and unfollows per 1,000 by category and week, SMS spend',
    tag: 'admin: operations',
    request: { query: operations.WeeksQuerySchema },
    response: { status: 200, schema: operations.StatsReportSchema, description: 'The report' },
    errors: [],
  },
  'GET /v1/admin/subscribers/{channel}/{id}': {
    function: 'report-operations',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary: 'Support view of one subscriber (personal data masked unless role admin)',
    tag: 'admin: operations',
    request: { path: operations.SubscriberPathSchema },
    response: {
      status: 200,
      schema: operations.SupportViewSchema,
      description: 'The subscriber, with the pushes on their day ledgers (9 days)',
    },
    errors: [404],
  },
  'GET /v1/admin/audit': {
    function: 'report-operations',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary:
      'The audit trail (who, when, what, before, after) of a time range (≤ 31 days; a bare date is that day in Asia/Shanghai), optionally of one actor and of actions starting with `action`',
    tag: 'admin: operations',
    request: { query: operations.AuditQuerySchema },
    response: { status: 200, schema: operations.AuditPageSchema, description: 'Entries, oldest first' },
    errors: [],
  },

  // The service desk (officers, supervisors) --------------------------------------------------------
  'GET /v1/admin/desk/cases': {
    function: 'manage-desk',
    auth: 'admin-jwt',
    roles: DESK,
    summary:
      'The desk: cases of the officer’s units (supervisors: all, or ?unit=), by view — new, mine (assigned to me), open, overdue, closed',
    tag: 'admin: desk',
    request: { query: desk.CaseListQuerySchema },
    response: { status: 200, schema: desk.CaseListSchema, description: 'Cases, each with `overdue`' },
    errors: [],
  },
  'POST /v1/admin/desk/cases': {
    function: 'manage-desk',
    auth: 'admin-jwt',
    roles: DESK,
    summary:
      'A case taken on the hotline or from the web; with a phone, the citizen is acknowledged and answered by SMS',
    tag: 'admin: desk',
    request: { body: desk.NewCaseSchema, maxBodyBytes: 16_384 },
    response: { status: 201, schema: desk.CaseDetailSchema, description: 'The new case' },
    errors: [409],
  },
  'GET /v1/admin/desk/cases/{number}': {
    function: 'manage-desk',
    auth: 'admin-jwt',
    roles: DESK,
    summary:
      'One case: its thread (answers with how they were delivered, notes, attachments), history and the moves it allows',
    tag: 'admin: desk',
    request: { path: desk.CasePathSchema },
    response: { status: 200, schema: desk.CaseDetailSchema, description: 'The case' },
    errors: [404],
  },
  'POST /v1/admin/desk/cases/{number}/answer': deskMove(
    'Answer the citizen (based on the version read): sent on their channel — WeChat within the window, else a notice linking to the case page; SMS; 12345',
    desk.ReplySchema,
  ),
  'POST /v1/admin/desk/cases/{number}/note': deskMove(
    'An internal note (never sent to the citizen)',
    desk.NoteSchema,
  ),
  'POST /v1/admin/desk/cases/{number}/assign': deskMove(
    'Assign the case to an officer of its unit',
    desk.AssignSchema,
  ),
  'POST /v1/admin/desk/cases/{number}/transfer': deskMove(
    'Transfer the case to another unit, with a reason (its assignee is cleared); answers the case without its thread, which the officer may no longer see',
    desk.TransferSchema,
    desk.CaseMovedSchema,
  ),
  'POST /v1/admin/desk/cases/{number}/close': deskMove(
    'Close the case (a reason is needed when nobody answered it); its citizen is asked for their satisfaction',
    desk.CloseSchema,
  ),
  'GET /v1/admin/desk/cases/{number}/attachments/{attachmentId}': {
    function: 'manage-desk',
    auth: 'admin-jwt',
    roles: DESK,
    summary: 'A photo or voice message of a case (base64), for staff who may see the case',
    tag: 'admin: desk',
    request: { path: desk.AttachmentPathSchema },
    response: { status: 200, schema: desk.AttachmentContentSchema, description: 'The attachment' },
    errors: [404],
  },
  'GET /v1/admin/desk/canned': {
    function: 'manage-desk',
    auth: 'admin-jwt',
    roles: DESK,
    summary: 'Canned answers (?category= keeps those for one category)',
    tag: 'admin: desk',
    request: { query: desk.CannedQuerySchema },
    response: { status: 200, schema: desk.CannedAnswersSchema, description: 'Canned answers' },
    errors: [],
  },
  'GET /v1/admin/desk/units': {
    function: 'manage-desk',
    auth: 'admin-jwt',
    roles: DESK,
    summary: 'The units (for assign and transfer): id, name, officers, supervisors',
    tag: 'admin: desk',
    response: { status: 200, schema: desk.UnitsSchema, description: 'Units' },
    errors: [],
  },
  'GET /v1/admin/desk/overdue': {
    function: 'manage-desk',
    auth: 'admin-jwt',
    roles: SUPERVISORS,
    summary:
      'The 督办 list: every unit’s open cases past a deadline, oldest deadline first, with their escalation',
    tag: 'admin: desk',
    response: { status: 200, schema: desk.CaseListSchema, description: 'Overdue cases' },
    errors: [],
  },
  'GET /v1/admin/desk/measures': {
    function: 'manage-desk',
    auth: 'admin-jwt',
    roles: SUPERVISORS,
    summary:
      'Per ISO week: cases by category, unit and channel; median time to first answer; overdue; satisfaction',
    tag: 'admin: desk',
    request: { query: desk.MeasuresQuerySchema },
    response: { status: 200, schema: desk.MeasuresSchema, description: 'The measures' },
    errors: [],
  },

  // Managed content (operators, supervisors) -------------------------------------------------------
  'GET /v1/admin/content/{name}': {
    function: 'manage-content',
    auth: 'admin-jwt',
    roles: CONTENT_EDITORS,
    summary:
      'Managed content in force: keywords (menu numbers and keyword replies), service-info, desk (units, routing rules, deadlines, canned answers)',
    tag: 'admin: content',
    request: { path: desk.ContentPathSchema },
    response: {
      status: 200,
      schema: desk.ContentViewSchema,
      description: 'The content and its version (0: the shipped first version)',
    },
    errors: [],
  },
  'PUT /v1/admin/content/{name}': {
    function: 'manage-content',
    auth: 'admin-jwt',
    roles: CONTENT_EDITORS,
    summary:
      'Replace managed content (based on the version read; validated; audited; the conversation reads it within a minute)',
    tag: 'admin: content',
    request: { path: desk.ContentPathSchema, body: desk.ContentUpdateSchema, maxBodyBytes: 262_144 },
    response: { status: 200, schema: desk.ContentViewSchema, description: 'Saved' },
    errors: [409],
  },
  'GET /v1/admin/content/{name}/versions': {
    function: 'manage-content',
    auth: 'admin-jwt',
    roles: CONTENT_EDITORS,
    summary: 'Every stored version of managed content: number, when, by whom',
    tag: 'admin: content',
    request: { path: desk.ContentPathSchema },
    response: { status: 200, schema: desk.ContentVersionsSchema, description: 'Versions, newest first' },
    errors: [],
  },

  // Restriction data (operators) -------------------------------------------------------------------
  'PUT /v1/admin/calendars/{year}': {
    function: 'manage-restriction-data',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary: 'Upload or replace a year’s holiday calendar',
    tag: 'admin: restriction data',
    request: { path: api.YearPathSchema, body: api.HolidayCalendarSchema },
    response: { status: 200, schema: api.HolidayCalendarSchema, description: 'Stored' },
    errors: [409],
  },
  'POST /v1/admin/cities/{city}/rules': {
    function: 'manage-restriction-data',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary: 'Add a rule record',
    tag: 'admin: restriction data',
    // A rule with its published rotation periods (up to 400) is the largest body the API takes.
    request: { path: api.CityPathSchema, body: api.RestrictionRuleSchema, maxBodyBytes: 64 * 1024 },
    response: { status: 201, schema: api.RestrictionRuleSchema, description: 'Added' },
    errors: [409],
  },
  'POST /v1/admin/cities/{city}/rules/{ruleId}/close': {
    function: 'manage-restriction-data',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary: 'Close a rule record (it stops applying after validTo)',
    tag: 'admin: restriction data',
    request: { path: api.RulePathSchema, body: api.CloseRuleBodySchema },
    response: { status: 200, schema: api.RestrictionRuleSchema, description: 'Closed' },
    errors: [404, 409],
  },
  'POST /v1/admin/cities/{city}/suspensions': {
    function: 'manage-restriction-data',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary: 'Add a suspension',
    tag: 'admin: restriction data',
    request: { path: api.CityPathSchema, body: api.NewSuspensionBodySchema },
    response: { status: 201, schema: api.NewSuspensionBodySchema, description: 'Added' },
    errors: [404, 409],
  },
  'POST /v1/admin/cities/{city}/suspensions/{suspensionId}/lift': {
    function: 'manage-restriction-data',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary: 'Lift a suspension (restrictions apply again from liftedOn, default today)',
    tag: 'admin: restriction data',
    request: { path: api.SuspensionPathSchema, body: api.LiftSuspensionBodySchema },
    response: { status: 200, schema: api.NewSuspensionBodySchema, description: 'Lifted' },
    errors: [404, 409],
  },
  // Console reads (the staff console; each is a question the API could not answer before) ---------
  'GET /v1/admin/subscribers': {
    function: 'find-subscribers',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary:
      'Find subscribers by plate or phone number (the number is looked up by its HMAC; masked unless role admin)',
    tag: 'admin: operations',
    request: { query: operations.SubscriberSearchQuerySchema },
    response: {
      status: 200,
      schema: operations.SubscriberSearchResultSchema,
      description: 'Matching subscribers (at most 20)',
    },
    errors: [],
  },
  'GET /v1/admin/wechat/quota': {
    function: 'report-wechat-quota',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary: 'Template messages counted against each WeChat account’s daily quota today (Asia/Shanghai)',
    tag: 'admin: pushes',
    response: { status: 200, schema: operations.WeChatQuotaReportSchema, description: 'Per account' },
    errors: [],
  },
  'GET /v1/admin/restriction-data': {
    function: 'report-restriction-data',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary:
      'Every calendar, rule and suspension the engine answers from (shipped or stored), and the served cities’ coverage gaps',
    tag: 'admin: restriction data',
    request: { query: restrictionAdmin.RestrictionDataQuerySchema },
    response: {
      status: 200,
      schema: restrictionAdmin.RestrictionDataReportSchema,
      description: 'The restriction data',
    },
    errors: [],
  },
  'POST /v1/admin/calendars/{year}/changes': {
    function: 'report-restriction-data',
    auth: 'admin-jwt',
    roles: OPERATORS,
    summary:
      'Validate a holiday calendar and list which dates’ answers uploading it would change, per city (saves nothing)',
    tag: 'admin: restriction data',
    request: { path: api.YearPathSchema, body: api.HolidayCalendarSchema },
    response: {
      status: 200,
      schema: restrictionAdmin.CalendarChangesSchema,
      description: 'The changes',
    },
    errors: [],
  },
  'GET /v1/admin/notices/{id}/approved': {
    function: 'manage-notices',
    auth: 'admin-jwt',
    roles: NOTICE_READERS,
    summary:
      'The version of a notice last approved (from the audit trail), to review what changed since; null if never approved',
    tag: 'admin: notices',
    request: { path: notices.NoticeIdPathSchema },
    response: { status: 200, schema: notices.ApprovedVersionSchema, description: 'The approved version' },
    errors: [404],
  },
} as const satisfies RouteDeclarations;

type RouteTable = typeof ROUTES;
/** The declarations' type, named (an interface, so compiler messages say `Routes`, not the whole table). */
export interface Routes extends RouteTable {}
export type RouteKey = keyof Routes;

/** Method and path of a route key. */
export function splitRouteKey(key: string): { method: Method; path: string } {
  const space = key.indexOf(' ');
  const method = METHODS.find((m) => m === key.slice(0, space));
  if (!method) throw new Error(`route key '${key}' does not start with one of ${METHODS.join(', ')}`);
  return { method, path: key.slice(space + 1) };
}

/** Every declaration with its key, in declaration order. */
export const declaredRoutes: ReadonlyArray<{ key: string; route: RouteDeclaration }> = Object.entries(
  ROUTES,
).map(([key, route]) => ({ key, route }));

/** The blueprint's `routes` (the shape both builders read). */
export const blueprintRoutes = declaredRoutes.map(({ key, route }) => ({
  ...splitRouteKey(key),
  function: route.function,
  auth: route.auth,
}));
