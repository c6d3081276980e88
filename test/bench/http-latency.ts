/**
 * Latency of routes of the local stack, over HTTP, sequential requests (one client, like a
 * user's phone): prints a table per route with one row per run and the medians across runs.
 *
 *   node test/bench/http-latency.ts [--path /health --path …] [--requests 1000] [--runs 5] [--url http://127.0.0.1:3000]
 *
 * Default paths: /health and /v1/cities/beijing/restrictions.
 *
 * Without --url it starts the local stack in process (DynamoDB Local in a temp dir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { blueprint } from '../../lib/blueprint.ts';
import { LocalStack } from '../../lib/local/stack.ts';

const { values } = parseArgs({
  options: {
    path: { type: 'string', multiple: true, default: ['/health', '/v1/cities/beijing/restrictions'] },
    requests: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '5' },
    url: { type: 'string' },
  },
});
const requests = Number(values.requests);
const runs = Number(values.runs);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

let stack: LocalStack | undefined;
let dataDir: string | undefined;
let base = values.url;
if (!base) {
  dataDir = mkdtempSync(join(tmpdir(), 'bench-'));
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  stack = new LocalStack({ blueprint, port: 0, dataDir });
  await stack.start();
  base = stack.endpoint;
}

try {
  for (const path of values.path) {
    const url = `${base}${path}`;
    for (let i = 0; i < 50; i++) await (await fetch(url)).arrayBuffer(); // warm-up: module init, JIT
    const rows: {
      run: number;
      p50: number;
      p90: number;
      p99: number;
      max: number;
      rps: number;
      non2xx: number;
    }[] = [];
    for (let run = 1; run <= runs; run++) {
      const times: number[] = [];
      let non2xx = 0;
      const began = performance.now();
      for (let i = 0; i < requests; i++) {
        const t0 = performance.now();
        const res = await fetch(url);
        await res.arrayBuffer();
        times.push(performance.now() - t0);
        if (res.status >= 300) non2xx++;
      }
      const wall = performance.now() - began;
      times.sort((a, b) => a - b);
      rows.push({
        run,
        p50: percentile(times, 50),
        p90: percentile(times, 90),
        p99: percentile(times, 99),
        max: times.at(-1)!,
        rps: (requests / wall) * 1000,
        non2xx,
      });
    }
    const fmt = (n: number) => n.toFixed(2).padStart(8);
    console.log(`\nGET ${path} — ${requests} sequential requests × ${runs} runs (${base})\n`);
    console.log('| run |   p50 ms |   p90 ms |   p99 ms |   max ms |    req/s | non-2xx |');
    console.log('| --- | -------- | -------- | -------- | -------- | -------- | ------- |');
    for (const r of rows) {
      console.log(
        `| ${String(r.run).padStart(3)} | ${fmt(r.p50)} | ${fmt(r.p90)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${fmt(r.rps)} | ${String(r.non2xx).padStart(7)} |`,
      );
    }
    console.log(
      `| med | ${fmt(median(rows.map((r) => r.p50)))} | ${fmt(median(rows.map((r) => r.p90)))} | ${fmt(median(rows.map((r) => r.p99)))} | ${fmt(median(rows.map((r) => r.max)))} | ${fmt(median(rows.map((r) => r.rps)))} |         |`,
    );
  }
} finally {
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
