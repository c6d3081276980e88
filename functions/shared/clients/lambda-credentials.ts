/**
 * The AWS clients' credentials in a Lambda bundle: the execution role's, which Lambda puts in the
 * environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) in every partition.
 *
 * Every client's runtime configuration imports `@aws-sdk/credential-provider-node`, the default
 * chain (profiles, SSO, web identity, processes, container and instance metadata), which brings
 * the STS/SSO clients with it: ~120 KiB in each bundle for sources a function never has. The bundle
 * maps that package to this module (BUNDLE.alias in lib/aws/bundling.ts), so a function reads the
 * environment and nothing else; the local stack and the tests, which are not bundled, keep the chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

type EnvInit = Parameters<typeof fromEnv>[0];

/** The chain's entry point, as the clients call it: here, the environment only. */
export const defaultProvider = (init: EnvInit = {}) => fromEnv(init);

/** As the chain defines them (the clients' credential refresh asks): expiring within 5 minutes. */
export const credentialsWillNeedRefresh = (credentials?: { expiration?: Date }) =>
  credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials?: { expiration?: Date }) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
