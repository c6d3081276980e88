/**
 * How a function's code is bundled, in one place: the CDK builder (./service-function.ts) hands it to
 * NodejsFunction, and the cold-start benchmark (test/bench/cold-start.ts) builds exactly the same
 * bundle with esbuild to measure its size and its module initialisation.
 */
import { fileURLToPath } from 'node:url';

export const BUNDLE = {
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  sourcemap: true,
  keepNames: true,
  mainFields: ['module', 'main'],
  /** Nothing is left to the runtime: the SDK versions are the lockfile's, not the runtime's. */
  external: [] as string[],
  /**
   * The clients' default credential chain, replaced by the environment Lambda gives every function
   * (functions/shared/clients/lambda-credentials.ts): the chain's profiles, SSO and STS clients are
   * ~120 KiB of each bundle for sources a function never has.
   */
  alias: {
    '@aws-sdk/credential-provider-node': fileURLToPath(
      new URL('../../functions/shared/clients/lambda-credentials.ts', import.meta.url),
    ),
  } as Record<string, string>,
  // The X-Ray SDK inside Powertools Tracer is CommonJS and calls require().
  banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
} as const;

/**
 * Build-time constants for one function of one deployment.
 *
 * - Where Lambda has no X-Ray (`tracing` false: the China regions) the function's environment says
 *   POWERTOOLS_TRACE_ENABLED=false (./service-function.ts); defining the same value in the code lets
 *   esbuild drop the branch that loads the Powertools Tracer (functions/shared/powertools.ts), and with
 *   it the X-Ray SDK, from the bundle. Where tracing is on nothing is defined and the environment
 *   decides at run time, as before.
 * - Where the function's deployed environment names an SMS_PROVIDER, SMS_BUNDLED_PROVIDER fixes it, so
 *   the bundle holds that gateway's SDK and not the other two (functions/adapters/sms/gateways.ts).
 */
export function bundleDefine(
  tracing: boolean,
  environment: Record<string, string> = {},
): Record<string, string> {
  return {
    ...(tracing ? {} : { 'process.env.POWERTOOLS_TRACE_ENABLED': JSON.stringify('false') }),
    ...(environment.SMS_PROVIDER === undefined
      ? {}
      : { 'process.env.SMS_BUNDLED_PROVIDER': JSON.stringify(environment.SMS_PROVIDER) }),
  };
}
