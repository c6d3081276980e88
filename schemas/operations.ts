/**
 * The operators' reports (report-operations; the routes are declared in schemas/routes.ts): the
 * follower and push statistics, the support view of one subscriber and the audit trail.
 */
import * as z from 'zod';
import { SmsBudgetReportSchema } from './sms.ts';
import { queryInt } from './text.ts';
import { ChannelSchema } from './vocabulary.ts';

/** `?weeks=` of the weekly push statistics (GET /v1/admin/stats, GET /v1/admin/stats/pushes). */
export const WeeksQuerySchema = z.object({ weeks: queryInt(1, 52).default(8) });

/** GET /v1/admin/subscribers/{channel}/{id} */
export const SubscriberPathSchema = z.object({ channel: ChannelSchema, id: z.string().min(1).max(128) });

const Instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
/** GET /v1/admin/audit?from=&to=&actor= (the range: functions/core/operations/reports.ts `auditRange`). */
export const AuditQuerySchema = z.object({
  from: Instant.optional(),
  to: Instant.optional(),
  actor: z.string().min(1).max(128).optional(),
  /** An action (`notice.approve`) or a prefix ending in a dot (`notice.`). */
  action: z
    .string()
    .max(100)
    .regex(/^[a-z-]+(\.[a-z-]+)*\.?$/, 'an action such as notice.approve, or a prefix such as notice.')
    .optional(),
});
export const AuditPageSchema = z.object({
  from: z.string(),
  to: z.string(),
  entries: z.array(
    z.object({
      id: z.string(),
      actor: z.string(),
      at: z.string(),
      action: z.string(),
      entity: z.string(),
      before: z.unknown(),
      after: z.unknown(),
    }),
  ),
});

/** GET /v1/admin/subscribers?plate= | ?phone= — exactly one. */
export const SubscriberSearchQuerySchema = z
  .object({
    plate: z.string().trim().min(1).max(32).optional(),
    phone: z.string().trim().min(1).max(32).optional(),
  })
  .refine((q) => (q.plate === undefined) !== (q.phone === undefined), {
    message: 'give exactly one of plate or phone',
    path: ['plate'],
  });

/** A push the subscriber's day ledger recorded (the ledger keeps 9 days), with its outcome when settled. */
export const LedgerPushSchema = z.object({
  date: z.string(),
  key: z.string(),
  /** The outcome the ledger settled (capped, failed, …); null when it was reserved and sent (the run's receipt holds the rest). */
  outcome: z.string().nullable(),
});

/** The support view of one subscriber (masked unless role admin). */
export const SupportViewSchema = z.object({
  channel: ChannelSchema,
  id: z.string(),
  account: z.string().nullable(),
  status: z.string(),
  reminders: z.boolean(),
  slot: z.string(),
  followedAt: z.string().nullable(),
  unfollowedAt: z.string().nullable(),
  lastInboundAt: z.string().nullable(),
  optedOutAt: z.string().nullable(),
  smsFallback: z.boolean(),
  bindings: z.array(
    z.object({
      plate: z.string(),
      city: z.string(),
      tail: z.number(),
      nev: z.boolean(),
      boundAt: z.string(),
    }),
  ),
  masked: z.boolean(),
  recentPushes: z.array(LedgerPushSchema),
});

export const SubscriberSearchResultSchema = z.object({
  /** What was searched, as normalised (the plate's canonical form, the number masked unless admin). */
  searched: z.object({ by: z.enum(['plate', 'phone']), value: z.string() }),
  subscribers: z.array(SupportViewSchema),
});

/** GET /v1/admin/stats */
export const StatsReportSchema = z.object({
  byChannel: z.record(z.string(), z.object({ followers: z.number(), active: z.number() })),
  boundPlatesByCity: z.record(z.string(), z.number()),
  /** Per category and ISO week (the same rows as GET /v1/admin/stats/pushes `weeks`). */
  pushes: z.array(
    z.object({
      category: z.string(),
      week: z.string(),
      pushes: z.number(),
      unfollows: z.number(),
      blocks: z.number(),
      unfollowsPer1000: z.number().nullable(),
    }),
  ),
  sms: SmsBudgetReportSchema,
});

/** GET /v1/admin/wechat/quota: template messages counted against each account's daily quota today. */
export const WeChatQuotaReportSchema = z.object({
  date: z.string(),
  accounts: z.array(
    z.object({ account: z.string(), appId: z.string(), used: z.number().int(), limit: z.number().int() }),
  ),
});
