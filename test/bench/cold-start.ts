/**
 * Cold start per function: the bundle exactly as the CDK builds it (lib/aws/bundling.ts), its size,
 * what fills it (the largest packages, from esbuild's metafile), and the module initialisation in a
 * fresh Node process (import of the bundle; the median of several runs, each a new process). The
 * environment is the function's blueprint environment with placeholder resources and STAGE=local, so
 * nothing is fetched at import.
 *
 *   node test/bench/cold-start.ts [--runs 7] [--only receive-wechat,deliver-wechat] [--top 4]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { BUNDLE } from '../../lib/aws/bundling.ts';
import { blueprint, REPO_ROOT } from '../../lib/blueprint.ts';
import { envNames } from '../../schemas/resource-env.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    only: { type: 'string' },
    top: { type: 'string', default: '4' },
  },
});
const runs = Number(values.runs);
const only = values.only ? new Set(values.only.split(',')) : null;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)}`;

/** node_modules/@scope/name/… → @scope/name; the repository's own files → (app). */
function packageOf(path: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return m ? m[1]! : '(app)';
}

function environmentOf(fnId: string): Record<string, string> {
  const def = blueprint.functions[fnId]!;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'cn-north-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    STAGE: 'local',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    [envNames.service]: blueprint.service,
    ...def.environment,
  };
  for (const id of Object.keys(def.tables)) env[envNames.table(id)] = `${blueprint.service}-${id}`;
  for (const id of def.publishes) env[envNames.topic(id)] = `arn:aws-cn:sns:cn-north-1:000000000000:${id}`;
  if (def.putsEvents) env[envNames.eventBus] = `${blueprint.service}-bus`;
  for (const id of Object.keys(def.scheduleGroups)) {
    const names = envNames.scheduleGroup(id);
    env[names.name] = id;
    env[names.target] = 'arn:aws-cn:lambda:cn-north-1:000000000000:function:bench';
    env[names.role] = 'arn:aws-cn:iam::000000000000:role/bench';
    env[names.deadLetterQueue] = 'arn:aws-cn:sqs:cn-north-1:000000000000:bench';
  }
  return env;
}

function initMs(file: string, env: Record<string, string>): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`init of ${file} failed: ${res.stderr.slice(-1500)}`);
  return Number(res.stdout);
}

const out = mkdtempSync(join(tmpdir(), 'bench-cold-'));
const rows: string[] = [];
const sizes: number[] = [];
const inits: number[] = [];
try {
  for (const [fnId, def] of Object.entries(blueprint.functions)) {
    if (only && !only.has(fnId)) continue;
    const outfile = join(out, fnId, 'index.mjs');
    const result = await build({
      ...BUNDLE,
      external: [...BUNDLE.external],
      mainFields: [...BUNDLE.mainFields],
      banner: { js: BUNDLE.banner },
      entryPoints: [join(REPO_ROOT, def.entry)],
      bundle: true,
      outfile,
      metafile: true,
      logLevel: 'error',
    });
    const size = statSync(outfile).size;
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
    const env = environmentOf(fnId);
    const times = Array.from({ length: runs }, () => initMs(outfile, env));
    sizes.push(size);
    inits.push(median(times));
    rows.push(
      `| ${fnId} | ${kib(size)} | ${median(times).toFixed(0)} | ${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)} | ${top} |`,
    );
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
console.log(
  `\nCold start per function (bundle as the CDK builds it; init = import in a fresh Node ${process.version} process, median of ${runs})\n`,
);
console.log('| function | bundle (KiB) | init median (ms) | init range (ms) | largest parts (KiB) |');
console.log('| --- | ---: | ---: | ---: | --- |');
for (const r of rows) console.log(r);
console.log(
  `| **all ${rows.length}** | max ${kib(Math.max(...sizes))} | max ${Math.max(...inits).toFixed(0)} | | |`,
);
