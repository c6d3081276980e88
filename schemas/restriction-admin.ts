/**
 * What operators read about the restriction data before they change it (report-restriction-data;
 * routes in schemas/routes.ts): everything the engine answers from, where each record comes from
 * (shipped with the code or stored by an administrator), the coverage gaps of the served cities, and
 * what uploading a calendar would change — computed by the same engine, before anything is saved.
 */
import * as z from 'zod';
import {
  CivilDateSchema,
  HolidayCalendarSchema,
  RestrictionAnswerSchema,
  RestrictionRuleSchema,
  SuspensionSchema,
} from './restrictions.ts';

/** `shipped`: in schemas/data only; `stored`: written by an administrator (it overlays the shipped record). */
export const DataSourceSchema = z.enum(['shipped', 'stored']);

export const CoverageGapSummarySchema = z.object({
  city: z.string(),
  firstMissingDay: CivilDateSchema,
  reason: z.enum(['no-rule', 'no-calendar', 'unknown-city']),
  missingDays: z.number().int(),
});

/** GET /v1/admin/restriction-data?date= */
export const RestrictionDataQuerySchema = z.object({ date: CivilDateSchema.optional() });

/** GET /v1/admin/restriction-data */
export const RestrictionDataReportSchema = z.object({
  today: CivilDateSchema,
  servedCities: z.array(z.string()),
  /** Each city's answer on the asked date (default today), from the data as stored now. */
  answers: z.object({ date: CivilDateSchema, cities: z.array(RestrictionAnswerSchema) }),
  coverage: z.object({
    from: CivilDateSchema,
    days: z.number().int(),
    gaps: z.array(CoverageGapSummarySchema),
    /** Every missing day of every served city in the window (city, date, why). */
    missingDays: z.array(z.object({ city: z.string(), date: CivilDateSchema, reason: z.string() })),
  }),
  calendars: z.array(
    z.object({ source: DataSourceSchema, version: z.number().int(), calendar: HolidayCalendarSchema }),
  ),
  rules: z.array(
    z.object({ source: DataSourceSchema, version: z.number().int(), rule: RestrictionRuleSchema }),
  ),
  suspensions: z.array(
    z.object({ source: DataSourceSchema, version: z.number().int(), suspension: SuspensionSchema }),
  ),
});
export type RestrictionDataReport = z.infer<typeof RestrictionDataReportSchema>;

const AnswerSummarySchema = RestrictionAnswerSchema.pick({
  status: true,
  reason: true,
  tails: true,
  holiday: true,
});

/** One date of one city whose answer the uploaded calendar would change. */
export const CalendarChangeSchema = z.object({
  date: CivilDateSchema,
  city: z.string(),
  before: AnswerSummarySchema,
  after: AnswerSummarySchema,
});
export type CalendarChange = z.infer<typeof CalendarChangeSchema>;

/** POST /v1/admin/calendars/{year}/changes: nothing is saved. */
export const CalendarChangesSchema = z.object({
  year: z.number().int(),
  /** Whether the year has a calendar now (upload) or the upload would replace one. */
  replaces: z.boolean(),
  cities: z.array(z.string()),
  /** Dates × cities whose answer differs, in date then city order. */
  changes: z.array(CalendarChangeSchema),
  /** Distinct dates among the changes. */
  changedDates: z.number().int(),
});
