/**
 * Driver notices: the contract of the traffic-management platform's events (POST
 * /v1/integrations/driver-events and the nightly JSON Lines drop), the ingest answer, the
 * integration secret, the settings of the driver functions and the admin API's shapes.
 *
 * Every event is validated on its own: a batch with some invalid events is answered event by
 * event, each refused one with the reason. Nothing personal is echoed back or logged: results name
 * the event by its id and index only.
 */
import * as z from 'zod';
import { CityCodeSchema, CivilDateSchema } from './restrictions.ts';

/** At most this many events per request (and per chunk of a JSON Lines drop). */
export const MAX_DRIVER_BATCH = 500;
/** Larger request bodies are refused before they are read as JSON. */
export const MAX_DRIVER_BODY_BYTES = 1024 * 1024;

export const DRIVER_EVENT_KINDS = [
  'vehicle-registry',
  'licence-registry',
  'violation',
  'points',
  'inspection-due',
  'insurance-expiry',
  'licence-renewal',
] as const;
export type DriverEventKind = (typeof DRIVER_EVENT_KINDS)[number];

/** The kinds that reach people: each is a notice kind (registry kinds only change what we know). */
export const DRIVER_NOTICE_KINDS = [
  'violation',
  'points',
  'inspection-due',
  'insurance-expiry',
  'licence-renewal',
] as const;
export const DriverNoticeKindSchema = z.enum(DRIVER_NOTICE_KINDS);
export type DriverNoticeKind = z.infer<typeof DriverNoticeKindSchema>;
/** The due-date kinds: reminders at configured offsets, planned by the daily schedule. */
export const DUE_KINDS = ['inspection-due', 'insurance-expiry', 'licence-renewal'] as const;
export type DueKind = (typeof DUE_KINDS)[number];

const Instant = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 instant with its offset' });
const EventId = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'event ids are 1–64 letters, digits and . _ : -');
/** 号牌种类, GA 24.7: 01 大型汽车, 02 小型汽车, 51/52 大型/小型新能源 … */
const PlateType = z.string().regex(/^\d{2}$/, 'plate types are the two-digit GA 24.7 code, e.g. 02');
/** The plate as the platform writes it; parsed and made canonical by the ingest (parsePlate). */
const PlateText = z.string().min(2).max(16);
/** 驾驶证号: the holder's identity card number (18 characters) or a foreign licence's number. */
const LicenceNumber = z
  .string()
  .regex(/^[0-9A-Z]{6,20}$/, 'a licence number is 6–20 digits and capital letters (18 for an ID card)');
/** A mainland mobile number; normalised to E.164 at ingest. */
const Phone = z.string().min(11).max(20);

const base = {
  eventId: EventId,
  /** When the platform's record changed: the newest event of a record wins, an older one is stale. */
  occurredAt: Instant,
};

export const VehicleRegistryEventSchema = z.strictObject({
  ...base,
  kind: z.literal('vehicle-registry'),
  plate: PlateText,
  plateType: PlateType,
  /** The last 6 characters of the VIN: stored only as a salted, keyed hash. */
  vinLast6: z.string().regex(/^[A-HJ-NPR-Z0-9]{6}$/i, 'the last 6 characters of a VIN (no I, O or Q)'),
  /** The owner's registered mobile: stored only encrypted (and as its keyed hash). */
  phone: Phone.optional(),
});
export const LicenceRegistryEventSchema = z.strictObject({
  ...base,
  kind: z.literal('licence-registry'),
  licenceNumber: LicenceNumber,
  /** 档案编号, 12 digits: stored only as a salted, keyed hash. */
  fileNumber: z.string().regex(/^\d{12}$/, 'a licence file number (档案编号) is 12 digits'),
  phone: Phone.optional(),
});
export const ViolationEventSchema = z.strictObject({
  ...base,
  kind: z.literal('violation'),
  /** The platform's record number of the violation (a state change comes as a new event for it). */
  violationId: EventId,
  plate: PlateText,
  plateType: PlateType,
  time: Instant,
  place: z.string().min(1).max(100),
  act: z.string().min(1).max(100),
  actCode: z.string().max(16).optional(),
  fineYuan: z.number().int().min(0).max(100_000),
  points: z.number().int().min(0).max(12),
  /** Where the platform serves the photos: only the links are kept, behind the personal page. */
  photos: z
    .array(z.url({ protocol: /^https$/, message: 'photo links are https URLs' }))
    .max(10)
    .default([]),
  state: z.enum(['unprocessed', 'processed', 'paid']),
});
export const PointsEventSchema = z.strictObject({
  ...base,
  kind: z.literal('points'),
  licenceNumber: LicenceNumber,
  /** Points in the current scoring cycle (12 is the full score; more is possible). */
  points: z.number().int().min(0).max(99),
  cycleEnd: CivilDateSchema.optional(),
});
const dueEvent = <K extends 'inspection-due' | 'insurance-expiry'>(kind: K) =>
  z.strictObject({
    ...base,
    kind: z.literal(kind),
    plate: PlateText,
    plateType: PlateType,
    dueDate: CivilDateSchema,
  });
export const InspectionDueEventSchema = dueEvent('inspection-due');
export const InsuranceExpiryEventSchema = dueEvent('insurance-expiry');
export const LicenceRenewalEventSchema = z.strictObject({
  ...base,
  kind: z.literal('licence-renewal'),
  licenceNumber: LicenceNumber,
  dueDate: CivilDateSchema,
});

export const DriverEventSchema = z.discriminatedUnion('kind', [
  VehicleRegistryEventSchema,
  LicenceRegistryEventSchema,
  ViolationEventSchema,
  PointsEventSchema,
  InspectionDueEventSchema,
  InsuranceExpiryEventSchema,
  LicenceRenewalEventSchema,
]);
export type DriverEvent = z.infer<typeof DriverEventSchema>;
export type ViolationEvent = z.infer<typeof ViolationEventSchema>;

/** The request body: the events are validated one by one (an invalid one does not refuse the batch). */
export const DriverEventBatchSchema = z.strictObject({
  events: z.array(z.unknown()).min(1).max(MAX_DRIVER_BATCH),
});

/**
 * What became of each event: `accepted` (applied; a notice follows where it is one), `duplicate`
 * (this event id was applied before), `stale` (a newer event of the same record was applied),
 * `invalid` (refused, with the reason).
 */
export const IngestStatusSchema = z.enum(['accepted', 'duplicate', 'stale', 'invalid']);
export type IngestStatus = z.infer<typeof IngestStatusSchema>;
export const EventResultSchema = z.object({
  index: z.number().int(),
  eventId: z.string().nullable(),
  status: IngestStatusSchema,
  reason: z.string().optional(),
  /** People a notice of this event went to the pipeline for (verified followers, or a registered phone). */
  notices: z.number().int().optional(),
});
export type EventResult = z.infer<typeof EventResultSchema>;
export const IngestAnswerSchema = z.object({
  results: z.array(EventResultSchema),
  accepted: z.number(),
  duplicate: z.number(),
  stale: z.number(),
  invalid: z.number(),
});
export type IngestAnswer = z.infer<typeof IngestAnswerSchema>;

// The integration secret ------------------------------------------------------------------------------

const Base64Key = z
  .string()
  .refine((s) => Buffer.from(s, 'base64').length >= 32, 'expected base64 of at least 32 bytes')
  .transform((s) => Buffer.from(s, 'base64'));

export const IntegrationSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{1,32}$/, 'integration ids are lowercase letters, digits and dashes'),
  /** The shared HMAC key of this integration (≥ 32 characters). */
  secret: z.string().min(32),
  /** IPv4 addresses or CIDRs the integration calls from; empty: any. */
  allowedIps: z.array(z.string()).default([]),
});
export type Integration = z.infer<typeof IntegrationSchema>;

/** The `driver-integrations` secret: the platform's integrations, the hashing pepper, the page key. */
export const DriverSecretSchema = z.strictObject({
  integrations: z.array(IntegrationSchema).min(1),
  /** HMAC key of plate, licence, VIN and file-number hashes. Changing it orphans every record. */
  pepper: Base64Key,
  /** HMAC key of the personal pages' links. Changing it expires every link sent. */
  pageKey: Base64Key,
});
export type DriverSecret = z.infer<typeof DriverSecretSchema>;

// Settings (the values are the blueprint's DRIVER_ENVIRONMENT) ----------------------------------------

const Flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const Offsets = z
  .string()
  .regex(/^-?\d{1,3}(,-?\d{1,3})*$/, 'comma-separated days before the due date, e.g. 30,7,0,-1')
  .transform((s) => [...new Set(s.split(',').map(Number))].sort((a, b) => b - a));

export const DriverSettingsSchema = z
  .object({
    /** The department's city: what driver runs and bundles are recorded under. */
    DRIVER_CITY: CityCodeSchema,
    /** Registry hashes, events and due dates are kept this long after their last change (TTL). */
    DRIVER_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650),
    /** A personal page's link opens for this many days after the notice. */
    DRIVER_PAGE_DAYS: z.coerce.number().int().min(1).max(365),
    /** Reminders of a due date, days before it (0: on the day, negative: overdue). */
    DRIVER_REMINDER_OFFSETS: Offsets,
    /** Owners with no verified binding get the notice by SMS to their registered phone. */
    DRIVER_SMS_TO_REGISTERED: Flag,
    /** A points event becomes a notice from this many points in the cycle. */
    DRIVER_POINTS_NOTICE_AT: z.coerce.number().int().min(0).max(99),
    /** Wrong proofs a follower may send for one plate or licence a day. */
    DRIVER_VERIFY_ATTEMPTS: z.coerce.number().int().min(1).max(20),
    /** Wrong proofs for one plate or licence a day, whoever sends them. */
    DRIVER_SUBJECT_ATTEMPTS: z.coerce.number().int().min(1).max(200),
    /**
     * A follower may also prove a plate or licence by a 6-digit code sent by SMS to the phone the
     * platform registered for it (`验证 京A12345 短信`, then `验证码 123456`). Off by default: each code
     * is an SMS, within the month's budget and the phone's caps.
     */
    DRIVER_VERIFY_BY_SMS: Flag,
    /** How long a code sent by SMS can be used (minutes). */
    DRIVER_SMS_CODE_MINUTES: z.coerce.number().int().min(1).max(60),
    /** Codes a day per follower (at most one a minute) and per plate or licence, whoever asks. */
    DRIVER_SMS_CODES_PER_DAY: z.coerce.number().int().min(1).max(20),
  })
  .transform((e) => ({
    city: e.DRIVER_CITY,
    retentionDays: e.DRIVER_RETENTION_DAYS,
    pageDays: e.DRIVER_PAGE_DAYS,
    offsets: e.DRIVER_REMINDER_OFFSETS,
    smsToRegistered: e.DRIVER_SMS_TO_REGISTERED,
    pointsNoticeAt: e.DRIVER_POINTS_NOTICE_AT,
    followerAttempts: e.DRIVER_VERIFY_ATTEMPTS,
    subjectAttempts: e.DRIVER_SUBJECT_ATTEMPTS,
    smsCode: {
      enabled: e.DRIVER_VERIFY_BY_SMS,
      minutes: e.DRIVER_SMS_CODE_MINUTES,
      perDay: e.DRIVER_SMS_CODES_PER_DAY,
    },
  }));
export type DriverSettings = z.output<typeof DriverSettingsSchema>;

/** The ingest route: how old a request's timestamp may be. */
/**
 * A code's SMS, handed by the webhook (receive-wechat) to the `driver-codes` queue (send-driver-code):
 * what deliverSms needs (the registered phone's SMS identity, the push key, the template values, the
 * code among them) and what the job needs to withdraw the code and tell the follower when the send is
 * blocked (who asked, on which account, the code's keyed hash, whether it was a plate or a licence).
 * Nothing else personal: no number (the phone is its keyed id; the sealed number stays in the
 * registry), and the plate only where the SMS itself says it (`values.subject`).
 */
export const DriverCodeJobSchema = z.strictObject({
  phoneId: z.string().min(1).max(128),
  pushKey: z.string().regex(/^driver-code#[0-9a-f]{24}$/),
  values: z.strictObject({
    code: z.string().regex(/^\d{6}$/),
    /** `车辆京A12345` or `驾驶证1101**********1234`, as the SMS says it. */
    subject: z.string().min(1).max(64),
    minutes: z.string().regex(/^\d{1,2}$/),
  }),
  follower: z.strictObject({
    channel: z.literal('wechat'),
    id: z.string().min(1).max(64),
    accountId: z.string().min(1).max(32),
  }),
  kind: z.enum(['plate', 'licence']),
  /** The pending code's keyed hash (core/drivers/sms-code.ts codeHash): withdrawn by it. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type DriverCodeJob = z.infer<typeof DriverCodeJobSchema>;

export const DriverIngestSettingsSchema = z
  .object({ DRIVER_MAX_SKEW_S: z.coerce.number().int().min(1).max(3600) })
  .transform((e) => ({ maxSkewSeconds: e.DRIVER_MAX_SKEW_S }));

// Admin API (manage-drivers) ---------------------------------------------------------------------------

export const DriverStatsQuerySchema = z.object({
  weeks: z.coerce.number().int().min(1).max(26).default(8),
});
export const DriverStatsSchema = z.object({
  weeks: z.array(
    z.object({
      week: z.string(),
      /** Notice kind → outcome → count (sent, capped, deferred-quiet, budget, …; planned). */
      notices: z.record(z.string(), z.record(z.string(), z.number())),
      verification: z.object({
        attempts: z.number(),
        verified: z.number(),
        wrong: z.number(),
        locked: z.number(),
        /** verified ÷ attempts; null without attempts. */
        rate: z.number().nullable(),
      }),
    }),
  ),
  /** Followers' verified plates and licences now. */
  verifiedOwners: z.number(),
});
export const VehiclePathSchema = z.object({ plate: z.string().min(2).max(32) });
export const DriverFollowerPathSchema = z.object({
  channel: z.enum(['wechat', 'sms']),
  id: z.string().min(1).max(128),
});
/** A vehicle as operators see it: masked unless the caller is admin; no hash, never the VIN. */
export const VehicleViewSchema = z.object({
  plate: z.string(),
  registered: z.boolean(),
  plateTypes: z.array(z.string()),
  registeredPhone: z.string().nullable(),
  owners: z.array(
    z.object({ channel: z.string(), id: z.string(), verifiedAt: z.string(), method: z.string() }),
  ),
  violations: z.array(
    z.object({
      time: z.string(),
      place: z.string(),
      act: z.string(),
      fineYuan: z.number(),
      points: z.number(),
      state: z.string(),
      photos: z.number(),
    }),
  ),
  due: z.array(z.object({ kind: z.string(), dueDate: z.string() })),
  masked: z.boolean(),
});
export const DriverFollowerViewSchema = z.object({
  channel: z.string(),
  id: z.string(),
  verified: z.array(z.object({ kind: z.string(), subject: z.string(), verifiedAt: z.string() })),
  masked: z.boolean(),
});

/** The daily schedule's input (plan-driver-reminders): the day, default today (Asia/Shanghai). */
export const DriverReminderRequestSchema = z.strictObject({ date: CivilDateSchema.optional() });
