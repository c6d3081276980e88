/**
 * The `driver-integrations` secret: the platform's integrations (id, HMAC secret, IP allow-list),
 * the pepper of the registry's keyed hashes and the key of the personal pages' links. On AWS one
 * JSON document in Secrets Manager (DRIVER_INTEGRATIONS_SECRET_ARN), read with Powertools Parameters
 * and cached 5 minutes; locally (STAGE=local) from DRIVER_* variables with the dev defaults below,
 * which never apply outside the local stack.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { type DriverSecret, DriverSecretSchema } from '../../../schemas/drivers.ts';

type Environment = Record<string, string | undefined>;

export const DEV_DRIVER_DEFAULTS = {
  DRIVER_INTEGRATION_ID: 'platform-dev',
  DRIVER_INTEGRATION_SECRET: 'local-dev-integration-secret-not-a-secret',
  DRIVER_INTEGRATION_ALLOWED_IPS: '',
  DRIVER_PEPPER: Buffer.from('local-dev-driver-pepper-not-a-secret-0123').toString('base64'),
  DRIVER_PAGE_KEY: Buffer.from('local-dev-page-key-not-a-secret-0123456789').toString('base64'),
} as const;

export function driverSecretFromEnv(env: Environment): DriverSecret {
  const v = (name: keyof typeof DEV_DRIVER_DEFAULTS) => env[name] ?? DEV_DRIVER_DEFAULTS[name];
  return DriverSecretSchema.parse({
    integrations: [
      {
        id: v('DRIVER_INTEGRATION_ID'),
        secret: v('DRIVER_INTEGRATION_SECRET'),
        allowedIps: v('DRIVER_INTEGRATION_ALLOWED_IPS')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      },
    ],
    pepper: v('DRIVER_PEPPER'),
    pageKey: v('DRIVER_PAGE_KEY'),
  });
}

export function driverSecretSource(env: Environment): () => Promise<DriverSecret> {
  const arn = env.DRIVER_INTEGRATIONS_SECRET_ARN;
  if (arn)
    return async () => DriverSecretSchema.parse(await getSecret(arn, { maxAge: 300, transform: 'json' }));
  if (env.STAGE === 'local') {
    const secret = driverSecretFromEnv(env);
    return async () => secret;
  }
  throw new Error(
    'DRIVER_INTEGRATIONS_SECRET_ARN is not set (dev driver secrets from the environment exist only when STAGE=local)',
  );
}
