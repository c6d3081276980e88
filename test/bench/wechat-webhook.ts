/**
 * The WeChat webhook's throughput and latency, printed as tables (medians of --runs runs):
 *  - the protocol path alone (verify + decrypt + parse + render + encrypt), per core;
 *  - the handler called in-process, for an encrypted "限行" text and a `subscribe` event;
 *  - over HTTP on the local stack with 50 concurrent connections;
 *  - the function's bundle size and its module init time in a fresh Node process.
 *
 *   node test/bench/wechat-webhook.ts [--messages 2000] [--runs 3] [--concurrency 50]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { build } from 'esbuild';
import { accountsFromEnv } from '../../functions/adapters/wechat/accounts.ts';
import {
  aesKeyOf,
  decrypt,
  encrypt,
  signature,
  signaturesEqual,
} from '../../functions/adapters/wechat/crypto.ts';
import { extractEncrypt, parseWeChatXml, renderReply } from '../../functions/adapters/wechat/xml.ts';
import { blueprint, REPO_ROOT } from '../../lib/blueprint.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { buildRequest, messageXml, type SimulatedMessage } from '../../lib/local/wechat-user.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '50' },
  },
});
const N = Number(values.messages);
const RUNS = Number(values.runs);
const CONCURRENCY = Number(values.concurrency);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const rows: Array<{ what: string; perSec: number; p50: number; p99: number }> = [];

function summarise(what: string, runs: Array<{ wallMs: number; latencies: number[] }>) {
  const perSec = median(runs.map((r) => (r.latencies.length / r.wallMs) * 1000));
  const p50 = median(
    runs.map((r) =>
      pct(
        [...r.latencies].sort((a, b) => a - b),
        50,
      ),
    ),
  );
  const p99 = median(
    runs.map((r) =>
      pct(
        [...r.latencies].sort((a, b) => a - b),
        99,
      ),
    ),
  );
  rows.push({ what, perSec, p50, p99 });
}

process.env.STAGE = 'local';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const account = accountsFromEnv(process.env)[0]!;
const key = aesKeyOf(account.encodingAesKey);
const dataDir = mkdtempSync(join(tmpdir(), 'bench-wx-'));
const stack = new LocalStack({ blueprint, port: 0, dataDir });
await stack.start();

let user = 0;
function requests(kind: 'text' | 'subscribe', count: number) {
  return Array.from({ length: count }, () => {
    const m: SimulatedMessage =
      kind === 'text' ? { kind: 'text', text: '限行' } : { kind: 'event', event: 'subscribe' };
    const openid = `o-bench-${user++}`;
    return buildRequest(account, messageXml(m, openid, 'gh_bench', Math.floor(Date.now() / 1000)), {
      encrypted: true,
    });
  });
}

try {
  // 1. Protocol path alone ------------------------------------------------------------------------
  const sample = requests('text', 1)[0]!;
  const q = new URLSearchParams(sample.query);
  const protocolRuns = [];
  for (let run = 0; run <= RUNS; run++) {
    const latencies: number[] = [];
    const began = performance.now();
    for (let i = 0; i < N * 5; i++) {
      const t0 = performance.now();
      const enc = extractEncrypt(sample.body)!;
      signaturesEqual(signature(account.token, q.get('timestamp')!, q.get('nonce')!), q.get('signature')!);
      signaturesEqual(
        signature(account.token, q.get('timestamp')!, q.get('nonce')!, enc),
        q.get('msg_signature')!,
      );
      const m = parseWeChatXml(decrypt(enc, key, account.appId));
      const reply = renderReply(
        { type: 'text', content: `今天北京限行尾号 4 和 9 ${m.Content}` },
        'o',
        'gh',
        1,
      );
      signature(account.token, '1', '2', encrypt(reply, key, account.appId));
      latencies.push(performance.now() - t0);
    }
    if (run > 0) protocolRuns.push({ wallMs: performance.now() - began, latencies }); // run 0 warms up
  }
  summarise('protocol path only (verify+decrypt+parse+reply+encrypt, 1 core)', protocolRuns);

  // 2. In-process handler -------------------------------------------------------------------------
  const { handler } = await import('../../functions/receive-wechat/handler.ts');
  const context = {
    getRemainingTimeInMillis: () => 6000,
    functionName: 'receive-wechat',
    awsRequestId: 'bench',
  } as unknown as Context;
  const event = (r: { query: string; body: string }): APIGatewayProxyEventV2 =>
    ({
      version: '2.0',
      routeKey: 'POST /webhooks/wechat/{account}',
      rawPath: '/webhooks/wechat/dev',
      rawQueryString: r.query,
      headers: { 'content-type': 'text/xml' },
      queryStringParameters: Object.fromEntries(new URLSearchParams(r.query)),
      pathParameters: { account: 'dev' },
      requestContext: { http: { method: 'POST', path: '/webhooks/wechat/dev' } },
      body: r.body,
      isBase64Encoded: false,
    }) as unknown as APIGatewayProxyEventV2;
  for (const kind of ['text', 'subscribe'] as const) {
    const runs = [];
    for (let run = 0; run <= RUNS; run++) {
      const batch = requests(kind, run === 0 ? 100 : N);
      const latencies: number[] = [];
      const began = performance.now();
      for (const r of batch) {
        const t0 = performance.now();
        const res = (await handler(event(r), context)) as { statusCode: number };
        if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
        latencies.push(performance.now() - t0);
      }
      if (run > 0) runs.push({ wallMs: performance.now() - began, latencies });
    }
    summarise(
      `in-process handler, ${kind === 'text' ? 'encrypted 限行' : 'subscribe event'} (sequential)`,
      runs,
    );
  }

  // 3. Over HTTP, 50 concurrent connections -------------------------------------------------------
  for (const kind of ['text', 'subscribe'] as const) {
    const runs = [];
    for (let run = 0; run <= RUNS; run++) {
      const batch = requests(kind, run === 0 ? 200 : N);
      const latencies: number[] = [];
      let next = 0;
      const began = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let i = next++; i < batch.length; i = next++) {
            const r = batch[i]!;
            const t0 = performance.now();
            const res = await fetch(`${stack.endpoint}/webhooks/wechat/dev?${r.query}`, {
              method: 'POST',
              headers: { 'content-type': 'text/xml' },
              body: r.body,
            });
            await res.arrayBuffer();
            if (res.status !== 200) throw new Error(`status ${res.status}`);
            latencies.push(performance.now() - t0);
          }
        }),
      );
      if (run > 0) runs.push({ wallMs: performance.now() - began, latencies });
    }
    summarise(
      `HTTP on the local stack, ${kind === 'text' ? 'encrypted 限行' : 'subscribe event'}, ${CONCURRENCY} connections`,
      runs,
    );
  }
} finally {
  await stack.stop();
}

// 4. Bundle size and module init -------------------------------------------------------------------
const outdir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
await build({
  entryPoints: [join(REPO_ROOT, 'functions/receive-wechat/handler.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: false,
  outfile: join(outdir, 'index.mjs'),
  banner: { js: "import { createRequire } from 'module';const require = createRequire(import.meta.url);" },
  logLevel: 'silent',
});
const bundleBytes = statSync(join(outdir, 'index.mjs')).size;
writeFileSync(
  join(outdir, 'init.mjs'),
  "const t0 = performance.now(); await import('./index.mjs'); console.log(performance.now() - t0);",
);
const env = {
  ...process.env,
  STAGE: 'local',
  TABLE_SUBSCRIBERS: 't',
  TABLE_INBOUND: 't',
  TABLE_CONTENT: 't',
  TOPIC_WECHAT_REPLIES_ARN: 'arn:aws:sns:x:0:t',
  POWERTOOLS_TRACE_ENABLED: 'false',
};
const inits = Array.from({ length: 5 }, () =>
  Number(execFileSync(process.execPath, [join(outdir, 'init.mjs')], { env, encoding: 'utf8' }).trim()),
);
rmSync(outdir, { recursive: true, force: true });
rmSync(dataDir, { recursive: true, force: true });

console.log(`\nWeChat webhook — ${N} messages per run, median of ${RUNS} runs\n`);
console.log('| path | msgs/s | p50 ms | p99 ms |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of rows)
  console.log(`| ${r.what} | ${r.perSec.toFixed(0)} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} |`);
console.log(`\nreceive-wechat bundle (ESM, minified, no source map): ${(bundleBytes / 1024).toFixed(0)} KiB`);
console.log(`module init in a fresh Node process, median of 5: ${median(inits).toFixed(1)} ms`);
