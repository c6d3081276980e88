/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas the handlers
 * validate with (so the document cannot drift from what the API accepts). Served at /openapi.json.
 */
import { z } from 'zod';
import * as api from './api.ts';
import * as notices from './notices.ts';
import { FrequencyPolicySchema } from './pushes.ts';
import { SmsBudgetReportSchema } from './sms.ts';

type Schema = z.ZodType;
interface Operation {
  method: 'get' | 'put' | 'post' | 'patch' | 'delete';
  path: string;
  summary: string;
  tag: string;
  admin?: boolean;
  pathParams?: z.ZodObject;
  query?: z.ZodObject;
  body?: Schema;
  ok: { status: number; schema: Schema; description: string };
  errors: number[];
}

const PushRunReport = z
  .object({
    key: z.string(),
    status: z.enum(['running', 'skipped', 'aborted']),
    reason: z.string().nullable(),
    counts: z.record(z.string(), z.number()),
    done: z.boolean(),
    unsent: z.number(),
  })
  .loose();

const Health = z.object({
  status: z.literal('ok'),
  service: z.string(),
  version: z.string(),
  stage: z.string(),
  time: z.string(),
});

const AdminNotice = notices.NoticeSchema.extend({ allowedActions: z.array(z.string()) });
const NoticePreview = z
  .object({
    noticeId: z.string(),
    category: z.enum(['notice', 'emergency']),
    sendAt: z.string(),
    audienceTotal: z.number(),
    channels: z.record(
      z.string(),
      z.object({
        audience: z.number(),
        capClass: z.string(),
        wouldBe: z.object({ send: z.number(), capped: z.number(), deferred: z.number() }),
        deferredUntil: z.string().nullable(),
      }),
    ),
    note: z.string().nullable(),
    wechat: z.object({ values: z.record(z.string(), z.string()) }).nullable(),
    sms: z.object({ text: z.string(), characters: z.number(), parts: z.number() }).nullable(),
    sent: z.literal(0),
  })
  .loose();
const noticeMove = (
  action: string,
  summary: string,
  body: Schema | undefined,
  errors: number[],
): Operation => ({
  method: 'post',
  path: `/v1/admin/notices/{id}/${action}`,
  summary,
  tag: 'admin: notices',
  admin: true,
  pathParams: notices.NoticeIdPathSchema,
  ...(body ? { body } : {}),
  ok: { status: 200, schema: AdminNotice, description: 'The notice after the move' },
  errors,
});

const noticeOperations: Operation[] = [
  {
    method: 'get',
    path: '/v1/notices',
    summary: 'A city’s published notices, newest first (withdrawn ones stay, marked withdrawn)',
    tag: 'notices',
    query: notices.FeedQuerySchema,
    ok: {
      status: 200,
      schema: z.object({ notices: z.array(notices.PublicNoticeSchema), cursor: z.string().nullable() }),
      description: 'One page; pass cursor for the next',
    },
    errors: [400],
  },
  {
    method: 'get',
    path: '/v1/notices/{id}',
    summary: 'One published (or withdrawn) notice',
    tag: 'notices',
    pathParams: notices.NoticeIdPathSchema,
    ok: { status: 200, schema: notices.PublicNoticeSchema, description: 'The notice' },
    errors: [400, 404],
  },
  {
    method: 'post',
    path: '/v1/admin/notices',
    summary: 'Draft a notice (editor)',
    tag: 'admin: notices',
    admin: true,
    body: notices.NewNoticeSchema,
    ok: { status: 201, schema: AdminNotice, description: 'The draft' },
    errors: [400, 401, 403, 413],
  },
  {
    method: 'get',
    path: '/v1/admin/notices',
    summary: 'Notices by status and kind, newest first',
    tag: 'admin: notices',
    admin: true,
    query: notices.NoticeListQuerySchema,
    ok: { status: 200, schema: z.object({ notices: z.array(AdminNotice) }), description: 'Notices' },
    errors: [400, 401, 403],
  },
  {
    method: 'get',
    path: '/v1/admin/notices/{id}',
    summary: 'One notice with the workflow moves it allows now',
    tag: 'admin: notices',
    admin: true,
    pathParams: notices.NoticeIdPathSchema,
    ok: { status: 200, schema: AdminNotice, description: 'The notice' },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'patch',
    path: '/v1/admin/notices/{id}',
    summary: 'Edit a notice (based on the version read); an approved notice goes back to review',
    tag: 'admin: notices',
    admin: true,
    pathParams: notices.NoticeIdPathSchema,
    body: notices.NoticePatchSchema,
    ok: { status: 200, schema: AdminNotice, description: 'The notice' },
    errors: [400, 401, 403, 404, 409, 413],
  },
  noticeMove(
    'submit',
    'Submit a draft for review (editor)',
    notices.EmptyBodySchema,
    [400, 401, 403, 404, 409],
  ),
  noticeMove(
    'approve',
    'Approve a notice in review (reviewer; not one’s own)',
    notices.EmptyBodySchema,
    [400, 401, 403, 404, 409],
  ),
  noticeMove(
    'reject',
    'Reject a notice in review, with a reason (back to draft)',
    notices.ReasonBodySchema,
    [400, 401, 403, 404, 409],
  ),
  noticeMove(
    'publish',
    'Publish an approved notice, or an emergency directly (reviewer); announces it to the push pipeline',
    notices.EmptyBodySchema,
    [400, 401, 403, 404, 409],
  ),
  noticeMove(
    'withdraw',
    'Withdraw a published notice, with a reason (it stays visible as withdrawn)',
    notices.ReasonBodySchema,
    [400, 401, 403, 404, 409],
  ),
  {
    method: 'post',
    path: '/v1/admin/notices/{id}/preview',
    summary:
      'What publishing would do: audience per channel, cap, template values, SMS parts (sends nothing)',
    tag: 'admin: notices',
    admin: true,
    pathParams: notices.NoticeIdPathSchema,
    ok: { status: 200, schema: NoticePreview, description: 'The preview' },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'get',
    path: '/v1/admin/stats',
    summary:
      'Followers, active, bound plates by city, pushes and unfollows per 1,000 by category and week, SMS spend',
    tag: 'admin: operations',
    admin: true,
    query: z.object({ weeks: z.number().int().min(1).max(52).optional() }),
    ok: { status: 200, schema: z.object({}).loose(), description: 'The report' },
    errors: [400, 401, 403],
  },
  {
    method: 'get',
    path: '/v1/admin/subscribers/{channel}/{id}',
    summary: 'Support view of one subscriber (personal data masked unless role admin)',
    tag: 'admin: operations',
    admin: true,
    pathParams: z.object({ channel: z.enum(['wechat', 'sms']), id: z.string() }),
    ok: { status: 200, schema: z.object({}).loose(), description: 'The subscriber' },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'get',
    path: '/v1/admin/audit',
    summary:
      'The audit trail (who, when, what, before, after) of a time range (≤ 31 days), optionally of one actor',
    tag: 'admin: operations',
    admin: true,
    query: z.object({ from: z.string().optional(), to: z.string().optional(), actor: z.string().optional() }),
    ok: {
      status: 200,
      schema: z.object({ from: z.string(), to: z.string(), entries: z.array(z.object({}).loose()) }),
      description: 'Entries, oldest first',
    },
    errors: [400, 401, 403],
  },
];

export const operations: Operation[] = [
  ...noticeOperations,
  {
    method: 'get',
    path: '/health',
    summary: 'Liveness',
    tag: 'system',
    ok: { status: 200, schema: Health, description: 'Up' },
    errors: [],
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tag: 'system',
    ok: { status: 200, schema: z.object({}).loose(), description: 'OpenAPI 3.1' },
    errors: [],
  },
  {
    method: 'get',
    path: '/v1/cities',
    summary: 'Cities with restriction data, the rule in force today and today’s answer',
    tag: 'restrictions',
    ok: { status: 200, schema: api.CitiesResponseSchema, description: 'Cities' },
    errors: [],
  },
  {
    method: 'get',
    path: '/v1/cities/{city}/restrictions',
    summary:
      'What is restricted in a city on a date (default today, Asia/Shanghai) or on each day of a range (≤ 62 days)',
    tag: 'restrictions',
    pathParams: api.CityPathSchema,
    query: api.RestrictionsQuerySchema,
    ok: {
      status: 200,
      schema: z.union([api.RestrictionAnswerSchema, api.RestrictionRangeResponseSchema]),
      description: 'One answer (date) or one per day (from/to)',
    },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/v1/plates/{plate}/restriction',
    summary: 'Whether a plate is restricted in a city on a date',
    tag: 'restrictions',
    pathParams: api.PlatePathSchema,
    query: api.PlateQuerySchema,
    ok: { status: 200, schema: api.PlateRestrictionAnswerSchema, description: 'The plate’s answer' },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/v1/admin/pushes',
    summary: 'Push runs of a month, newest first',
    tag: 'admin: pushes',
    admin: true,
    query: z.object({
      month: z
        .string()
        .regex(/^\d{4}-\d{2}$/)
        .optional(),
    }),
    ok: { status: 200, schema: z.object({ runs: z.array(PushRunReport) }), description: 'Runs' },
    errors: [401, 403],
  },
  {
    method: 'get',
    path: '/v1/admin/pushes/{id}',
    summary: 'One push run: status, counts by outcome, consumed capacity (id = the URL-encoded run key)',
    tag: 'admin: pushes',
    admin: true,
    pathParams: z.object({ id: z.string() }),
    ok: { status: 200, schema: PushRunReport, description: 'The run' },
    errors: [401, 403, 404],
  },
  {
    method: 'post',
    path: '/v1/admin/pushes/restriction',
    summary: 'Run (idempotently) or preview (dryRun) the restriction push of a city, date and slot',
    tag: 'admin: pushes',
    admin: true,
    body: z.object({
      city: z.string(),
      date: z.string().optional(),
      slot: z.enum(['morning', 'evening']).optional(),
      dryRun: z.boolean().optional(),
    }),
    ok: {
      status: 201,
      schema: z.object({}).loose(),
      description: 'The run (201 new, 200 existing) or the preview',
    },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'get',
    path: '/v1/admin/stats/pushes',
    summary: 'Pushes and attributed unfollows (per 1,000 pushes) by category and ISO week',
    tag: 'admin: pushes',
    admin: true,
    query: z.object({ weeks: z.number().int().min(1).max(52).optional() }),
    ok: {
      status: 200,
      schema: z.object({
        weeks: z.array(
          z.object({
            category: z.string(),
            week: z.string(),
            pushes: z.number(),
            unfollows: z.number(),
            blocks: z.number(),
            unfollowsPer1000: z.number().nullable(),
          }),
        ),
      }),
      description: 'The report',
    },
    errors: [400, 401, 403],
  },
  {
    method: 'get',
    path: '/v1/admin/sms/budget',
    summary: 'The month’s SMS spend, the budget ceiling and what remains (fen)',
    tag: 'admin: pushes',
    admin: true,
    query: z.object({
      month: z
        .string()
        .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
        .optional(),
    }),
    ok: { status: 200, schema: SmsBudgetReportSchema, description: 'The month’s budget' },
    errors: [400, 401, 403],
  },
  {
    method: 'get',
    path: '/v1/admin/policies/frequency',
    summary: 'The frequency cap every push passes, with its version',
    tag: 'admin: pushes',
    admin: true,
    ok: {
      status: 200,
      schema: z.object({ policy: FrequencyPolicySchema, version: z.number() }),
      description: 'The policy',
    },
    errors: [401, 403],
  },
  {
    method: 'put',
    path: '/v1/admin/policies/frequency',
    summary: 'Replace the frequency cap (based on the version read; audited)',
    tag: 'admin: pushes',
    admin: true,
    body: z.object({ version: z.number(), policy: FrequencyPolicySchema }),
    ok: {
      status: 200,
      schema: z.object({ policy: FrequencyPolicySchema, version: z.number() }),
      description: 'Saved',
    },
    errors: [400, 401, 403, 409],
  },
  {
    method: 'put',
    path: '/v1/admin/calendars/{year}',
    summary: 'Upload or replace a year’s holiday calendar',
    tag: 'admin: restriction data',
    admin: true,
    pathParams: api.YearPathSchema,
    body: api.HolidayCalendarSchema,
    ok: { status: 200, schema: api.HolidayCalendarSchema, description: 'Stored' },
    errors: [400, 401, 403, 409],
  },
  {
    method: 'post',
    path: '/v1/admin/cities/{city}/rules',
    summary: 'Add a rule record',
    tag: 'admin: restriction data',
    admin: true,
    pathParams: api.CityPathSchema,
    body: api.RestrictionRuleSchema,
    ok: { status: 201, schema: api.RestrictionRuleSchema, description: 'Added' },
    errors: [400, 401, 403, 409],
  },
  {
    method: 'post',
    path: '/v1/admin/cities/{city}/rules/{ruleId}/close',
    summary: 'Close a rule record (it stops applying after validTo)',
    tag: 'admin: restriction data',
    admin: true,
    pathParams: api.RulePathSchema,
    body: api.CloseRuleBodySchema,
    ok: { status: 200, schema: api.RestrictionRuleSchema, description: 'Closed' },
    errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'post',
    path: '/v1/admin/cities/{city}/suspensions',
    summary: 'Add a suspension',
    tag: 'admin: restriction data',
    admin: true,
    pathParams: api.CityPathSchema,
    body: api.NewSuspensionBodySchema,
    ok: { status: 201, schema: api.NewSuspensionBodySchema, description: 'Added' },
    errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'post',
    path: '/v1/admin/cities/{city}/suspensions/{suspensionId}/lift',
    summary: 'Lift a suspension (restrictions apply again from liftedOn, default today)',
    tag: 'admin: restriction data',
    admin: true,
    pathParams: api.SuspensionPathSchema,
    body: api.LiftSuspensionBodySchema,
    ok: { status: 200, schema: api.NewSuspensionBodySchema, description: 'Lifted' },
    errors: [400, 401, 403, 404, 409],
  },
];

/** JSON Schema (draft 2020-12, which OpenAPI 3.1 uses) without the per-schema `$schema` marker. */
function json(schema: Schema, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}
const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input (the problem names each field)',
  401: 'Missing, expired or invalid token',
  403: 'The token lacks the role this needs',
  404: 'Unknown city, rule or suspension',
  409: 'Conflicts with the current state (the problem lists the allowed moves)',
  413: 'The request body is too large',
};

function parameters(where: 'path' | 'query', schema: z.ZodObject | undefined) {
  if (!schema) return [];
  const props = json(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(props.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (props.required ?? []).includes(name),
    schema: s,
  }));
}

export function openApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      tags: [op.tag],
      ...(op.admin ? { security: [{ adminJwt: [] }] } : {}),
      parameters: [...parameters('path', op.pathParams), ...parameters('query', op.query)],
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: json(op.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [op.ok.status]: {
          description: op.ok.description,
          content: { 'application/json': { schema: json(op.ok.schema, 'output') } },
        },
        ...Object.fromEntries(
          op.errors.map((s) => [
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
      schemas: { Problem: json(api.ProblemSchema, 'output') },
      securitySchemes: {
        adminJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (Cognito access token)' },
      },
    },
  };
}
