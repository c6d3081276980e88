/**
 * The SMS channel's configuration. Secrets (pepper, data key, gateway credentials, callback
 * secrets) are one JSON document in Secrets Manager (SMS_GATEWAY_SECRET_ARN), read with Powertools
 * Parameters and cached for 5 minutes; locally (STAGE=local) they come from SMS_* variables with
 * the dev defaults below, which never apply outside the local stack. Everything else is plain
 * environment (the blueprint's SMS_ENVIRONMENT), validated once at load.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import { SmsProviderSchema } from '../../../schemas/sms.ts';
import { GATEWAY_NUMBER_DAILY_CAP } from '../../core/sms/budget.ts';

type Environment = Record<string, string | undefined>;

const Base64Key = (bytes: number) =>
  z
    .string()
    .refine((s) => Buffer.from(s, 'base64').length >= bytes, `expected base64 of at least ${bytes} bytes`)
    .transform((s) => Buffer.from(s, 'base64'));

export const SmsSecretSchema = z.strictObject({
  /** HMAC key for subscriber ids (base64, ≥ 32 bytes). Changing it orphans every SMS subscriber. */
  pepper: Base64Key(32),
  /** AES-256-GCM key for stored numbers (base64 of exactly 32 bytes). */
  dataKey: Base64Key(32).refine((b) => b.length === 32, 'the data key is exactly 32 bytes'),
  tencent: z
    .strictObject({
      secretId: z.string().min(1),
      secretKey: z.string().min(1),
      sdkAppId: z.string().regex(/^\d+$/),
      region: z.string().default('ap-guangzhou'),
    })
    .optional(),
  aliyun: z.strictObject({ accessKeyId: z.string().min(1), accessKeySecret: z.string().min(1) }).optional(),
  /** Per provider: the token in the callback URL (?token=) or the HMAC key of the signature header. */
  callbackSecrets: z.partialRecord(z.enum(['tencent', 'aliyun']), z.string().min(16)).default({}),
});
export type SmsSecret = z.infer<typeof SmsSecretSchema>;

export const DEV_SMS_DEFAULTS = {
  SMS_PEPPER: Buffer.from('local-dev-pepper-not-a-secret-0123456789').toString('base64'),
  SMS_DATA_KEY: Buffer.from('local-dev-data-key-32-bytes-long').toString('base64'),
  SMS_TENCENT_SECRET_ID: 'AKIDlocaldev',
  SMS_TENCENT_SECRET_KEY: 'local-dev-secret-key',
  SMS_TENCENT_SDK_APP_ID: '1400000000',
  SMS_ALIYUN_ACCESS_KEY_ID: 'LTAIlocaldev',
  SMS_ALIYUN_ACCESS_KEY_SECRET: 'local-dev-access-key-secret',
  SMS_CALLBACK_SECRET_TENCENT: 'local-tencent-callback-secret',
  SMS_CALLBACK_SECRET_ALIYUN: 'local-aliyun-callback-secret',
} as const;

export function smsSecretFromEnv(env: Environment): SmsSecret {
  const v = (name: keyof typeof DEV_SMS_DEFAULTS) => env[name] ?? DEV_SMS_DEFAULTS[name];
  return SmsSecretSchema.parse({
    pepper: v('SMS_PEPPER'),
    dataKey: v('SMS_DATA_KEY'),
    tencent: {
      secretId: v('SMS_TENCENT_SECRET_ID'),
      secretKey: v('SMS_TENCENT_SECRET_KEY'),
      sdkAppId: v('SMS_TENCENT_SDK_APP_ID'),
    },
    aliyun: {
      accessKeyId: v('SMS_ALIYUN_ACCESS_KEY_ID'),
      accessKeySecret: v('SMS_ALIYUN_ACCESS_KEY_SECRET'),
    },
    callbackSecrets: { tencent: v('SMS_CALLBACK_SECRET_TENCENT'), aliyun: v('SMS_CALLBACK_SECRET_ALIYUN') },
  });
}

/** Reads the secret (AWS: Secrets Manager, cached 5 min; local: environment). */
export function smsSecretSource(env: Environment): () => Promise<SmsSecret> {
  const arn = env.SMS_GATEWAY_SECRET_ARN;
  if (arn) return async () => SmsSecretSchema.parse(await getSecret(arn, { maxAge: 300, transform: 'json' }));
  if (env.STAGE === 'local') {
    const secret = smsSecretFromEnv(env);
    return async () => secret;
  }
  throw new Error(
    'SMS_GATEWAY_SECRET_ARN is not set (dev SMS secrets from the environment exist only when STAGE=local)',
  );
}

const Flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const SmsSettingsSchema = z
  .object({
    SMS_PROVIDER: SmsProviderSchema,
    /** Gateway base URL override, e.g. the local sandbox `http://127.0.0.1:3000`. */
    SMS_API_ENDPOINT: z.url().optional(),
    /** Whether replies to citizens go out as SMS (each costs money). */
    SMS_INTERACTIVE: Flag,
    SMS_MONTHLY_BUDGET_FEN: z.coerce.number().int().min(0),
    SMS_PRICE_FEN_PER_PART: z.coerce.number().int().min(1),
    SMS_MAX_PARTS: z.coerce.number().int().min(1).max(10),
    /** Per number per civil day, all messages; must stay below the gateway's own cap. */
    SMS_NUMBER_DAILY_CAP: z.coerce.number().int().min(1).optional(),
    /** The gateway's per-number daily cap where the console changed it from the documented default. */
    SMS_GATEWAY_NUMBER_DAILY_CAP: z.coerce.number().int().min(1).optional(),
    SMS_CALLBACK_AUTH: z.enum(['token', 'hmac']),
    /** Comma-separated IPv4 addresses or CIDRs allowed to call the webhooks; empty: any. */
    SMS_CALLBACK_ALLOWED_IPS: z.string().default(''),
    SMS_DEFAULT_CITY: z.string().regex(/^[a-z]+$/),
  })
  .transform((e, ctx) => {
    const gatewayCap = e.SMS_GATEWAY_NUMBER_DAILY_CAP ?? GATEWAY_NUMBER_DAILY_CAP[e.SMS_PROVIDER];
    const numberDailyCap = e.SMS_NUMBER_DAILY_CAP ?? (gatewayCap === null ? 3 : Math.min(3, gatewayCap - 1));
    if (gatewayCap !== null && numberDailyCap >= gatewayCap)
      ctx.addIssue({
        code: 'custom',
        path: ['SMS_NUMBER_DAILY_CAP'],
        message: `must be below the ${e.SMS_PROVIDER} gateway's own per-number cap (${gatewayCap} a day)`,
      });
    return {
      provider: e.SMS_PROVIDER,
      endpoint: e.SMS_API_ENDPOINT,
      interactive: e.SMS_INTERACTIVE,
      budgetFen: e.SMS_MONTHLY_BUDGET_FEN,
      pricePerPartFen: e.SMS_PRICE_FEN_PER_PART,
      maxParts: e.SMS_MAX_PARTS,
      numberDailyCap: Math.max(1, numberDailyCap),
      callbackAuth: e.SMS_CALLBACK_AUTH,
      allowedIps: e.SMS_CALLBACK_ALLOWED_IPS.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      defaultCity: e.SMS_DEFAULT_CITY,
    };
  });
export type SmsSettings = z.infer<typeof SmsSettingsSchema>;

/** The SMS settings from a function's environment; the values (defaults) are the blueprint's `SMS_ENVIRONMENT`. */
export function smsSettings(env: Environment): SmsSettings {
  const parsed = SmsSettingsSchema.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `SMS configuration is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
