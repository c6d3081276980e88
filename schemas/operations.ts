/**
 * The operators' reports (report-operations; the routes are declared in schemas/routes.ts): the
 * follower and push statistics, the support view of one subscriber and the audit trail.
 */
import { z } from 'zod';
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
});
export const AuditPageSchema = z.object({
  from: z.string(),
  to: z.string(),
  entries: z.array(z.object({}).loose()),
});
