/**
 * WeChat Official Account configuration and the subscriber-facing data of the conversation.
 */
import { z } from 'zod';
import { CityCodeSchema } from './restrictions.ts';
import { PushCategorySchema } from './vocabulary.ts';

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
  templates: z.partialRecord(PushCategorySchema, z.string().min(1)).default({}),
  defaultCity: CityCodeSchema,
  /** `internal`: the officers' subscription account. */
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
    z.object({ kind: z.literal('unfollow') }),
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
