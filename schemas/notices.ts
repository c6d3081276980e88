/**
 * Notices the department publishes (road conditions, traffic control, rumour rebuttals, restriction
 * suspensions and resumptions, general), their API bodies and the stored record. The workflow is in
 * functions/core/notices.ts; the cross-field rules that need no clock are here, used both by the
 * request schemas and after a PATCH is merged into the stored notice.
 */
import * as z from 'zod';
import { CityCodeSchema, CivilDateSchema } from './restrictions.ts';
import { queryInt, text } from './text.ts';

export const NOTICE_KINDS = [
  'road-condition',
  'traffic-control',
  'rumour-rebuttal',
  'restriction-change',
  'general',
] as const;
export const NoticeKindSchema = z.enum(NOTICE_KINDS);
export type NoticeKind = z.infer<typeof NoticeKindSchema>;

export const NOTICE_STATUSES = ['draft', 'in-review', 'approved', 'published', 'withdrawn'] as const;
export const NoticeStatusSchema = z.enum(NOTICE_STATUSES);
export type NoticeStatus = z.infer<typeof NoticeStatusSchema>;

export const NoticeChannelSchema = z.enum(['feed', 'wechat', 'sms']);
export type NoticeChannel = z.infer<typeof NoticeChannelSchema>;

export const AudienceSchema = z.discriminatedUnion('type', [
  /** Every active follower of the public account(s). */
  z.strictObject({ type: z.literal('all-followers') }),
  /** Active followers with a plate bound in the notice's city. */
  z.strictObject({ type: z.literal('bound-in-city') }),
  /** Active followers with a plate of one of these tails bound in the notice's city. */
  z.strictObject({
    type: z.literal('tails'),
    tails: z
      .array(z.number().int().min(0).max(9))
      .min(1)
      .max(10)
      .refine((t) => new Set(t).size === t.length, 'tails are listed once each'),
  }),
  /** The officers' account (WeChat accounts with audience `internal`). */
  z.strictObject({ type: z.literal('internal') }),
]);
export type Audience = z.infer<typeof AudienceSchema>;

export const PrioritySchema = z.enum(['routine', 'emergency']);

/** What a `restriction-change` notice does to the restriction data when it is published. */
export const RestrictionChangeSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('suspension'),
    from: CivilDateSchema,
    /** Inclusive; null = until a resumption lifts it. */
    to: CivilDateSchema.nullable(),
    reason: text(200),
  }),
  z.strictObject({
    type: z.literal('resumption'),
    suspensionId: z.string().regex(/^[a-z0-9-]{1,80}$/),
    /** Restrictions apply again from this day. */
    on: CivilDateSchema,
  }),
]);
export type RestrictionChange = z.infer<typeof RestrictionChangeSchema>;

const Instant = z.iso.datetime({ offset: true });

export const LIMITS = { title: 64, body: 2000, shortBody: 140, areas: 20, area: 64 } as const;
/** Request bodies beyond this are refused (413) before parsing. */
export const MAX_NOTICE_BODY_BYTES = 32 * 1024;

const fields = {
  kind: NoticeKindSchema,
  title: text(LIMITS.title),
  body: text(LIMITS.body, { multiLine: true }),
  /** The short form: template values and SMS text. */
  shortBody: text(LIMITS.shortBody),
  city: CityCodeSchema,
  /** Areas or roads concerned. */
  areas: z.array(text(LIMITS.area)).max(LIMITS.areas),
  effectiveFrom: Instant,
  effectiveTo: Instant.nullable(),
  channels: z
    .array(NoticeChannelSchema)
    .min(1)
    .max(3)
    .refine((c) => new Set(c).size === c.length, 'channels are listed once each'),
  audience: AudienceSchema,
  priority: PrioritySchema,
  /** Publish automatically at this time once approved; null = when a reviewer publishes. */
  publishAt: Instant.nullable(),
  restrictionChange: RestrictionChangeSchema.nullable(),
};

export const NoticeFieldsSchema = z.strictObject(fields);
export type NoticeFields = z.infer<typeof NoticeFieldsSchema>;

/** Rules across fields (no clock): the window, and restriction changes only on restriction-change notices. */
export function noticeIssues(n: NoticeFields): Array<{ path: string[]; message: string }> {
  const issues: Array<{ path: string[]; message: string }> = [];
  if (n.effectiveTo !== null && Date.parse(n.effectiveTo) <= Date.parse(n.effectiveFrom))
    issues.push({ path: ['effectiveTo'], message: 'the effective window ends before it starts' });
  if (n.restrictionChange && n.kind !== 'restriction-change')
    issues.push({ path: ['restrictionChange'], message: 'only restriction-change notices carry one' });
  if (n.audience.type === 'internal' && n.channels.includes('feed'))
    issues.push({
      path: ['channels'],
      message: 'an internal (officers-only) notice cannot go to the public feed',
    });
  if (n.restrictionChange?.type === 'suspension') {
    const { from, to } = n.restrictionChange;
    if (to !== null && to < from)
      issues.push({ path: ['restrictionChange', 'to'], message: 'the suspension ends before it starts' });
  }
  return issues;
}

export const NewNoticeSchema = z
  .strictObject({
    ...fields,
    areas: fields.areas.default([]),
    effectiveTo: fields.effectiveTo.default(null),
    priority: fields.priority.default('routine'),
    publishAt: fields.publishAt.default(null),
    restrictionChange: fields.restrictionChange.default(null),
  })
  .superRefine((n, ctx) => {
    for (const i of noticeIssues(n)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
  });

/** A PATCH: the version it was based on, and the fields to change. */
export const NoticePatchSchema = z
  .strictObject({ version: z.number().int().min(1), ...z.strictObject(fields).partial().shape })
  .refine((p) => Object.keys(p).length > 1, 'nothing to change: give at least one field besides version');
export type NoticePatch = z.infer<typeof NoticePatchSchema>;

export const ReasonBodySchema = z.strictObject({ reason: text(500, { multiLine: true }) });
export const EmptyBodySchema = z.strictObject({}).optional();

const Stamp = z.object({ by: z.string(), at: z.string(), reason: z.string() });

export const NoticeSchema = z.object({
  id: z.string(),
  ...fields,
  status: NoticeStatusSchema,
  version: z.number().int().min(0),
  createdBy: z.string(),
  /** Everyone who edited its text: none of them may approve it (four eyes). */
  editedBy: z.array(z.string()).default([]),
  createdAt: z.string(),
  updatedAt: z.string(),
  submittedAt: z.string().nullable(),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
  publishedBy: z.string().nullable(),
  publishedAt: z.string().nullable(),
  /** An emergency a reviewer published without the approval step. */
  directPublish: z.boolean(),
  /** The last rejection (the notice went back to draft). */
  rejection: Stamp.nullable(),
  withdrawal: Stamp.nullable(),
  /** The suspension a published restriction-change notice wrote or lifted. */
  suspensionId: z.string().nullable(),
});
export type Notice = z.infer<typeof NoticeSchema>;

/** The public projection of a published or withdrawn notice (the feed, GET /v1/notices). */
export const PublicNoticeSchema = z.object({
  id: z.string(),
  kind: NoticeKindSchema,
  status: z.enum(['published', 'withdrawn']),
  priority: PrioritySchema,
  title: z.string(),
  body: z.string(),
  shortBody: z.string(),
  city: z.string(),
  areas: z.array(z.string()),
  effectiveFrom: z.string(),
  effectiveTo: z.string().nullable(),
  publishedAt: z.string(),
  withdrawnAt: z.string().nullable(),
  withdrawalReason: z.string().nullable(),
});
export type PublicNotice = z.infer<typeof PublicNoticeSchema>;

/** The message a published notice with a wechat or sms channel puts on `notice-pushes` (plan-notice-push reads it). */
export const NoticePushMessageSchema = z.strictObject({
  noticeId: z.string().min(1).max(64),
  version: z.number().int().min(1),
  publishedAt: z.string().max(40),
});
export type NoticePushMessage = z.infer<typeof NoticePushMessageSchema>;

export const NoticeIdPathSchema = z.object({ id: z.uuid() });
export const NoticeListQuerySchema = z.object({
  status: NoticeStatusSchema.optional(),
  kind: NoticeKindSchema.optional(),
});
export const FeedQuerySchema = z.object({
  city: CityCodeSchema,
  kind: NoticeKindSchema.optional(),
  limit: queryInt(1, 50).default(20),
  cursor: z.string().max(1000).optional(),
});

/**
 * What publish-due-notices is invoked with: a notice's one-off schedule names the approved version it
 * was created for; the five-minute sweep sends `{}`.
 */
export const ScheduledPublicationSchema = z.union([
  z
    .strictObject({ noticeId: z.string().min(1).max(64), version: z.number().int().min(1) })
    .transform((v) => ({ kind: 'one-off' as const, ...v })),
  z.strictObject({}).transform(() => ({ kind: 'sweep' as const })),
]);

/** One page of a city's feed (GET /v1/notices); pass cursor for the next. */
export const NoticeFeedPageSchema = z.object({
  notices: z.array(PublicNoticeSchema),
  cursor: z.string().nullable(),
});

/** A notice as the admin API returns it: with the workflow moves it allows now. */
export const AdminNoticeSchema = NoticeSchema.extend({ allowedActions: z.array(z.string()) });
export const AdminNoticeListSchema = z.object({ notices: z.array(AdminNoticeSchema) });

/** What publishing would do (POST /v1/admin/notices/{id}/preview); nothing is sent. */
export const NoticePreviewSchema = z
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
        /** Reached by an earlier publication of this notice: not sent again. */
        alreadyReached: z.number(),
        deferredUntil: z.string().nullable(),
      }),
    ),
    note: z.string().nullable(),
    wechat: z
      .object({
        values: z.record(z.string(), z.string()),
        accounts: z.array(
          z.object({
            account: z.string(),
            via: z.enum(['template', 'subscription', 'mass-send']),
            templateId: z.string().nullable(),
            values: z.record(z.string(), z.string()).nullable(),
            url: z.string().nullable(),
          }),
        ),
      })
      .nullable(),
    sms: z.object({ text: z.string(), characters: z.number(), parts: z.number() }).nullable(),
    sent: z.literal(0),
  })
  .loose();

/** GET /v1/admin/notices/{id}/approved: the notice as a reviewer last approved it, from the audit trail. */
export const ApprovedVersionSchema = z.object({
  notice: NoticeSchema.nullable(),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
  /** The audit trail was searched from this day (the notice's creation) to today. */
  searchedFrom: z.string(),
});
