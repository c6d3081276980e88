/**
 * How much memory `deliver-wechat` needs, measured as Lambda measures it: the handler alone in its
 * own Node 24 process (the local stack runs every handler in one process, so its memory says
 * nothing about one function), bundled as CDK bundles it. The parent runs the local stack and a restriction push of N
 * subscribers; the deliver queue's batches are handed to the child (./support/function-process.mjs:
 * the bundle and nothing else), which runs the real handler against the same DynamoDB Local and
 * WeChat sandbox, and reports its peak resident memory.
 *
 *   node test/bench/deliver-memory.ts [--subscribers 5000] [--runs 3] [--memory 256]
 */
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { restrictionRunKey } from '../../functions/core/pushes/planning.ts';
import { BUNDLE, bundleDefine } from '../../lib/aws/bundling.ts';
import { blueprintInput, REPO_ROOT } from '../../lib/blueprint.ts';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { pinShanghaiMorning, seededBenchStack } from '../fixtures/bench-stack.ts';
import { lambdaHeapFlags } from './support/lambda-node.ts';

// The function bundled as lib/aws/service-function.ts bundles it (lib/aws/bundling.ts), for China (no X-Ray).
const outdir = mkdtempSync(join(tmpdir(), 'bench-mem-bundle-'));
const bundle = join(outdir, 'index.mjs');
await build({
  ...BUNDLE,
  sourcemap: false,
  external: [...BUNDLE.external],
  mainFields: [...BUNDLE.mainFields],
  banner: { js: BUNDLE.banner },
  define: bundleDefine(false, blueprintInput.functions['deliver-wechat']!.environment),
  entryPoints: [join(REPO_ROOT, 'functions/deliver-wechat/handler.ts')],
  bundle: true,
  outfile: bundle,
  logLevel: 'silent',
});
const HEADER = [
  '\n| run | subscribers | sent | invocations | wall s | peak RSS MB | CPU ms per push (one core) | vCPU share at this memory | sends/s per invocation that share allows |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
].join('\n');
const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '3' },
    one: { type: 'string' },
    /** Measure at this memory size instead of the blueprint's. */
    memory: { type: 'string' },
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
        ...(values.memory ? ['--memory', values.memory] : []),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    ).stdout;
    rows.push(...out.split('\n').filter((l) => l.startsWith(`| ${run} |`)));
    if (run === 1) console.log(out.split('\n').find((l) => l.startsWith('deliver-wechat bundled')));
  }
  console.log(HEADER);
  for (const r of rows) console.log(r);
  process.exit(0);
}
const n = Number(values.subscribers);
const memoryMb = Number(values.memory ?? blueprintInput.functions['deliver-wechat'].memoryMb);
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
        // The heap sized as the Lambda runtime sizes it for this memory (./support/lambda-node.ts).
        execArgv: lambdaHeapFlags(memoryMb),
        env: Object.fromEntries(
          Object.entries(stack.functions.get('deliver-wechat')!.environment).filter(
            (e): e is [string, string] => e[1] !== undefined,
          ),
        ),
      },
    );
    const ready = (await new Promise((r) => child.once('message', r))) as { cpuMs: number };
    let seq = 0;
    let peak = 0;
    let cpuMs = ready.cpuMs;
    const pending = new Map<number, (v: unknown) => void>();
    child.on('message', (m: { id: number; result: unknown; maxRssMb: number; cpuMs: number }) => {
      peak = Math.max(peak, m.maxRssMb);
      cpuMs = Math.max(cpuMs, m.cpuMs);
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
    // CPU per push as this machine's core runs it, and what that allows at the function's CPU share
    // (Lambda gives one vCPU at 1,769 MB, in proportion below). Here the WeChat API is plain HTTP;
    // on Lambda its TLS (on kept-alive connections) adds to it.
    const perPush = (cpuMs - ready.cpuMs) / Math.max(1, sent);
    const share = memoryMb / 1769;
    rows.push(
      `| ${run} | ${n.toLocaleString('en')} | ${sent.toLocaleString('en')} | ${seq} | ${((performance.now() - started) / 1000).toFixed(1)} | ${peak.toFixed(0)} | ${perPush.toFixed(2)} | ${share.toFixed(3)} | ${(share / (perPush / 1000)).toFixed(0)} |`,
    );
    await close();
  }
} finally {
  await ddb.stop();
}
console.log(
  `\ndeliver-wechat bundled as deployed, alone in its own process, one invocation at a time, the heap sized as the Lambda runtime sizes it for ${memoryMb} MB (${lambdaHeapFlags(memoryMb).join(' ')}) (peak resident memory, as Lambda reports Max Memory Used)\n`,
);
console.log(HEADER);
for (const r of rows) console.log(r);
process.exit(0);
