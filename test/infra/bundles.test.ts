/**
 * What each function's bundle holds, built with the options the CDK builder uses (lib/aws/bundling.ts)
 * for both kinds of deployment: an AWS client only where the function's blueprint entry grants it the
 * service, and the Tracer with its X-Ray SDK only where Lambda traces, so no function pays at cold
 * start for what it never calls (issue #20). Sizes and init times are the cold-start bench's
 * (test/bench/cold-start.ts), not asserted here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE, bundleDefine } from '../../lib/aws/bundling.ts';
import { blueprint, REPO_ROOT } from '../../lib/blueprint.ts';
import { envNames } from '../../schemas/resource-env.ts';

const fnIds = Object.keys(blueprint.functions);
const entryOf = (fnId: string) => join(REPO_ROOT, blueprint.functions[fnId]!.entry);
const outdir = mkdtempSync(join(tmpdir(), 'bundles-test-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/**
 * Functions bundled as the CDK bundles them for a deployment with or without tracing (and, where
 * given, with that SMS provider fixed at build time, as a function's deployed SMS_PROVIDER fixes it).
 */
async function bundle(
  ids: string[],
  tracing: boolean,
  write = false,
  smsProvider?: string,
): Promise<Metafile> {
  const result = await build({
    ...BUNDLE,
    // The source map changes nothing in what a bundle holds, and would double the build time here.
    sourcemap: false,
    external: [...BUNDLE.external],
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    define: bundleDefine(tracing, smsProvider ? { SMS_PROVIDER: smsProvider } : {}),
    entryPoints: ids.map(entryOf),
    outbase: join(REPO_ROOT, 'functions'),
    outdir: join(outdir, smsProvider ? `sms-${smsProvider}` : tracing ? 'traced' : 'untraced'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    write,
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
const [untraced, traced] = await Promise.all([bundle(fnIds, false), bundle(fnIds, true)]);

describe('each function bundles only the AWS clients its blueprint entry lets it call', () => {
  it.each(fnIds)('%s', (fnId) => {
    const def = blueprint.functions[fnId]!;
    const inputs = inputsOf(untraced, fnId);
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
    // The SMS gateways' SDKs (megabytes at cold start) only where the gateway secret is: the webhook
    // hands a driver code's SMS to send-driver-code instead of sending it.
    if (!def.secrets.includes('sms-gateway')) {
      expect(has(inputs, 'functions/adapters/sms/gateways.ts')).toBe(false);
      expect(has(inputs, 'node_modules/@alicloud/')).toBe(false);
      expect(has(inputs, 'functions/core/drivers/code-sends.ts')).toBe(false);
    }
  });
});

describe("a function's AWS clients take the execution role's credentials from the environment", () => {
  it.each(fnIds)('%s', (fnId) => {
    const inputs = inputsOf(untraced, fnId);
    const clients = has(inputs, 'node_modules/@aws-sdk/client-');
    // Not the default chain (profiles, SSO, STS, metadata) nor the clients it brings.
    expect(has(inputs, 'node_modules/@aws-sdk/credential-provider-node/')).toBe(false);
    expect(has(inputs, 'node_modules/@aws-sdk/nested-clients/')).toBe(false);
    expect(has(inputs, 'node_modules/@aws-sdk/credential-provider-ini/')).toBe(false);
    expect(has(inputs, 'functions/shared/clients/lambda-credentials.ts')).toBe(clients);
  });
});

describe("a function that sends SMS bundles only its deployment's gateway SDK", () => {
  const senders = fnIds.filter((id) => has(inputsOf(untraced, id), 'functions/adapters/sms/gateways.ts'));
  const sdks = {
    // Tencent's is our own signed fetch (no SDK): its signer marks it.
    tencent: 'functions/adapters/sms/tc3.ts',
    aliyun: 'node_modules/@alicloud/dysmsapi20170525/',
    sns: 'functions/adapters/sms/sns.ts',
  } as const;
  it('there are such functions', () => expect(senders.length).toBeGreaterThan(2));
  it.each(Object.keys(sdks) as Array<keyof typeof sdks>)('SMS_PROVIDER=%s', async (provider) => {
    const metafile = await bundle(senders, false, false, provider);
    for (const fnId of senders) {
      const inputs = inputsOf(metafile, fnId);
      for (const [p, sdk] of Object.entries(sdks))
        expect([fnId, p, has(inputs, sdk)]).toEqual([fnId, p, p === provider]);
    }
  });
});

describe("no bundle holds Tencent's SDK or what it brought (≈ 600 KiB: fetch polyfill, URL tables, MIME database)", () => {
  const heavy = [
    'node_modules/tencentcloud-sdk-nodejs-common/',
    'node_modules/tencentcloud-sdk-nodejs-sms/',
    'node_modules/node-fetch/',
    'node_modules/tr46/',
    'node_modules/mime-db/',
  ];
  it.each(fnIds)('%s', (fnId) => {
    const inputs = inputsOf(untraced, fnId);
    for (const dep of heavy) expect([fnId, dep, has(inputs, dep)]).toEqual([fnId, dep, false]);
  });
  it('nor a Tencent deployment of the functions that send SMS', async () => {
    const ids = fnIds.filter((id) => has(inputsOf(untraced, id), 'functions/adapters/sms/gateways.ts'));
    const metafile = await bundle(ids, false, false, 'tencent');
    for (const fnId of ids) {
      const inputs = inputsOf(metafile, fnId);
      for (const dep of heavy) expect([fnId, dep, has(inputs, dep)]).toEqual([fnId, dep, false]);
    }
  });
});

describe('the Tracer and the X-Ray SDK are in a bundle only where Lambda traces', () => {
  it.each(fnIds)('%s', (fnId) => {
    expect(has(inputsOf(untraced, fnId), 'node_modules/aws-xray-sdk-core/')).toBe(false);
    expect(
      has(inputsOf(untraced, fnId), 'node_modules/@aws-lambda-powertools/tracer/lib/esm/Tracer.js'),
    ).toBe(false);
    expect(has(inputsOf(traced, fnId), 'node_modules/aws-xray-sdk-core/')).toBe(true);
  });
});

describe('a bundle loads, and traces exactly where its deployment traces', () => {
  // Written out and imported in a fresh process with the variables Lambda sets: the Tracer patches
  // https.request for outbound subsegments when it is on, and only then.
  const fnId = 'list-cities';
  it.each([
    ['with X-Ray (aws)', true],
    ['without X-Ray (aws-cn)', false],
  ] as const)('%s', async (_, tracing) => {
    await bundle([fnId], tracing, true);
    const file = join(outdir, tracing ? 'traced' : 'untraced', fnId, 'handler.mjs');
    const def = blueprint.functions[fnId]!;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: tracing ? 'us-east-1' : 'cn-north-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      LAMBDA_TASK_ROOT: '/var/task',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...(tracing ? {} : { POWERTOOLS_TRACE_ENABLED: 'false' }),
      ...def.environment,
      ...Object.fromEntries(Object.keys(def.tables).map((id) => [envNames.table(id), `table-${id}`])),
    };
    const script = `const https = await import('node:https'); const m = await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(JSON.stringify({ handler: typeof m.handler, patched: typeof https.default.__request === 'function' }));`;
    const out = execFileSync(
      join(REPO_ROOT, 'node_modules/.bin/node'),
      ['--input-type=module', '-e', script],
      {
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    expect(JSON.parse(out)).toEqual({ handler: 'function', patched: tracing });
  });
});
