/**
 * The citizen service desk (诉求): what people ask, report and complain about, as cases with a
 * number, a thread, a unit and an assignee. The stored case, its configuration as data (units,
 * routing rules, deadlines, canned answers: schemas/data/desk.json is the shipped first version), the
 * admin API's bodies and answers, the 12345 platform's contract and the queue jobs. The rules are in
 * functions/core/desk/.
 */
import * as z from 'zod';

export const CASE_CATEGORIES = [
  'consultation',
  'complaint',
  'suggestion',
  'report',
  'help',
  'praise',
] as const;
export const CaseCategorySchema = z.enum(CASE_CATEGORIES);
export type CaseCategory = z.infer<typeof CaseCategorySchema>;

/** How a citizen says each category (the words that open a case in WeChat). */
export const CATEGORY_WORDS: Record<CaseCategory, string> = {
  consultation: '咨询',
  complaint: '投诉',
  suggestion: '建议',
  report: '举报',
  help: '求助',
  praise: '表扬',
};

export const CASE_CHANNELS = ['wechat', 'sms', 'hotline', '12345', 'web'] as const;
export const CaseChannelSchema = z.enum(CASE_CHANNELS);
export type CaseChannel = z.infer<typeof CaseChannelSchema>;

export const CASE_STATUSES = ['new', 'assigned', 'replied', 'closed'] as const;
export const CaseStatusSchema = z.enum(CASE_STATUSES);
export type CaseStatus = z.infer<typeof CaseStatusSchema>;

/** Case numbers a citizen can quote: yymmdd and a sequence of the day (10 digits, more past 9,999). */
export const CaseNumberSchema = z.string().regex(/^\d{10,12}$/, 'a case number is 10 to 12 digits');

/** Free text from a citizen or an officer: no control characters but line breaks, bounded. */
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[\p{Cc}]/u.test(s.replace(/[\n\r\t]/g, '')), 'no control characters');
export const CaseTextSchema = text(2000);
const Sub = z.string().min(1).max(128);
const UnitId = z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'unit ids are kebab-case');

/** Who wrote: a WeChat follower, an SMS number (HMAC) or a phone given on the hotline / by 12345. */
export const CitizenSchema = z.strictObject({
  channel: z.enum(['wechat', 'sms']),
  /** openid, or the number's HMAC (never the number). */
  id: z.string().min(1).max(128),
  /** WeChat: the account the follower wrote to. */
  account: z.string().max(32).nullable().default(null),
  /** SMS: the number sealed with the phone vault (AES-256-GCM, AAD = id). */
  sealedPhone: z.string().max(512).nullable().default(null),
});
export type Citizen = z.infer<typeof CitizenSchema>;

export const ATTACHMENT_TYPES = ['image', 'voice', 'location'] as const;
export const AttachmentSchema = z.strictObject({
  id: z.string().min(1).max(64),
  type: z.enum(ATTACHMENT_TYPES),
  /** image, voice: WeChat's temporary media id (it expires after 3 days) until stored. */
  mediaId: z.string().max(256).nullable().default(null),
  /** Stored: the object key in the attachments bucket; refused: why. */
  state: z.enum(['pending', 'stored', 'refused']).default('pending'),
  objectKey: z.string().max(256).nullable().default(null),
  contentType: z.string().max(64).nullable().default(null),
  bytes: z.number().int().min(0).nullable().default(null),
  reason: z.string().max(300).nullable().default(null),
  /** voice: WeChat's speech recognition. */
  recognition: z.string().max(2000).nullable().default(null),
  location: z
    .strictObject({ latitude: z.number(), longitude: z.number(), label: z.string().max(200) })
    .nullable()
    .default(null),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

/** How an answer reached the citizen. */
export const DeliverySchema = z.strictObject({
  /** reply: in the channel's own answer (WeChat's passive reply, the 12345 call's response). */
  via: z.enum(['reply', 'customer-service', 'template', 'subscription', 'sms', '12345', 'none']),
  status: z.enum(['pending', 'sent', 'failed']),
  detail: z.string().max(300).nullable().default(null),
  at: z.string().nullable().default(null),
});
export type Delivery = z.infer<typeof DeliverySchema>;

export const MessageSchema = z.strictObject({
  id: z.string().min(1).max(64),
  at: z.string(),
  /** citizen: what they wrote; officer: an answer to them; note: internal, never sent. */
  from: z.enum(['citizen', 'officer', 'note', 'system']),
  author: z.string().max(128).nullable().default(null),
  text: z.string().max(2000).default(''),
  attachment: AttachmentSchema.nullable().default(null),
  delivery: DeliverySchema.nullable().default(null),
});
export type CaseMessage = z.infer<typeof MessageSchema>;

export const CaseSchema = z.strictObject({
  number: CaseNumberSchema,
  channel: CaseChannelSchema,
  category: CaseCategorySchema,
  /** The first words, for lists (the thread holds all). */
  subject: z.string().max(60),
  citizen: CitizenSchema.nullable(),
  /** 12345: the platform's ticket id. */
  externalId: z.string().max(64).nullable().default(null),
  area: z.string().max(40).nullable().default(null),
  unit: UnitId,
  assignee: Sub.nullable().default(null),
  status: CaseStatusSchema,
  version: z.number().int().min(1),
  createdAt: z.string(),
  updatedAt: z.string(),
  firstAnswerDue: z.string(),
  resolutionDue: z.string(),
  firstAnsweredAt: z.string().nullable().default(null),
  closedAt: z.string().nullable().default(null),
  /** Escalated (督办) to the unit's supervisors: when, and which deadline. */
  escalatedAt: z.string().nullable().default(null),
  escalation: z.enum(['first-answer', 'resolution']).nullable().default(null),
  lastCitizenAt: z.string().nullable().default(null),
  satisfaction: z.number().int().min(1).max(3).nullable().default(null),
  satisfactionAskedAt: z.string().nullable().default(null),
  /** Epoch seconds: the case and everything of it is purged then (retention). */
  expiresAt: z.number().int(),
});
export type Case = z.infer<typeof CaseSchema>;

export const HistoryEntrySchema = z.strictObject({
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  detail: z.record(z.string(), z.unknown()).default({}),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

// Configuration (data, managed content `desk`) ------------------------------------------------------

const HhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');

export const DeskConfigSchema = z
  .strictObject({
    /** The default unit: what no rule routes elsewhere goes here (the public-relations office). */
    defaultUnit: UnitId,
    units: z
      .array(
        z.strictObject({
          id: UnitId,
          name: z.string().min(1).max(40),
          /** Staff (JWT sub) who work this unit's desk, and who supervise it (督办 goes to them). */
          officers: z.array(Sub).default([]),
          supervisors: z.array(Sub).default([]),
        }),
      )
      .min(1),
    /** First match wins; each condition given must hold (a keyword: any of them in the text). */
    rules: z
      .array(
        z.strictObject({
          unit: UnitId,
          categories: z.array(CaseCategorySchema).min(1).optional(),
          keywords: z.array(z.string().min(1).max(20)).min(1).optional(),
          areas: z.array(z.string().min(1).max(40)).min(1).optional(),
        }),
      )
      .default([]),
    /** Working time: the hours of a working day (workdays and make-up workdays of the calendar). */
    workingHours: z.strictObject({ from: HhMm, to: HhMm }),
    /** Per category: the first answer within working hours, the resolution within working days. */
    deadlines: z.record(
      CaseCategorySchema,
      z.strictObject({
        firstAnswerHours: z.number().int().min(1).max(200),
        resolutionDays: z.number().int().min(1).max(60),
      }),
    ),
    /** A closed case is reopened by the citizen's message within this many days. */
    reopenDays: z.number().int().min(0).max(30),
    /** Follow-ups (texts, photos, voice, locations) attach to the open case within this many minutes. */
    followUpMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    canned: z
      .array(
        z.strictObject({
          id: z.string().regex(/^[a-z0-9-]{1,40}$/),
          title: z.string().min(1).max(40),
          text: z.string().min(1).max(1000),
          categories: z.array(CaseCategorySchema).default([]),
        }),
      )
      .default([]),
  })
  .superRefine((c, ctx) => {
    const ids = new Set(c.units.map((u) => u.id));
    if (!ids.has(c.defaultUnit))
      ctx.addIssue({ code: 'custom', path: ['defaultUnit'], message: `no unit '${c.defaultUnit}'` });
    c.rules.forEach((r, i) => {
      if (!ids.has(r.unit))
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'unit'], message: `no unit '${r.unit}'` });
    });
    for (const category of CASE_CATEGORIES)
      if (!c.deadlines[category])
        ctx.addIssue({ code: 'custom', path: ['deadlines', category], message: 'no deadline' });
    if (c.workingHours.from >= c.workingHours.to)
      ctx.addIssue({ code: 'custom', path: ['workingHours'], message: 'from must be before to' });
  });
export type DeskConfig = z.infer<typeof DeskConfigSchema>;

// Admin API --------------------------------------------------------------------------------------

export const CasePathSchema = z.object({ number: CaseNumberSchema });
export const AttachmentPathSchema = z.object({
  number: CaseNumberSchema,
  attachmentId: z.string().regex(/^[a-z0-9-]{1,64}$/),
});

/** GET /v1/admin/desk/cases?view=new|mine|overdue|open|closed&unit= */
export const CaseListQuerySchema = z.object({
  view: z.enum(['new', 'mine', 'open', 'overdue', 'closed']).default('open'),
  unit: UnitId.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const Version = z.number().int().min(1);
const Phone = z
  .string()
  .max(20)
  .regex(/^[+\d\s()-]{11,20}$/, 'a mainland mobile number');

/** POST /v1/admin/desk/cases: a case taken on the hotline (or from the web) by an officer. */
export const NewCaseSchema = z.strictObject({
  channel: z.enum(['hotline', 'web']),
  category: CaseCategorySchema,
  text: CaseTextSchema,
  /** Where answers go by SMS; none: answered only on the phone. */
  phone: Phone.optional(),
  area: z.string().trim().min(1).max(40).optional(),
});
export const ReplySchema = z.strictObject({ version: Version, text: CaseTextSchema });
export const NoteSchema = z.strictObject({ version: Version, text: CaseTextSchema });
export const AssignSchema = z.strictObject({ version: Version, assignee: Sub });
export const TransferSchema = z.strictObject({
  version: Version,
  unit: UnitId,
  reason: z.string().trim().min(1).max(300),
});
export const CloseSchema = z.strictObject({
  version: Version,
  /** Required when closing a case nobody answered (a duplicate, a withdrawn request). */
  reason: z.string().trim().min(1).max(300).optional(),
});

/**
 * A case as staff see it: the stored case without the citizen's sealed number (the citizen's id
 * masked unless the caller is admin), and whether it is overdue now.
 */
export const StaffCaseSchema = CaseSchema.extend({
  citizen: CitizenSchema.omit({ sealedPhone: true }).nullable(),
  overdue: z.enum(['first-answer', 'resolution']).nullable(),
});
export type StaffCase = z.infer<typeof StaffCaseSchema>;
/** The moves a case's status allows (answer is `reply`); the role matrix decides who may make them. */
export const CASE_ACTIONS = ['reply', 'note', 'assign', 'transfer', 'close'] as const;
export const CaseListSchema = z.strictObject({ cases: z.array(StaffCaseSchema) });
export const CaseDetailSchema = z.strictObject({
  case: StaffCaseSchema,
  /** The thread: what the citizen wrote, answers (with how each was delivered), notes, attachments. */
  messages: z.array(MessageSchema),
  history: z.array(HistoryEntrySchema),
  allowedActions: z.array(z.enum(CASE_ACTIONS)),
});
/** After a transfer: the case as it now stands (the officer may no longer see its thread). */
export const CaseMovedSchema = CaseDetailSchema.pick({ case: true, allowedActions: true });
export const AttachmentContentSchema = z.strictObject({
  id: z.string(),
  contentType: z.string(),
  bytes: z.number(),
  base64: z.string(),
});
export const CannedAnswersSchema = z.strictObject({ canned: DeskConfigSchema.shape.canned.unwrap() });
export const CannedQuerySchema = z.object({ category: CaseCategorySchema.optional() });
export const UnitsSchema = z.strictObject({
  units: DeskConfigSchema.shape.units,
  defaultUnit: z.string(),
});

export const MeasuresQuerySchema = z.object({ weeks: z.coerce.number().int().min(1).max(26).default(4) });
export const MeasuresSchema = z.object({
  weeks: z.array(
    z.object({
      week: z.string(),
      cases: z.number(),
      byCategory: z.record(z.string(), z.number()),
      byUnit: z.record(z.string(), z.number()),
      byChannel: z.record(z.string(), z.number()),
      medianFirstAnswerMinutes: z.number().nullable(),
      overdue: z.number(),
      satisfaction: z.object({ answers: z.number(), average: z.number().nullable() }),
    }),
  ),
});

// The 12345 platform ----------------------------------------------------------------------------

/** POST /integrations/12345/cases: a ticket the city's 12345 hotline hands to the traffic police. */
export const PlatformTicketSchema = z.strictObject({
  ticketId: z.string().regex(/^[A-Za-z0-9-]{4,64}$/, 'ticket ids are letters, digits and dashes'),
  category: CaseCategorySchema,
  text: CaseTextSchema,
  phone: Phone.optional(),
  area: z.string().trim().min(1).max(40).optional(),
});
export type PlatformTicket = z.infer<typeof PlatformTicketSchema>;
export const PlatformAcceptedSchema = z.object({
  caseNumber: CaseNumberSchema,
  ticketId: z.string(),
  firstAnswerDue: z.string(),
  resolutionDue: z.string(),
  duplicate: z.boolean(),
});
export const PlatformProblemSchema = z.object({ error: z.string() });

// Queue jobs ------------------------------------------------------------------------------------

/** `desk-answers`: one message of a case to deliver to its citizen on their channel. */
export const DeskAnswerJobSchema = z.strictObject({
  caseNumber: CaseNumberSchema,
  messageId: z.string().min(1).max(64),
  kind: z.enum(['acknowledgement', 'answer', 'satisfaction']),
});
export type DeskAnswerJob = z.infer<typeof DeskAnswerJobSchema>;

/** `desk-media`: a WeChat temporary media to keep before it expires. */
export const DeskMediaJobSchema = z.strictObject({
  caseNumber: CaseNumberSchema,
  messageId: z.string().min(1).max(64),
  accountId: z.string().min(1).max(32),
  mediaId: z.string().min(1).max(256),
  type: z.enum(['image', 'voice']),
});
export type DeskMediaJob = z.infer<typeof DeskMediaJobSchema>;

/** escalate-overdue-cases: nothing to configure. */
export const EscalationRequestSchema = z.object({}).loose();

// Managed content --------------------------------------------------------------------------------

export const CONTENT_NAMES = ['keywords', 'service-info', 'desk'] as const;
export const ContentNameSchema = z.enum(CONTENT_NAMES);
export type ContentName = z.infer<typeof ContentNameSchema>;
export const ContentPathSchema = z.object({ name: ContentNameSchema });

/** Service information the departments publish (windows and hours, rescue numbers, …), by topic. */
export const ServiceInfoSchema = z
  .array(
    z.strictObject({
      id: z.string().regex(/^[a-z0-9-]{1,40}$/),
      title: z.string().min(1).max(40),
      /** The words that ask for it (whole message), e.g. 办事窗口. */
      keys: z.array(z.string().min(1).max(20)).min(1),
      text: z.string().min(1).max(600),
    }),
  )
  .max(100);
export type ServiceInfo = z.infer<typeof ServiceInfoSchema>;

export const ContentUpdateSchema = z.strictObject({
  /** The version read (0: none stored yet, the shipped first version). */
  version: z.number().int().min(0),
  value: z.unknown(),
});
export const ContentViewSchema = z.object({
  name: ContentNameSchema,
  version: z.number(),
  value: z.unknown(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});
export const ContentVersionsSchema = z.object({
  name: ContentNameSchema,
  versions: z.array(z.object({ version: z.number(), at: z.string(), by: z.string() })),
});
