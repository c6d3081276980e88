/**
 * The one frequency cap every push passes, as data (stored in DynamoDB, editable by operators),
 * and the messages of the push pipeline (segments, deliveries).
 */
import * as z from 'zod';
import { CityCodeSchema, CivilDateSchema } from './restrictions.ts';
import { MonthSchema, queryInt } from './text.ts';
import { PushCategorySchema } from './vocabulary.ts';

/**
 * WeChat sends per second one delivery invocation may be asked for: the bound of the rate a run's
 * segments and bundles carry, and so of the settings it is planned from (./settings.ts).
 */
export const MAX_RATE_PER_INVOCATION = 1000;
const RatePerInvocation = z.number().int().min(1).max(MAX_RATE_PER_INVOCATION);

const HhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');

/**
 * Categories are capped in classes: `restriction` (its own), `routine` (notices), `transactional`
 * (a person's own notices: violations, points, due dates — its own cap, no weekly limit), `emergency`,
 * `desk` (answers to a citizen's own case: counted apart, never deferred by quiet hours).
 */
export const CapClassSchema = z.enum(['restriction', 'routine', 'transactional', 'emergency', 'desk']);
export type CapClass = z.infer<typeof CapClassSchema>;

export const ChannelPolicySchema = z.strictObject({
  classOf: z.strictObject({
    restriction: CapClassSchema,
    notice: CapClassSchema,
    transactional: CapClassSchema,
    emergency: CapClassSchema,
    /** Policies saved before the desk existed read as the desk's own class. */
    desk: CapClassSchema.default('desk'),
  }),
  /** Per civil day (Asia/Shanghai) per subscriber. */
  perDay: z.strictObject({
    restriction: z.number().int().min(0),
    routine: z.number().int().min(0),
    /** A policy saved before the class existed gets the default. */
    transactional: z.number().int().min(0).default(3),
    emergency: z.number().int().min(0),
    desk: z.number().int().min(0).default(5),
  }),
  /** Routine pushes over the 7 civil days ending today. */
  routinePer7Days: z.number().int().min(0),
  /**
   * Routine pushes inside the window are deferred to its end; emergencies are not. null = none.
   * `restrictionFrom`: restriction reminders may go from this time inside the window (its morning
   * end), so the morning reminder can arrive before restrictions begin; without it they wait too.
   */
  quietHours: z
    .strictObject({ from: HhMm, to: HhMm, restrictionFrom: HhMm.optional() })
    .refine((q) => q.restrictionFrom === undefined || q.restrictionFrom < q.to, {
      message: 'restrictionFrom must be before the window ends (to)',
      path: ['restrictionFrom'],
    })
    .nullable(),
});
export type ChannelPolicy = z.infer<typeof ChannelPolicySchema>;

export const FrequencyPolicySchema = z.strictObject({
  timeZone: z.literal('Asia/Shanghai'),
  channels: z.strictObject({ wechat: ChannelPolicySchema, sms: ChannelPolicySchema }),
});
export type FrequencyPolicy = z.infer<typeof FrequencyPolicySchema>;

export const DEFAULT_POLICY: FrequencyPolicy = {
  timeZone: 'Asia/Shanghai',
  channels: {
    wechat: {
      classOf: {
        restriction: 'restriction',
        notice: 'routine',
        transactional: 'transactional',
        emergency: 'emergency',
        desk: 'desk',
      },
      perDay: { restriction: 1, routine: 1, transactional: 3, emergency: 3, desk: 5 },
      routinePer7Days: 4,
      // The morning reminder is planned to arrive before restrictions begin (07:00 in most cities).
      quietHours: { from: '21:30', to: '07:00', restrictionFrom: '06:30' },
    },
    sms: {
      // SMS: at most one message a day whatever it is (emergencies aside).
      classOf: {
        restriction: 'routine',
        notice: 'routine',
        transactional: 'transactional',
        emergency: 'emergency',
        desk: 'desk',
      },
      perDay: { restriction: 0, routine: 1, transactional: 2, emergency: 2, desk: 3 },
      routinePer7Days: 4,
      quietHours: { from: '21:30', to: '07:00', restrictionFrom: '06:30' },
    },
  },
};

export const OUTCOMES = [
  'sent',
  'failed',
  'capped',
  'duplicate',
  'deferred-quiet',
  'opted-out',
  'unfollowed',
  'blocked',
  'budget',
  'provider-permanent',
  'unknown-outcome',
  /** A restriction reminder not sent because none of the subscriber's plates is restricted that day. */
  'exempt',
  /** A recipient who cannot be delivered to (a stored plate or id the system can no longer read). */
  'invalid-recipient',
  /**
   * A planned recipient the push had already reached through another of its entries (a second
   * plate in another tail's segment, an earlier version of the notice): not sent again.
   */
  'already-reached',
  /** Their account sends this category as subscription notices only, and they have not accepted it. */
  'not-subscribed',
  /** Their account cannot send template messages: the notice reached them as the account's mass send. */
  'mass-send',
  /** Their account cannot send this category at all (a subscription account and a restriction reminder). */
  'unsendable',
] as const;
export const OutcomeSchema = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof OutcomeSchema>;

export const SlotSchema = z.enum(['morning', 'evening']);

// Admin API (manage-pushes; the routes are declared in schemas/routes.ts) ----------------------------

/** GET /v1/admin/pushes?limit=&cursor=&month=YYYY-MM — newest first across months; `month` filters. */
export const PushRunsQuerySchema = z.object({
  limit: queryInt(1, 100).default(20),
  /** The `cursor` of the previous page. */
  cursor: z.string().min(1).max(1000).optional(),
  /** Only runs started in this month (Asia/Shanghai). */
  month: MonthSchema.optional(),
});
/** GET /v1/admin/pushes/{id}: the URL-encoded run key. */
export const PushRunPathSchema = z.object({ id: z.string().min(1).max(200) });

/** POST /v1/admin/pushes/restriction: run (idempotently) or preview (dryRun) a restriction push. */
export const RestrictionPushTriggerSchema = z.strictObject({
  city: CityCodeSchema,
  date: CivilDateSchema.optional(),
  slot: SlotSchema.default('morning'),
  dryRun: z.boolean().default(false),
  /** Run it although the date has passed (audited): people are told about a day that is over. */
  force: z.boolean().default(false),
});

/** POST /v1/admin/pushes/{id}/resume: what was emitted again. */
export const ResumeReportSchema = z.object({
  key: z.string(),
  /** Since when it had stalled; null: it had not (an operator may resume a running run anyway). */
  stalledSince: z.string().nullable(),
  resumed: z.object({
    segments: z.number(),
    bundles: z.number(),
    recipients: z.number(),
    /** Article mass sends (subscription accounts) with no result recorded, sent for again. */
    massSends: z.number(),
  }),
});

/** PUT /v1/admin/policies/frequency: the new policy, based on the version read. */
export const PolicyUpdateSchema = z.strictObject({
  version: z.number().int().min(0),
  policy: FrequencyPolicySchema,
});
export const VersionedPolicySchema = z.object({ policy: FrequencyPolicySchema, version: z.number() });

/** A push run as the admin API reports it. */
/**
 * A run's life: `running` until every segment is expanded and every recipient has an outcome, then
 * `completed` (or `completed-with-failures` when some outcome is a failure); `aborted` when stopped
 * (quota, configuration); `skipped` when there was nothing to send (not a restriction day, …).
 */
export const RUN_STATUSES = [
  'running',
  'completed',
  'completed-with-failures',
  'aborted',
  'skipped',
] as const;
export const RunStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatusSchema>;

/** How a run is paced to arrive by its deadline (functions/core/pushes/deadline.ts planPace). */
export const PacePlanSchema = z.object({
  /** The fan-out index's count of the run's segments when it was planned. */
  audience: z.number(),
  startAt: z.string(),
  /** When restrictions begin (morning) or quiet hours do (evening); null: none. */
  deadline: z.string().nullable(),
  /** The deadline less the margin: when the last send is planned to be done by. */
  finishBy: z.string().nullable(),
  ratePerInvocation: z.number(),
  concurrency: z.number(),
  totalRate: z.number(),
  plannedFinish: z.string(),
  /** Whether the plan finishes by `finishBy` within the limits; null: no deadline. */
  meetsDeadline: z.boolean().nullable(),
});
export type PacePlan = z.infer<typeof PacePlanSchema>;

export const PushRunReportSchema = z
  .object({
    key: z.string(),
    status: RunStatusSchema,
    reason: z.string().nullable(),
    /** Outcomes, `planned`, and the receipts WeChat reported later (`delivered`, `failed:…`). */
    counts: z.record(z.string(), z.number()),
    done: z.boolean(),
    /** Recipients with an outcome so far (of `counts.planned`): the run's progress. */
    settled: z.number(),
    unsent: z.number(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    /** A running run with some of its audience without an outcome and no activity for a while. */
    stalledSince: z.string().nullable(),
    /** Restriction runs: the pace planned for the deadline (null for runs planned before it existed). */
    pace: PacePlanSchema.nullable(),
    /** Whether the run finished before its deadline (null: no deadline, or not finished yet). */
    metDeadline: z.boolean().nullable(),
  })
  .loose();

/** One page of runs, newest first; `cursor` continues it (null: the last page). */
export const PushRunPageSchema = z.object({
  runs: z.array(PushRunReportSchema),
  cursor: z.string().nullable(),
});

/** Pushes and attributed unfollows by category and ISO week (GET /v1/admin/stats/pushes). */
export const PushStatsReportSchema = z.object({
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
});

/** EventBridge Scheduler → plan-restriction-push; date defaults from the slot (morning: today, evening: tomorrow). */
export const RestrictionPushRequestSchema = z.strictObject({
  city: CityCodeSchema,
  date: CivilDateSchema.optional(),
  slot: SlotSchema,
});

/** A restriction segment: one city × tail × slot × shard of the sparse fan-out index. */
/** Run and push keys: `restriction#{city}#{date}#{slot}`, `notice#{id}#v{version}`, … */
const PushKeySchema = z.string().min(1).max(200);
/** Template values and SMS parameters, as planners render them. */
const TemplateValuesSchema = z
  .record(z.string().max(64), z.string().max(2000))
  .refine((v) => Object.keys(v).length <= 20, 'at most 20 values');

export const RestrictionSegmentSchema = z.strictObject({
  kind: z.literal('restriction').optional(),
  runKey: PushKeySchema,
  category: PushCategorySchema,
  city: CityCodeSchema,
  date: CivilDateSchema,
  slot: SlotSchema,
  tail: z.number().int().min(0).max(9),
  shard: z.number().int().min(0),
  /** The planned sends per second per delivery invocation (deadline pacing); absent: the configured rate. */
  ratePerSecond: RatePerInvocation.optional(),
});
export type RestrictionSegment = z.infer<typeof RestrictionSegmentSchema>;

/**
 * A notice segment: one of `of` parallel Scan segments of the subscribers table, filtered by the
 * notice's audience. Carries everything expansion needs, so it reads neither the notice nor accounts.
 */
export const NoticeSegmentSchema = z.strictObject({
  kind: z.literal('notice'),
  runKey: PushKeySchema,
  pushKey: PushKeySchema,
  category: PushCategorySchema,
  city: CityCodeSchema,
  date: CivilDateSchema,
  audience: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('all-followers') }),
    z.strictObject({ type: z.literal('bound-in-city') }),
    z.strictObject({ type: z.literal('tails'), tails: z.array(z.number().int().min(0).max(9)).min(1) }),
    z.strictObject({ type: z.literal('internal') }),
  ]),
  channels: z
    .array(z.enum(['wechat', 'sms']))
    .min(1)
    .max(2),
  /** Accounts whose followers are officers (audience `internal`); excluded from public audiences. */
  internalAccounts: z.array(z.string().max(32)).max(50),
  /** The notice's placeholder values (delivery fills each account's template keys from them). */
  values: TemplateValuesSchema,
  /** SMS template parameters (title, summary). */
  smsValues: TemplateValuesSchema.optional(),
  scan: z.number().int().min(0),
  of: z.number().int().min(1).max(64),
});
export type NoticeSegment = z.infer<typeof NoticeSegmentSchema>;

export const SegmentMessageSchema = z.union([NoticeSegmentSchema, RestrictionSegmentSchema]);
export type SegmentMessage = z.infer<typeof SegmentMessageSchema>;

/** Recipients per delivery message: one SQS message, one SNS publish and one receipt per bundle. */
export const MAX_BUNDLE = 50;

export const RecipientSchema = z.strictObject({
  /** The subscriber's id on the channel (WeChat openid, SMS number HMAC): what keys are built from. */
  id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'a subscriber id is 1–128 letters, digits, - and _'),
  /** Their bound plates this push is about (restriction reminders); empty for notices. */
  plates: z.array(z.string().max(16)).max(10).default([]),
});
export type Recipient = z.infer<typeof RecipientSchema>;

/**
 * A recipient that does not parse (an empty or overlong id, a wrong shape) is kept in its place under
 * `invalid#<position>`, so it is settled alone as `invalid-recipient` instead of failing its bundle.
 */
export const INVALID_RECIPIENT = 'invalid#';
export const isInvalidRecipient = (r: Recipient) => r.id.startsWith(INVALID_RECIPIENT);
const RecipientsSchema = z
  .array(RecipientSchema.catch({ id: INVALID_RECIPIENT, plates: [] }))
  .min(1)
  .max(MAX_BUNDLE)
  .transform((rs) =>
    rs.map((r, i) => (r.id === INVALID_RECIPIENT ? { ...r, id: `${INVALID_RECIPIENT}${i}` } : r)),
  );

/**
 * A bundle of recipients of one push on one channel and account. `bundle` is deterministic (run,
 * segment, page, chunk), so a page expanded twice yields the same bundles and a redelivered bundle
 * finds the receipt its first attempt wrote.
 */
export const DeliveryMessageSchema = z.strictObject({
  bundle: z.string().min(1).max(300),
  runKey: PushKeySchema,
  /** Dedupe key per (subscriber, push): the run key for a run that reaches each person once. */
  pushKey: PushKeySchema,
  category: PushCategorySchema,
  channel: z.enum(['wechat', 'sms']),
  account: z.string().min(1).max(32),
  city: CityCodeSchema,
  date: CivilDateSchema,
  recipients: RecipientsSchema,
  /**
   * The notice's placeholder values (title, window, …; functions/core/wechat/placeholders.ts), which
   * delivery fills each account's template keys from; a value under a template key itself
   * (`keyword1`) is sent as given, fitted to its type. Restriction reminders are rendered at delivery.
   */
  values: TemplateValuesSchema.optional(),
  /**
   * The run's planned WeChat sends per second per invocation (deadline pacing, never above the
   * deliverer's PUSH_MAX_RATE_PER_SECOND); absent: the configured rate. SMS keeps its gateway's rate.
   */
  ratePerSecond: RatePerInvocation.optional(),
  /** Released after quiet hours: not deferred again. */
  deferred: z.boolean().optional(),
  /** A follower deferred after WeChat's 43117 (messaged too often): which attempt this is. */
  frequencyAttempt: z.number().int().min(1).max(5).optional(),
  /** WeChat bundles of notices: the SMS parameters, should a recipient fall back to SMS. */
  fallbackValues: TemplateValuesSchema.optional(),
  /** An SMS bundle sent because the WeChat push failed permanently (counted apart on the run). */
  fallback: z.literal(true).optional(),
  /**
   * SMS to owners' registered phones (driver notices): not SMS subscribers, so no profile means not
   * opted out, and the number is the registry's (an opt-out by TD still stops them).
   */
  registeredPhone: z.literal(true).optional(),
});
export type DeliveryMessage = z.infer<typeof DeliveryMessageSchema>;
