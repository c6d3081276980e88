/**
 * Requests and responses of the public restriction API and the admin data API. schemas/routes.ts
 * declares each route with them: the router validates with them and schemas/openapi.ts documents them.
 */
import * as z from 'zod';
import {
  CityCodeSchema,
  CivilDateSchema,
  HolidayCalendarSchema,
  PlateRestrictionAnswerSchema,
  RecordIdSchema,
  RestrictionAnswerSchema,
  RestrictionRuleSchema,
  SuspensionSchema,
  TimeWindowSchema,
} from './restrictions.ts';
import { queryInt } from './text.ts';

export const MAX_RANGE_DAYS = 62;

export const CityPathSchema = z.object({ city: CityCodeSchema });

export const RestrictionsQuerySchema = z
  .object({
    date: CivilDateSchema.optional(),
    from: CivilDateSchema.optional(),
    to: CivilDateSchema.optional(),
  })
  .superRefine((q, ctx) => {
    if (q.date && (q.from || q.to)) {
      ctx.addIssue({ code: 'custom', path: ['date'], message: 'give either date, or from and to, not both' });
    }
    if (Boolean(q.from) !== Boolean(q.to)) {
      ctx.addIssue({ code: 'custom', path: [q.from ? 'to' : 'from'], message: 'from and to go together' });
    }
    if (q.from && q.to) {
      const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 + 1;
      if (days < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to is before from' });
      else if (days > MAX_RANGE_DAYS) {
        ctx.addIssue({
          code: 'custom',
          path: ['to'],
          message: `a range covers at most ${MAX_RANGE_DAYS} days (this one has ${days})`,
        });
      }
    }
  });

export const PlatePathSchema = z.object({ plate: z.string().min(1).max(32) });
export const PlateQuerySchema = z.object({ city: CityCodeSchema, date: CivilDateSchema.optional() });

export const RestrictionRangeResponseSchema = z.object({
  city: z.string(),
  from: CivilDateSchema,
  to: CivilDateSchema,
  days: z.array(RestrictionAnswerSchema),
});

export const CitySummarySchema = z.object({
  city: z.string(),
  name: z.string(),
  verified: z.boolean().nullable(),
  rule: z
    .object({
      id: z.string(),
      validFrom: CivilDateSchema,
      validTo: CivilDateSchema.nullable(),
      scheme: z.string(),
      windows: z.array(TimeWindowSchema),
      area: z.string(),
      letterTail: z.string(),
      sources: z.array(z.string()),
    })
    .nullable(),
  today: RestrictionAnswerSchema,
});
export const CitiesResponseSchema = z.object({ date: CivilDateSchema, cities: z.array(CitySummarySchema) });

export { PlateRestrictionAnswerSchema, RestrictionAnswerSchema };

// Admin -------------------------------------------------------------------------------------------

export const YearPathSchema = z.object({ year: queryInt(2000, 2100) });
export const RulePathSchema = z.object({ city: CityCodeSchema, ruleId: RecordIdSchema });
export const SuspensionPathSchema = z.object({ city: CityCodeSchema, suspensionId: RecordIdSchema });
export const CloseRuleBodySchema = z.strictObject({ validTo: CivilDateSchema });
export const LiftSuspensionBodySchema = z.strictObject({ liftedOn: CivilDateSchema.optional() }).default({});
export const NewSuspensionBodySchema = SuspensionSchema;
export { HolidayCalendarSchema, RestrictionRuleSchema };

/** GET /health */
export const HealthSchema = z.object({
  status: z.literal('ok'),
  service: z.string(),
  version: z.string(),
  stage: z.string(),
  time: z.string(),
});

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
