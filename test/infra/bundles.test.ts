/**
 * What each function's bundle holds, built with the options the CDK builder uses (lib/aws/bundling.ts):
 * an AWS client only where the function's blueprint entry grants it the service, so no function pays
 * at cold start for a client it never calls (issue #20). Sizes and init times are the cold-start bench's
 * (test/bench/cold-start.ts), not asserted here.
 */
import { join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLE } from '../../lib/aws/bundling.ts';
import { blueprint, REPO_ROOT } from '../../lib/blueprint.ts';

const fnIds = Object.keys(blueprint.functions);
const entryOf = (fnId: string) => join(REPO_ROOT, blueprint.functions[fnId]!.entry);

/** Functions bundled as the CDK bundles them. */
async function bundle(ids: string[]): Promise<Metafile> {
  const result = await build({
    ...BUNDLE,
    // The source map changes nothing in what a bundle holds, and would double the build time here.
    sourcemap: false,
    external: [...BUNDLE.external],
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    entryPoints: ids.map(entryOf),
    outbase: join(REPO_ROOT, 'functions'),
    outdir: join(REPO_ROOT, 'cdk.out', 'bundles-test'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  return result.metafile;
}

/** The repository files and packages in one function's bundle (paths relative to the repository). */
function inputsOf(metafile: Metafile, fnId: string): string[] {
  const entry = relative(process.cwd(), entryOf(fnId));
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint === entry);
  if (!output) throw new Error(`${fnId}: no output for ${entry}`);
  return Object.keys(output.inputs);
}

const has = (inputs: string[], fragment: string) => inputs.some((p) => p.includes(fragment));
const bundles = await bundle(fnIds);

describe('each function bundles only the AWS clients its blueprint entry lets it call', () => {
  it.each(fnIds)('%s', (fnId) => {
    const def = blueprint.functions[fnId]!;
    const inputs = inputsOf(bundles, fnId);
    // The shared topic publisher: only for functions that publish to a topic.
    expect(has(inputs, 'functions/shared/clients/sns.ts')).toBe(def.publishes.length > 0);
    // SNS itself also sends SMS (SMS_PROVIDER=sns) in the functions that hold the gateway secret.
    if (def.publishes.length === 0 && !def.secrets.includes('sms-gateway'))
      expect(has(inputs, 'node_modules/@aws-sdk/client-sns/')).toBe(false);
    if (Object.keys(def.tables).length === 0)
      expect(has(inputs, 'node_modules/@aws-sdk/client-dynamodb/')).toBe(false);
    expect(has(inputs, 'node_modules/@aws-sdk/client-scheduler/')).toBe(
      Object.keys(def.scheduleGroups).length > 0,
    );
    if (def.secrets.length === 0)
      expect(has(inputs, 'node_modules/@aws-sdk/client-secrets-manager/')).toBe(false);
    if (!def.putsEvents) expect(has(inputs, 'node_modules/@aws-sdk/client-eventbridge/')).toBe(false);
    expect(has(inputs, 'node_modules/@aws-sdk/client-sqs/')).toBe(false);
  });
});
