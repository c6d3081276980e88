/**
 * How much memory `deliver-wechat` needs, measured as Lambda measures it: the handler alone in its
 * own Node 24 process (the local stack runs every handler in one process, so its memory says
 * nothing about one function), bundled as CDK bundles it. The parent runs the local stack and a restriction push of N
 * subscribers; the deliver queue's batches are handed to the child (./support/function-process.mjs:
 * the bundle and nothing else), which runs the real handler against the same DynamoDB Local and
 * WeChat sandbox, and reports its peak resident memory.
 *
 *   node test/bench/deliver-memory.ts [--subscribers 5000] [--runs 3]
 */
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { restrictionRunKey } from '../../functions/core/pushes/planning.ts';
import { blueprintInput, REPO_ROOT } from '../../lib/blueprint.ts';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { pinShanghaiMorning, seededBenchStack } from '../fixtures/bench-stack.ts';

// The function bundled with the options lib/aws/service-function.ts gives NodejsFunction.
const outdir = mkdtempSync(join(tmpdir(), 'bench-mem-bundle-'));
const bundle = join(outdir, 'index.mjs');
await build({
  entryPoints: [join(REPO_ROOT, 'functions/deliver-wechat/handler.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  keepNames: true,
  mainFields: ['module', 'main'],
  outfile: bundle,
  banner: { js: "import { createRequire } from 'module';const require = createRequire(import.meta.url);" },
  logLevel: 'silent',
});
const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '3' },
    one: { type: 'string' },
  },
});
if (values.one === undefined && Number(values.runs) > 1) {
  // Each run in its own process: handlers are module singletons bound to the first stack's tables.
  const rows: string[] = [];
  for (let run = 1; run <= Number(values.runs); run++) {
    const out = spawnSync(
      process.execPath,
      [
        fileURLToPath(import.meta.url),
        '--subscribers',
        values.subscribers,
        '--runs',
        '1',
        '--one',
        String(run),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    ).stdout;
    rows.push(...out.split('\n').filter((l) => l.startsWith(`| ${run} |`)));
    if (run === 1) console.log(out.split('\n').find((l) => l.startsWith('deliver-wechat bundled')));
  }
  console.log('\n| run | subscribers | sent | invocations | wall s | peak RSS MB |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(r);
  process.exit(0);
}
const n = Number(values.subscribers);
const memoryMb = blueprintInput.functions['deliver-wechat'].memoryMb;
process.env.STAGE = 'local';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
pinShanghaiMorning();
const ddb = await startDynamoDbLocal();
const rows: string[] = [];
try {
  for (let run = Number(values.one ?? 1); run <= Number(values.one ?? 1); run++) {
    const { bp, stack, close } = await seededBenchStack({
      dynamodbEndpoint: ddb.endpoint,
      name: 'mem',
      subscribers: n,
      tails: [0, 5],
      prefix: `o-m${run}`,
    });
    // The child gets exactly the environment the stack gave the functions (tables, sandbox, clock).
    const child = fork(
      fileURLToPath(new URL('./support/function-process.mjs', import.meta.url)),
      [bundle, 'deliver-wechat', String(bp.functions['deliver-wechat']!.timeoutSeconds), String(memoryMb)],
      {
        execPath: process.execPath,
        // The heap limited as a function of this size would have it (old space ≈ 75% of memory): V8 left
        // unlimited grows its heap long before it collects, which says nothing about what it needs.
        execArgv: [`--max-old-space-size=${Math.floor(memoryMb * 0.75)}`],
        env: Object.fromEntries(
          Object.entries(stack.functions.get('deliver-wechat')!.environment).filter(
            (e): e is [string, string] => e[1] !== undefined,
          ),
        ),
      },
    );
    await new Promise((r) => child.once('message', r));
    let seq = 0;
    let peak = 0;
    const pending = new Map<number, (v: unknown) => void>();
    child.on('message', (m: { id: number; result: unknown; maxRssMb: number }) => {
      peak = Math.max(peak, m.maxRssMb);
      pending.get(m.id)?.(m.result);
    });
    const restore = stack.queues.get('push-deliveries-wechat')!.intercept(() => (event) => {
      const id = ++seq;
      child.send({ id, event });
      return new Promise((r) => pending.set(id, r)) as never;
    });
    const started = performance.now();
    const token = stack.issueToken('bench', ['operator']);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const key = restrictionRunKey('beijing', '2026-11-16', 'morning');
    await fetch(`${stack.endpoint}/v1/admin/pushes/restriction`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ city: 'beijing', date: '2026-11-16', slot: 'morning', force: true }),
    });
    let sent = 0;
    for (;;) {
      const r = (await (
        await fetch(`${stack.endpoint}/v1/admin/pushes/${encodeURIComponent(key)}`, { headers })
      ).json()) as { done: boolean; counts: { sent?: number } };
      sent = r.counts.sent ?? 0;
      if (r.done) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    restore();
    child.kill();
    rows.push(
      `| ${run} | ${n.toLocaleString('en')} | ${sent.toLocaleString('en')} | ${seq} | ${((performance.now() - started) / 1000).toFixed(1)} | ${peak.toFixed(0)} |`,
    );
    await close();
  }
} finally {
  await ddb.stop();
}
console.log(
  `\ndeliver-wechat bundled as deployed, alone in its own process, one invocation at a time, old space limited to 75% of its ${memoryMb} MB (peak resident memory, as Lambda reports Max Memory Used)\n`,
);
console.log('| run | subscribers | sent | invocations | wall s | peak RSS MB |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
process.exit(0);
