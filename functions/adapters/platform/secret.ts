/**
 * The `desk` secret: the key that signs case page links, and the 12345 platform's shared secret and
 * answer URL. Secrets Manager on AWS (DESK_SECRET_ARN, cached 5 minutes); locally (STAGE=local) the
 * DESK_* variables with the dev defaults below, which never apply outside the local stack.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';

type Environment = Record<string, string | undefined>;

export const DeskSecretSchema = z.strictObject({
  caseLinkKey: z
    .string()
    .refine((s) => Buffer.from(s, 'base64').length >= 32, 'expected base64 of at least 32 bytes')
    .transform((s) => Buffer.from(s, 'base64')),
  platform12345: z
    .strictObject({ secret: z.string().min(16), answerUrl: z.url({ protocol: /^https?$/ }) })
    .optional(),
});
export type DeskSecret = z.infer<typeof DeskSecretSchema>;

export const DEV_DESK_DEFAULTS = {
  DESK_CASE_LINK_KEY: Buffer.from('local-dev-case-link-key-not-secret!').toString('base64'),
  DESK_12345_SECRET: 'local-12345-shared-secret',
} as const;

export function deskSecretSource(env: Environment): () => Promise<DeskSecret> {
  const arn = env.DESK_SECRET_ARN;
  if (arn)
    return async () => DeskSecretSchema.parse(await getSecret(arn, { maxAge: 300, transform: 'json' }));
  if (env.STAGE === 'local') {
    const secret = DeskSecretSchema.parse({
      caseLinkKey: env.DESK_CASE_LINK_KEY ?? DEV_DESK_DEFAULTS.DESK_CASE_LINK_KEY,
      platform12345: {
        secret: env.DESK_12345_SECRET ?? DEV_DESK_DEFAULTS.DESK_12345_SECRET,
        answerUrl:
          env.DESK_12345_ANSWER_URL ??
          `${env.LOCAL_STACK_URL ?? 'http://127.0.0.1:3000'}/_local/12345/answers`,
      },
    });
    return async () => secret;
  }
  throw new Error(
    'DESK_SECRET_ARN is not set (dev desk secrets from the environment exist only when STAGE=local)',
  );
}
