/**
 * Cold start per function: the bundle exactly as the CDK builds it (lib/aws/bundling.ts), its size,
 * what fills it (the largest packages, from esbuild's metafile), and the module initialisation in a
 * fresh Node process (import of the bundle; the median of several runs, each a new process). The
 * environment is the function's blueprint environment with placeholder resources, the variables the
 * Lambda runtime sets (AWS_EXECUTION_ENV, LAMBDA_TASK_ROOT, the X-Ray daemon address) and STAGE=local,
 * so nothing is fetched at import.
 *
 * Variants (`--variants`, default `cn,aws`), measured in turn within each run so that the machine's
 * load falls on all of them alike:
 *   cn   the China partition: no X-Ray, POWERTOOLS_TRACE_ENABLED=false (as lib/aws/service-function.ts sets it)
 *   aws  the aws partition: active tracing, the Powertools Tracer on
 *   ext  `cn` with `@aws-sdk/*` left out of the bundle and resolved at run time (here from the
 *        repository's node_modules, on Lambda it would be the runtime's copy): what marking the SDK
 *        external would give. Not what the CDK builds (BUNDLE.external is empty).
 *
 * init = wall time of the import; cpu = user + system CPU time of the process during it, which the
 * load of a shared machine inflates far less than the wall time.
 *
 * `--profile DIR` writes a V8 CPU profile of each function's first init per variant into DIR
 * (`<function>-<variant>.cpuprofile`, for Chrome DevTools or any cpuprofile reader): where init goes.
 *
 *   node test/bench/cold-start.ts [--runs 7] [--only receive-wechat,deliver-wechat] [--top 4] [--variants cn,aws,ext] [--profile DIR]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { BUNDLE, bundleDefine } from '../../lib/aws/bundling.ts';
import { blueprint, REPO_ROOT } from '../../lib/blueprint.ts';
import { envNames } from '../../schemas/resource-env.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    only: { type: 'string' },
    top: { type: 'string', default: '4' },
    variants: { type: 'string', default: 'cn,aws' },
    profile: { type: 'string' },
  },
});
const runs = Number(values.runs);
const only = values.only ? new Set(values.only.split(',')) : null;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)}`;

type Variant = 'cn' | 'aws' | 'ext';
const VARIANTS: Record<Variant, { partition: 'aws-cn' | 'aws'; tracing: boolean; sdkExternal: boolean }> = {
  cn: { partition: 'aws-cn', tracing: false, sdkExternal: false },
  aws: { partition: 'aws', tracing: true, sdkExternal: false },
  ext: { partition: 'aws-cn', tracing: false, sdkExternal: true },
};
const variants = values.variants.split(',') as Variant[];
for (const v of variants) if (!(v in VARIANTS)) throw new Error(`unknown variant '${v}' (cn, aws, ext)`);

/** node_modules/@scope/name/… → @scope/name; the repository's own files → (app). */
function packageOf(path: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return m ? m[1]! : '(app)';
}

function environmentOf(fnId: string, variant: Variant): Record<string, string> {
  const def = blueprint.functions[fnId]!;
  const { partition, tracing } = VARIANTS[variant];
  const region = partition === 'aws-cn' ? 'cn-north-1' : 'us-east-1';
  const arn = (service: string, resource: string) =>
    `arn:${partition}:${service}:${region}:000000000000:${resource}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    // What the Lambda runtime sets (the Tracer is only ever on where AWS_EXECUTION_ENV is set).
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    LAMBDA_TASK_ROOT: '/var/task',
    AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    STAGE: 'local',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...(tracing ? {} : { POWERTOOLS_TRACE_ENABLED: 'false' }),
    [envNames.service]: blueprint.service,
    ...def.environment,
  };
  for (const id of Object.keys(def.tables)) env[envNames.table(id)] = `${blueprint.service}-${id}`;
  for (const id of def.publishes) env[envNames.topic(id)] = arn('sns', id);
  if (def.putsEvents) env[envNames.eventBus] = `${blueprint.service}-bus`;
  for (const id of Object.keys(def.buckets)) env[envNames.bucket(id)] = `${id}-local-000000000000-${region}`;
  for (const id of def.secrets) env[envNames.secret(id)] = arn('secretsmanager', `secret:${id}`);
  for (const id of Object.keys(def.scheduleGroups)) {
    const names = envNames.scheduleGroup(id);
    env[names.name] = id;
    env[names.target] = arn('lambda', 'function:bench');
    env[names.role] = `arn:${partition}:iam::000000000000:role/bench`;
    env[names.deadLetterQueue] = arn('sqs', 'bench');
  }
  return env;
}

interface Bundle {
  file: string;
  size: number;
  top: string;
}

async function bundle(fnId: string, variant: Variant, dir: string): Promise<Bundle> {
  const def = blueprint.functions[fnId]!;
  const { sdkExternal, tracing } = VARIANTS[variant];
  const file = join(dir, fnId, variant, 'index.mjs');
  const result = await build({
    ...BUNDLE,
    external: [...BUNDLE.external, ...(sdkExternal ? ['@aws-sdk/*'] : [])],
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    define: bundleDefine(tracing, def.environment),
    entryPoints: [join(REPO_ROOT, def.entry)],
    bundle: true,
    outfile: file,
    metafile: true,
    logLevel: 'error',
  });
  const byPackage = new Map<string, number>();
  const output = (result.metafile as Metafile).outputs[
    Object.keys(result.metafile.outputs).find((k) => k.endsWith('index.mjs'))!
  ]!;
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs))
    byPackage.set(packageOf(path), (byPackage.get(packageOf(path)) ?? 0) + bytesInOutput);
  const top = [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(values.top))
    .map(([p, b]) => `${p} ${kib(b)}`)
    .join(', ');
  return { file, size: statSync(file).size, top };
}

function init(file: string, env: Record<string, string>, profile?: string): { wall: number; cpu: number } {
  const script = [
    'const c = process.cpuUsage(); const t = performance.now();',
    `await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'const wall = performance.now() - t; const { user, system } = process.cpuUsage(c);',
    'process.stdout.write(JSON.stringify({ wall, cpu: (user + system) / 1000 }));',
  ].join('');
  const profiling = profile
    ? ['--cpu-prof', `--cpu-prof-dir=${dirname(profile)}`, `--cpu-prof-name=${basename(profile)}`]
    : [];
  const res = spawnSync(process.execPath, [...profiling, '--input-type=module', '-e', script], {
    env,
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`init of ${file} failed: ${res.stderr.slice(-1500)}`);
  return JSON.parse(res.stdout.slice(res.stdout.lastIndexOf('{')));
}

// Inside the repository, so that an `ext` bundle resolves the SDK from its node_modules.
const out = join(REPO_ROOT, 'node_modules', '.cache', `bench-cold-${process.pid}`);
mkdirSync(out, { recursive: true });
const load = loadavg();
const rows: string[] = [];
const worst = Object.fromEntries(variants.map((v) => [v, { size: 0, wall: 0, cpu: 0 }]));
try {
  for (const fnId of Object.keys(blueprint.functions)) {
    if (only && !only.has(fnId)) continue;
    const bundles = new Map<Variant, Bundle>();
    for (const v of variants) bundles.set(v, await bundle(fnId, v, out));
    const times = new Map<Variant, { wall: number[]; cpu: number[] }>(
      variants.map((v) => [v, { wall: [], cpu: [] }]),
    );
    for (let i = 0; i < runs; i++)
      for (const v of variants) {
        const profile =
          values.profile && i === 0 ? join(resolve(values.profile), `${fnId}-${v}.cpuprofile`) : undefined;
        const t = init(bundles.get(v)!.file, environmentOf(fnId, v), profile);
        times.get(v)!.wall.push(t.wall);
        times.get(v)!.cpu.push(t.cpu);
      }
    const cells = variants.flatMap((v) => {
      const { size } = bundles.get(v)!;
      const wall = median(times.get(v)!.wall);
      const cpu = median(times.get(v)!.cpu);
      worst[v] = {
        size: Math.max(worst[v]!.size, size),
        wall: Math.max(worst[v]!.wall, wall),
        cpu: Math.max(worst[v]!.cpu, cpu),
      };
      return [kib(size), wall.toFixed(0), cpu.toFixed(0)];
    });
    rows.push(`| ${fnId} | ${cells.join(' | ')} | ${bundles.get(variants[0]!)!.top} |`);
  }
} finally {
  // A profile refers to its bundle (and the bundle to its source map): kept with --profile.
  if (values.profile) console.error(`bundles kept in ${out} for the profiles in ${values.profile}`);
  else rmSync(out, { recursive: true, force: true });
}
console.log(
  `\nCold start per function (bundle as the CDK builds it; init = import in a fresh Node ${process.version} process, median of ${runs}; load average at start ${load.map((l) => l.toFixed(2)).join(' ')}, now ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')})\n`,
);
console.log(
  `| function | ${variants.map((v) => `${v} KiB | ${v} init ms | ${v} cpu ms`).join(' | ')} | largest parts of ${variants[0]} (KiB) |`,
);
console.log(`| --- | ${variants.map(() => '---: | ---: | ---:').join(' | ')} | --- |`);
for (const r of rows) console.log(r);
console.log(
  `| **all ${rows.length} (max)** | ${variants.map((v) => `${kib(worst[v]!.size)} | ${worst[v]!.wall.toFixed(0)} | ${worst[v]!.cpu.toFixed(0)}`).join(' | ')} | |`,
);
