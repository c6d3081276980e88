/**
 * WeChat Official Account configuration and the subscriber-facing data of the conversation.
 */
import * as z from 'zod';
import { DriverNoticeKindSchema } from './drivers.ts';
import { CityCodeSchema } from './restrictions.ts';
import { PushCategorySchema } from './vocabulary.ts';

/**
 * A template an account sends for a push category: its id, how each of its keys is filled from the
 * category's placeholders (`{title}`, `{window}`, `{plate}`, `{area|全市}`; README "Typed templates"),
 * where it links (`notice-page`: the notice's page; an https URL; none) and the declared values of
 * its `const` keys. Given as a plain id, it is a pre-2023 template filled keyword1..4.
 */
export const TemplateMappingSchema = z.strictObject({
  id: z.string().min(1).max(128),
  fields: z.record(
    z.string().regex(/^[a-z_]+\d{0,2}$/, 'template keys are like thing1, time2'),
    z.string().min(1).max(200),
  ),
  url: z.string().min(1).max(1024).nullable().default(null),
  consts: z.record(z.string(), z.array(z.string().min(1).max(20)).min(1)).default({}),
});
export type TemplateMapping = z.infer<typeof TemplateMappingSchema>;

/** An account's article mass sends (群发), for accounts that cannot send template messages. */
export const MassSendSchema = z.strictObject({
  /** The permanent image (素材) each article shows as its cover (draft/add requires one). */
  thumbMediaId: z.string().min(1).max(256),
  /** Send to this tag's followers; null: to all followers. */
  tagId: z.number().int().min(0).nullable().default(null),
  /** Mass sends a day the platform allows this account (认证订阅号: 1). */
  dailyAllowance: z.number().int().min(1).max(100).default(1),
  author: z.string().max(16).nullable().default(null),
});
export type MassSend = z.infer<typeof MassSendSchema>;

export const WeChatAccountSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{1,32}$/, 'account ids are lowercase letters, digits and dashes'),
  appId: z.string().regex(/^wx[0-9A-Za-z]{16}$/, 'appId is wx followed by 16 characters'),
  appSecret: z.string().min(1),
  /** The Token from 服务器配置 (3–32 letters and digits). */
  token: z.string().regex(/^[A-Za-z0-9]{3,32}$/, 'Token is 3–32 letters and digits'),
  encodingAesKey: z.string().regex(/^[A-Za-z0-9]{43}$/, 'EncodingAESKey is 43 letters and digits'),
  /** Tried when the current key fails, during a key rotation. */
  previousEncodingAesKey: z
    .string()
    .regex(/^[A-Za-z0-9]{43}$/)
    .nullable()
    .default(null),
  mode: z.enum(['plain', 'compatible', 'safe']),
  /** 服务号 (service: template messages) or 公众号, formerly 订阅号 (subscription: article mass sends). */
  kind: z.enum(['service', 'subscription']).default('service'),
  /** Template messages per category: a typed mapping, or a pre-2023 template's id (keyword1..4). */
  templates: z
    .partialRecord(PushCategorySchema, z.union([z.string().min(1), TemplateMappingSchema]))
    .default({}),
  /**
   * A person's own notices with a template of their kind (违法提醒, 年检提醒 …): its placeholders are
   * the kind's (car_number {plate}, amount {fine}, number {points}, time {time} for violations);
   * kinds without one use templates.transactional.
   */
  driverTemplates: z.partialRecord(DriverNoticeKindSchema, TemplateMappingSchema).optional(),
  /** Long-term subscription templates (长期订阅通知) per category, sent to followers who accepted them. */
  subscriptions: z.partialRecord(PushCategorySchema, TemplateMappingSchema).default({}),
  /** Where this deployment's pages are served (the notice page /n/{id}), as WeChat's browser opens them. */
  pageBaseUrl: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .default(null),
  /** Template messages a day (100,000 by default; more once followers pass 10W/100W/1000W: the console says). */
  dailyTemplateQuota: z.number().int().min(1).max(100_000_000).default(100_000),
  /** Article mass sends (subscription accounts): cover image, tag, the daily allowance. */
  massSend: MassSendSchema.nullable().default(null),
  /** The custom menu in schemas/data/menus.json; null: the one named after the audience. */
  menu: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/)
    .nullable()
    .default(null),
  defaultCity: CityCodeSchema,
  /** `internal`: the officers' account. */
  audience: z.enum(['public', 'internal']).default('public'),
});
export type WeChatAccount = z.infer<typeof WeChatAccountSchema>;

export const WeChatAccountsSchema = z
  .array(WeChatAccountSchema)
  .min(1)
  .superRefine((accounts, ctx) => {
    const seen = new Set<string>();
    accounts.forEach((a, i) => {
      if (seen.has(a.id))
        ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate account id '${a.id}'` });
      seen.add(a.id);
    });
  });

/** Menu numbers and keywords → fixed replies (the services departments offer), per deployment. */
export const KeywordRepliesSchema = z.array(
  z.strictObject({
    keys: z.array(z.string().min(1)).min(1),
    title: z.string().min(1),
    reply: z.string().min(1).max(600),
    /** Answered from the follower's own records where the deployment has driver notices (`reply` otherwise). */
    intent: z.enum(['violations', 'points', 'inspection']).optional(),
  }),
);
export type KeywordReplies = z.infer<typeof KeywordRepliesSchema>;

/**
 * A reply the webhook could not give within WeChat's 5 s, queued for the customer-service API
 * (`wechat-replies`): whose message it answers, and the message itself.
 */
export const AsyncReplyJobSchema = z.strictObject({
  accountId: z.string().min(1).max(32),
  openid: z.string().min(1).max(64), // OpenIdSchema at intake
  dedupeKey: z.string().min(1).max(512),
  inbound: z.union([
    z.object({ kind: z.literal('text'), text: z.string().max(8192) }),
    z.object({ kind: z.literal('click'), key: z.string().max(1024) }),
    z.object({ kind: z.literal('follow'), scene: z.string().max(1024).nullable() }),
    z.object({ kind: z.literal('scan'), scene: z.string().max(1024).nullable() }),
    z.object({ kind: z.literal('unfollow') }),
    z.object({
      kind: z.literal('attachment'),
      attachment: z
        .object({ type: z.enum(['image', 'voice', 'video', 'location', 'link', 'other']) })
        .loose(),
    }),
  ]),
});

/**
 * A WeChat openid as the platform issues them: 28 characters today (`o` + 27 of base64url); up to 64
 * of that alphabet are accepted. What is not one is never stored: it would become a subscriber no
 * push can reach, and a key DynamoDB may refuse.
 */
export const OpenIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'an openid is 1–64 letters, digits, - and _');

/**
 * A note to a follower about a request of their own made on another channel (the phone that linked
 * itself as their 短信备用 fallback), sent once (`key`) as a customer-service message within their
 * window.
 */
export const FollowerNoteJobSchema = z.strictObject({
  kind: z.literal('note'),
  accountId: z.string().min(1).max(32),
  openid: z.string().min(1).max(64),
  key: z.string().min(1).max(256),
  text: z.string().min(1).max(600),
});
export type FollowerNoteJob = z.infer<typeof FollowerNoteJobSchema>;

/** What the `wechat-replies` queue carries: async replies (no `kind`) and follower notes. */
export const WeChatReplyJobSchema = z.union([FollowerNoteJobSchema, AsyncReplyJobSchema]);

/**
 * A notice to send as an article mass send (`wechat-mass-sends` → send-wechat-mass): the run it is
 * part of, the notice version that was reviewed and published, and the account that sends it.
 */
export const MassSendJobSchema = z.strictObject({
  runKey: z.string().min(1).max(200),
  noticeId: z.string().min(1).max(64),
  version: z.number().int().min(1),
  accountId: z.string().min(1).max(32),
});
export type MassSendJob = z.infer<typeof MassSendJobSchema>;

// The custom menu (自定义菜单) ------------------------------------------------------------------------

export const MENU_BUTTON_TYPES = [
  'click',
  'view',
  'miniprogram',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
  'article_id',
] as const;

/**
 * One button as menu/create takes it. WeChat's own limits (names of 16 or 60 bytes, keys of 128,
 * urls of 1,024, 3 buttons of 5) are checked by functions/core/wechat/menu.ts, which says which is
 * broken; the bounds here, about twice those, only keep a menu from being of any size at all.
 */
export const MenuButtonSchema = z.strictObject({
  name: z.string().min(1).max(120),
  type: z.enum(MENU_BUTTON_TYPES).optional(),
  key: z.string().max(256).optional(),
  url: z.string().max(2048).optional(),
  appid: z.string().max(64).optional(),
  pagepath: z.string().max(1024).optional(),
  article_id: z.string().max(256).optional(),
  get sub_button() {
    return z.array(MenuButtonSchema).max(10).optional();
  },
});
export type MenuButton = z.infer<typeof MenuButtonSchema>;
export const MenuSchema = z.strictObject({ button: z.array(MenuButtonSchema).max(10) });
export type Menu = z.infer<typeof MenuSchema>;
/** The menus in schemas/data/menus.json, by name (an account's `menu`, or its audience). */
export const MenusSchema = z.record(z.string().regex(/^[a-z0-9-]{1,32}$/), MenuSchema);

export const MenuPathSchema = z.object({ account: z.string().regex(/^[a-z0-9-]{1,32}$/) });
/** POST …/menu: `basedOn`, the fingerprint of WeChat's menu the diff was shown against. */
export const MenuPublishSchema = z
  .strictObject({
    basedOn: z
      .string()
      .regex(/^[0-9a-f]{16}$/)
      .optional(),
  })
  .optional();
export const MenuReportSchema = z.object({
  account: z.string(),
  menu: MenuSchema,
  current: MenuSchema,
  /** What publishing would change: `+ added`, `- removed`, lines in order. */
  diff: z.array(z.string()),
  /** Why the repository's menu cannot be published (WeChat's limits, unknown keys, missing references). */
  problems: z.array(z.string()),
  basedOn: z.string(),
  published: z.boolean().optional(),
});
