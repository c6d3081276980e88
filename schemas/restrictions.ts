/**
 * Restriction data (holiday calendars, city rule records, suspensions) and the answers the engine
 * gives. The shipped files under schemas/data/ are validated against these at load and in tests;
 * admin uploads are validated against the same schemas.
 */
import * as z from 'zod';
import { identifier, text, url } from './text.ts';

export const CivilDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a real calendar date');
export type CivilDate = z.infer<typeof CivilDateSchema>;

export const CityCodeSchema = z
  .string()
  .max(20)
  .regex(/^[a-z]{2,20}$/, 'city codes are lowercase pinyin, e.g. beijing, xian');

const HhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');
export const TimeWindowSchema = z.strictObject({ from: HhMm, to: HhMm }).refine((w) => w.from < w.to, {
  message: 'a window must end after it starts',
});
export type TimeWindow = z.infer<typeof TimeWindowSchema>;

// ---------------------------------------------------------------------------------------------
// Holiday calendars (State Council notice per year)

/** A year has 7 statutory holidays and a handful of make-up workdays; the limits leave room. */
export const CALENDAR_LIMITS = { notice: 200, name: 60, holidays: 40, makeUpWorkdays: 40 } as const;

export const HolidayCalendarSchema = z
  .strictObject({
    year: z.number().int().min(2000).max(2100),
    /** The State Council notice, e.g. 国办发明电〔2024〕12号. */
    notice: text(CALENDAR_LIMITS.notice),
    source: url(),
    holidays: z
      .array(
        z.strictObject({
          name: text(CALENDAR_LIMITS.name),
          nameEn: text(CALENDAR_LIMITS.name),
          from: CivilDateSchema,
          to: CivilDateSchema,
        }),
      )
      .min(1)
      .max(CALENDAR_LIMITS.holidays),
    makeUpWorkdays: z
      .array(z.strictObject({ date: CivilDateSchema, for: text(CALENDAR_LIMITS.name) }))
      .max(CALENDAR_LIMITS.makeUpWorkdays),
  })
  .superRefine((cal, ctx) => {
    cal.holidays.forEach((h, i) => {
      if (h.to < h.from)
        ctx.addIssue({ code: 'custom', path: ['holidays', i, 'to'], message: 'range ends before it starts' });
      // A holiday range may start in the previous year (元旦 2023 began 2022-12-31) but must touch its year.
      if (!h.to.startsWith(String(cal.year)) && !h.from.startsWith(String(cal.year))) {
        ctx.addIssue({ code: 'custom', path: ['holidays', i], message: `range lies outside ${cal.year}` });
      }
    });
    const offDays = new Set(cal.holidays.flatMap((h) => expandRange(h.from, h.to)));
    cal.makeUpWorkdays.forEach((m, i) => {
      if (!m.date.startsWith(String(cal.year))) {
        ctx.addIssue({
          code: 'custom',
          path: ['makeUpWorkdays', i, 'date'],
          message: `date lies outside ${cal.year}`,
        });
      }
      if (offDays.has(m.date)) {
        ctx.addIssue({
          code: 'custom',
          path: ['makeUpWorkdays', i, 'date'],
          message: 'a make-up workday cannot be a day off',
        });
      }
      if (!cal.holidays.some((h) => h.name === m.for)) {
        ctx.addIssue({
          code: 'custom',
          path: ['makeUpWorkdays', i, 'for'],
          message: `no holiday named '${m.for}'`,
        });
      }
    });
  });
export type HolidayCalendar = z.infer<typeof HolidayCalendarSchema>;

/** Every civil date from `from` to `to`, inclusive. */
export function expandRange(from: string, to: string): string[] {
  const out: string[] = [];
  const d = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  for (; d <= end; d.setUTCDate(d.getUTCDate() + 1)) out.push(d.toISOString().slice(0, 10));
  return out;
}

// ---------------------------------------------------------------------------------------------
// City rule records

const Tail = z.number().int().min(0).max(9);
const TailPair = z.tuple([Tail, Tail]);
/** Index into `pairs` for Mon..Fri. */
const WeekdayMap = z.tuple([
  z.number().int(),
  z.number().int(),
  z.number().int(),
  z.number().int(),
  z.number().int(),
]);

export const LetterTailRuleSchema = z.union([
  z.literal('zero'),
  z.literal('last-digit'),
  z.string().regex(/^fixed:\d$/),
]);
export type LetterTailRule = z.infer<typeof LetterTailRuleSchema>;

export const ExemptionSchema = z.enum([
  /** Every new-energy (green) plate, any province (Xi'an). */
  'nev-all',
  /** Pure-electric new-energy plates registered in this city's province (Beijing). */
  'nev-local-pure-electric',
  /** Police plates (警). */
  'police',
  /** Emergency-rescue plates (应急). */
  'emergency',
]);
export type Exemption = z.infer<typeof ExemptionSchema>;

/** Stored rule and suspension records stay far below DynamoDB's 400 KB item (one item per record). */
export const RULE_LIMITS = {
  id: 80,
  cityName: 20,
  area: 500,
  sources: 10,
  source: 500,
  notes: 2000,
  windows: 6,
  periods: 400,
  reason: 200,
} as const;

/** Record ids (rules, suspensions): lowercase letters, digits and dashes. */
export const RecordIdSchema = identifier(
  /^[a-z0-9-]+$/,
  RULE_LIMITS.id,
  'ids are lowercase letters, digits and dashes',
);

export const RestrictionRuleSchema = z
  .strictObject({
    id: RecordIdSchema,
    city: CityCodeSchema,
    cityName: text(RULE_LIMITS.cityName),
    /** The province abbreviation of local plates, for local-only exemptions. */
    province: text(1),
    validFrom: CivilDateSchema,
    /** Inclusive; null = until a later record or notice closes it. */
    validTo: CivilDateSchema.nullable(),
    scheme: z.enum(['fixed-weekday', 'rotating-weekday']),
    pairs: z.array(TailPair).length(5),
    /** fixed-weekday: pair index for Mon..Fri. */
    weekdayMap: WeekdayMap.optional(),
    /** rotating-weekday: the formula and, where published, the explicit period table. */
    rotation: z
      .strictObject({
        periodDays: z.number().int().positive(),
        anchorMonday: CivilDateSchema,
        anchorMap: WeekdayMap,
        shiftPerPeriod: z.number().int(),
        periods: z
          .array(z.strictObject({ from: CivilDateSchema, to: CivilDateSchema, weekdayMap: WeekdayMap }))
          .max(RULE_LIMITS.periods)
          .default([]),
      })
      .optional(),
    windows: z.array(TimeWindowSchema).min(1).max(RULE_LIMITS.windows),
    area: text(RULE_LIMITS.area),
    letterTail: LetterTailRuleSchema,
    exemptions: z.array(ExemptionSchema).max(ExemptionSchema.options.length).default([]),
    verified: z.boolean(),
    sources: z.array(text(RULE_LIMITS.source)).min(1).max(RULE_LIMITS.sources),
    notes: text(RULE_LIMITS.notes, { multiLine: true }).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.validTo !== null && r.validTo < r.validFrom) {
      ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'validity ends before it starts' });
    }
    if (r.scheme === 'fixed-weekday' && !r.weekdayMap) {
      ctx.addIssue({
        code: 'custom',
        path: ['weekdayMap'],
        message: 'a fixed-weekday rule needs weekdayMap',
      });
    }
    if (r.scheme === 'rotating-weekday' && !r.rotation) {
      ctx.addIssue({ code: 'custom', path: ['rotation'], message: 'a rotating-weekday rule needs rotation' });
    }
    const maps = [
      r.weekdayMap,
      r.rotation?.anchorMap,
      ...(r.rotation?.periods ?? []).map((p) => p.weekdayMap),
    ];
    for (const map of maps) {
      if (map?.some((i) => i < 0 || i > 4)) {
        ctx.addIssue({ code: 'custom', path: ['weekdayMap'], message: 'weekday maps index pairs 0..4' });
      }
    }
    r.rotation?.periods.forEach((p, i) => {
      if (p.to < p.from)
        ctx.addIssue({
          code: 'custom',
          path: ['rotation', 'periods', i, 'to'],
          message: 'a period ends before it starts',
        });
    });
    if (r.rotation && new Date(`${r.rotation.anchorMonday}T00:00:00Z`).getUTCDay() !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['rotation', 'anchorMonday'],
        message: 'the anchor must be a Monday',
      });
    }
  });
export type RestrictionRule = z.infer<typeof RestrictionRuleSchema>;

export const SuspensionSchema = z
  .strictObject({
    id: RecordIdSchema,
    city: CityCodeSchema,
    from: CivilDateSchema,
    /** Inclusive; null = until lifted. */
    to: CivilDateSchema.nullable(),
    reason: text(RULE_LIMITS.reason),
    noticeId: z.string().min(1).max(64).nullable(),
    /** Set when an operator lifts the suspension early; the record stays for the audit trail. */
    liftedOn: CivilDateSchema.nullable().default(null),
    sources: z.array(text(RULE_LIMITS.source)).max(RULE_LIMITS.sources).default([]),
  })
  .superRefine((s, ctx) => {
    if (s.to !== null && s.to < s.from)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'suspension ends before it starts' });
    if (s.liftedOn !== null && s.liftedOn < s.from)
      ctx.addIssue({
        code: 'custom',
        path: ['liftedOn'],
        message: 'a suspension is not lifted before it starts',
      });
  });
export type Suspension = z.infer<typeof SuspensionSchema>;

// ---------------------------------------------------------------------------------------------
// Answers

export const RestrictionReasonSchema = z.enum([
  'rule',
  'weekend',
  'holiday',
  'makeup-workday',
  'suspended',
  'no-rule',
  'no-calendar',
]);
export type RestrictionReason = z.infer<typeof RestrictionReasonSchema>;

export const RestrictionAnswerSchema = z.object({
  city: z.string(),
  date: CivilDateSchema,
  status: z.enum(['restricted', 'unrestricted', 'unknown']),
  tails: z.array(Tail),
  windows: z.array(TimeWindowSchema),
  area: z.string().nullable(),
  reason: RestrictionReasonSchema,
  ruleId: z.string().nullable(),
  notice: z.object({ id: z.string().nullable(), reason: z.string() }).nullable(),
  /** Holiday name for reason holiday / makeup-workday. */
  holiday: z.string().nullable(),
});
export type RestrictionAnswer = z.infer<typeof RestrictionAnswerSchema>;

export const PlateRestrictionAnswerSchema = RestrictionAnswerSchema.extend({
  plate: z.string(),
  plateDisplay: z.string(),
  plateType: z.string(),
  tail: Tail.nullable(),
  exemption: z.object({ reason: z.string() }).nullable(),
  restricted: z.boolean(),
});
export type PlateRestrictionAnswer = z.infer<typeof PlateRestrictionAnswerSchema>;
