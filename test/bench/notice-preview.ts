/**
 * A notice preview over a large audience on the local stack (DynamoDB Local): N bound followers in
 * Beijing, a `bound-in-city` WeChat notice, `POST /v1/admin/notices/{id}/preview` timed over HTTP.
 * The preview walks the subscribers table once (parallel Scan) and reads the day ledgers of at most
 * 2,000 members a channel (capSample), so its cost grows with the table, not with ledger reads.
 *
 *   node test/bench/notice-preview.ts [--subscribers 10000,100000] [--runs 3]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { seededBenchStack } from '../fixtures/bench-stack.ts';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '10000,100000' },
    runs: { type: 'string', default: '3' },
  },
});
const sizes = values.subscribers.split(',').map(Number);
if (sizes.length > 1) {
  // Each size in its own process: handlers are module singletons bound to the first stack's tables.
  for (const n of sizes) {
    const res = spawnSync(
      process.execPath,
      [fileURLToPath(import.meta.url), '--subscribers', String(n), '--runs', values.runs],
      { stdio: 'inherit' },
    );
    if (res.status !== 0) process.exit(res.status ?? 1);
  }
  process.exit(0);
}

process.env.STAGE = 'local';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const n = sizes[0]!;
const runs = Number(values.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const ddb = await startDynamoDbLocal();
try {
  const { stack, seedSeconds, close } = await seededBenchStack({
    dynamodbEndpoint: ddb.endpoint,
    name: 'bprev',
    subscribers: n,
    tails: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    prefix: 'o-prev',
  });

  const headers = {
    authorization: `Bearer ${stack.issueToken('edna', ['editor'])}`,
    'content-type': 'application/json',
  };
  const hour = 3600_000;
  const created = await fetch(`${stack.endpoint}/v1/admin/notices`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      kind: 'traffic-control',
      title: '长安街临时交通管制',
      body: '因重大活动，今天长安街实行临时交通管制，请提前绕行。',
      shortBody: '长安街临时交通管制，请绕行',
      city: 'beijing',
      effectiveFrom: new Date(Date.now() - hour).toISOString(),
      effectiveTo: new Date(Date.now() + 4 * hour).toISOString(),
      channels: ['feed', 'wechat'],
      audience: { type: 'bound-in-city' },
    }),
  });
  const { id } = (await created.json()) as { id: string };
  const times: number[] = [];
  let body:
    | { channels: { wechat: { audience: number; capEstimate: { sampled: number } | null } } }
    | undefined;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const res = await fetch(`${stack.endpoint}/v1/admin/notices/${id}/preview`, { method: 'POST', headers });
    body = (await res.json()) as typeof body;
    if (res.status !== 200) throw new Error(`preview answered ${res.status}: ${JSON.stringify(body)}`);
    times.push(performance.now() - started);
  }
  await close();
  const w = body!.channels.wechat;
  console.log(`\nNotice preview over HTTP on the local stack (${runs} runs, median)\n`);
  console.log('| subscribers | audience | ledgers read | preview ms (median) | runs ms | seeding s |');
  console.log('| ---: | ---: | ---: | ---: | --- | ---: |');
  console.log(
    `| ${n.toLocaleString('en-US')} | ${w.audience.toLocaleString('en-US')} | ${(w.capEstimate?.sampled ?? w.audience).toLocaleString('en-US')} | ${median(times).toFixed(0)} | ${times.map((t) => t.toFixed(0)).join(' / ')} | ${seedSeconds.toFixed(1)} |`,
  );
} finally {
  await ddb.stop();
}
