/**
 * The SMS channel's data: providers, the templates registered with the gateways (schemas/data/
 * sms-templates.json) and the gateways' callbacks (replies and delivery receipts), exactly as each
 * gateway posts them (notify.md §4.1–§4.2). Callbacks arrive one object or a JSON array.
 */
import * as z from 'zod';
import { MonthSchema } from './text.ts';

export const SmsProviderSchema = z.enum(['tencent', 'aliyun', 'sns']);
export type SmsProvider = z.infer<typeof SmsProviderSchema>;
/** Providers that call our webhooks back (SNS reports through CloudWatch Logs instead). */
export const CallbackProviderSchema = z.enum(['tencent', 'aliyun']);
export type CallbackProvider = z.infer<typeof CallbackProviderSchema>;

export const SmsTemplateKindSchema = z.enum([
  'restriction-reminder',
  'notice',
  'opt-out-confirmation',
  'bind-confirmation',
  'restriction-answer',
  'fallback-linked',
  'driver-violation',
  'driver-points',
  'driver-due',
  /** A code that proves a follower owns a plate or licence (DRIVER_VERIFY_BY_SMS). */
  'driver-code',
  'desk-acknowledgement',
  'desk-answer',
  'desk-answer-link',
  'desk-satisfaction',
]);
export type SmsTemplateKind = z.infer<typeof SmsTemplateKindSchema>;

const ParamName = z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'parameter names are camelCase');

export const SmsTemplateSchema = z
  .strictObject({
    /** What the template is registered for with each gateway (SNS has no templates: it sends the text). */
    ids: z.strictObject({ tencent: z.string().min(1), aliyun: z.string().regex(/^SMS_\d+$/) }),
    /** In the order of Tencent's {1}{2}…; Aliyun receives them by name (${name}). */
    params: z.array(ParamName),
    /** The body as registered, with {name} where a parameter goes; no 【】 (the gateway adds the sign). */
    text: z
      .string()
      .min(1)
      .max(500)
      .refine((t) => !/[【】]/.test(t), 'the body may not contain 【】; the sign is added by the gateway'),
  })
  .superRefine((t, ctx) => {
    const used = [...t.text.matchAll(/\{([a-zA-Z0-9]+)\}/g)].map((m) => m[1]!);
    if (used.join(',') !== t.params.join(','))
      ctx.addIssue({
        code: 'custom',
        path: ['params'],
        message: `params must list the placeholders of text in order (text has ${used.join(', ') || 'none'})`,
      });
  });
export type SmsTemplate = z.infer<typeof SmsTemplateSchema>;

export const SmsCatalogueSchema = z.strictObject({
  /** The registered signature (签名) without 【】; it counts towards the length. */
  signName: z.string().min(2).max(12),
  templates: z.strictObject(
    Object.fromEntries(SmsTemplateKindSchema.options.map((k) => [k, SmsTemplateSchema])) as Record<
      SmsTemplateKind,
      typeof SmsTemplateSchema
    >,
  ),
});
export type SmsCatalogue = z.infer<typeof SmsCatalogueSchema>;

/** A mobile number as a gateway reports it: digits only (Tencent: without the nation code). */
const Digits = z.string().regex(/^\+?\d{5,20}$/, 'expected a phone number of digits');
const Text = z.string().max(1000, 'an SMS reply is at most 1,000 characters');

export const TencentReplySchema = z.strictObject({
  extend: z.string().max(32).default(''),
  mobile: Digits,
  nationcode: z.string().regex(/^\d{1,4}$/),
  sign: z.string().max(64).default(''),
  text: Text,
  time: z.number().int().nonnegative(),
});
export const AliyunReplySchema = z.strictObject({
  phone_number: Digits,
  content: Text,
  send_time: z.string().max(40),
  dest_code: z.string().max(40).default(''),
  sequence_id: z.union([z.number().int(), z.string().max(40)]).transform(String),
  sign_name: z.string().max(64).optional(),
});
export const TencentReceiptSchema = z.strictObject({
  user_receive_time: z.string().max(40),
  nationcode: z.string().regex(/^\d{1,4}$/),
  mobile: Digits,
  report_status: z.enum(['SUCCESS', 'FAIL']),
  errmsg: z.string().max(200),
  description: z.string().max(500),
  sid: z.string().min(1).max(128),
});
export const AliyunReceiptSchema = z.strictObject({
  phone_number: Digits,
  send_time: z.string().max(40),
  report_time: z.string().max(40),
  success: z.boolean(),
  err_code: z.string().max(64),
  err_msg: z.string().max(500),
  sms_size: z.string().max(8),
  biz_id: z.string().min(1).max(128),
  out_id: z.string().max(128).nullable().default(null),
});

/** One object or a batch (array) of them; at most 1,000 in one call. */
export const batchOf = <T extends z.ZodType>(item: T) =>
  z.union([z.array(item).min(1).max(1000), item.transform((x) => [x])]);

export type TencentReply = z.infer<typeof TencentReplySchema>;
export type AliyunReply = z.infer<typeof AliyunReplySchema>;
export type TencentReceipt = z.infer<typeof TencentReceiptSchema>;
export type AliyunReceipt = z.infer<typeof AliyunReceiptSchema>;

/** GET /v1/admin/sms/budget?month=YYYY-MM (default: this month). */
export const SmsBudgetQuerySchema = z.object({ month: MonthSchema.optional() });

/** GET /v1/admin/sms/budget */
export const SmsBudgetReportSchema = z.object({
  month: z.string(),
  provider: SmsProviderSchema,
  ceilingFen: z.number().int(),
  spentFen: z.number().int(),
  remainingFen: z.number().int(),
  pricePerPartFen: z.number().int(),
  exhausted: z.boolean(),
});

/**
 * What the callback webhook answers each gateway (functions/adapters/sms/webhook.ts `answer`): 0 with
 * 200, so it does not retry; 1 and the reason with a 4xx.
 */
export const TencentCallbackAnswerSchema = z.object({ result: z.number().int(), errmsg: z.string() });
export const AliyunCallbackAnswerSchema = z.object({ code: z.number().int(), msg: z.string() });
