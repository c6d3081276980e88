/**
 * Ingest of a city's day of camera captures on the local stack: N violation events (default
 * 100,000, over ~70% as many plates), posted to POST /v1/integrations/driver-events signed as the
 * platform signs, 500 a request, two requests in flight (as Lambda would run them side by side);
 * 2% of the plates have a verified owner, so their notices go into the push pipeline as they would
 * (delivered after the measurement: what delivery costs is the restriction-push benchmark's).
 * DynamoDB Local sits behind a counting proxy that asks every request for its consumed capacity, so
 * the writes and reads per event are what DynamoDB (Local) charged, all tables together — records,
 * run counts, request nonces. Prints events/s, DynamoDB requests and capacity units per event, and
 * the AWS cost per 1,000,000 events (us-east-1 on-demand list prices, reference notify.md §5.1).
 *
 *   node test/bench/driver-ingest.ts [--events 100000] [--runs 1] [--concurrency 2] [--owners 0.02]
 *
 * Each run ingests fresh events into a fresh service (tables) on the same DynamoDB Local; the table
 * shows each run and the median.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEV_DRIVER_DEFAULTS } from '../../functions/adapters/integrations/secret.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { localClient, localTableName, startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { signedBatch } from '../../lib/local/platform-user.ts';
import { listenLoopback } from '../../lib/local/ports.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { MAX_DRIVER_BATCH } from '../../schemas/drivers.ts';
import { pinShanghaiMorning } from '../fixtures/bench-stack.ts';
import { captures, plateOf, seedVerifiedOwners } from '../fixtures/driver-load.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '2' },
    owners: { type: 'string', default: '0.02' },
  },
});
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const CONCURRENCY = Number(values.concurrency);
const OWNED = Number(values.owners);

process.env.STAGE = 'local';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
pinShanghaiMorning();

// us-east-1 list prices: notify.md §5.1; API Gateway HTTP API is AWS's list price (first 300M a month).
const PRICE = {
  wru: 0.625 / 1e6,
  rru: 0.125 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334, // arm64
  sns: 0.5 / 1e6,
  httpApi: 1.0 / 1e6,
};

/** What went through the proxy: requests and capacity units, by kind. */
class Meter {
  writeRequests = 0;
  writeItems = 0;
  wru = 0;
  readRequests = 0;
  rru = 0;
  /** Requests by operation and table (the breakdown printed under the table). */
  byOp = new Map<string, number>();
  reset() {
    Object.assign(this, { writeRequests: 0, writeItems: 0, wru: 0, readRequests: 0, rru: 0 });
    this.byOp.clear();
  }
}
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

/** A proxy in front of DynamoDB Local that adds ReturnConsumedCapacity to every request and counts. */
async function countingProxy(target: string, meter: Meter) {
  const upstream = new URL(target);
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const op = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      let body = Buffer.concat(chunks);
      let items = 1;
      if (WRITES.has(op) || READS.has(op)) {
        const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        json.ReturnConsumedCapacity = 'TOTAL';
        const table = String(
          json.TableName ?? Object.keys((json.RequestItems as object) ?? {})[0] ?? 'transaction',
        );
        const what = `${op} ${table.replace(/^.*?-(\w+)$/, '$1')}`;
        meter.byOp.set(what, (meter.byOp.get(what) ?? 0) + 1);
        if (op === 'TransactWriteItems') items = (json.TransactItems as unknown[]).length;
        if (op === 'BatchWriteItem')
          items = Object.values(json.RequestItems as Record<string, unknown[]>).reduce(
            (n, l) => n + l.length,
            0,
          );
        body = Buffer.from(JSON.stringify(json));
      }
      const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent },
        (up: IncomingMessage) => {
          const out: Buffer[] = [];
          up.on('data', (c: Buffer) => out.push(c));
          up.on('end', () => {
            const answer = Buffer.concat(out);
            if ((WRITES.has(op) || READS.has(op)) && up.statusCode === 200) {
              const parsed = JSON.parse(answer.toString('utf8')) as { ConsumedCapacity?: unknown };
              const list = [parsed.ConsumedCapacity ?? []].flat() as Array<{ CapacityUnits?: number }>;
              const units = list.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
              if (WRITES.has(op)) {
                meter.writeRequests++;
                meter.writeItems += items;
                meter.wru += units;
              } else {
                meter.readRequests++;
                meter.rru += units;
              }
            } else if (WRITES.has(op) && up.statusCode === 400) {
              // A conditional write that fails still consumes (1 WRU for a small item).
              meter.writeRequests++;
              meter.writeItems += items;
              meter.wru += items;
            }
            res.writeHead(up.statusCode ?? 500, up.headers);
            res.end(answer);
          });
        },
      );
      forward.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      forward.end(body);
    });
  });
  const port = await listenLoopback(server, 0);
  return { endpoint: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

const integration = {
  id: DEV_DRIVER_DEFAULTS.DRIVER_INTEGRATION_ID,
  secret: DEV_DRIVER_DEFAULTS.DRIVER_INTEGRATION_SECRET,
};

interface RunResult {
  events: number;
  accepted: number;
  notices: number;
  wallS: number;
  perSecond: number;
  writeRequests: number;
  writeItems: number;
  wru: number;
  readRequests: number;
  rru: number;
  meanRequestMs: number;
  retries: number;
}

const ddb = await startDynamoDbLocal();
const meter = new Meter();
const proxy = await countingProxy(ddb.endpoint, meter);
const results: RunResult[] = [];
const breakdowns: Array<Map<string, number>> = [];
try {
  for (let r = 0; r < RUNS; r++) {
    const bp = defineBlueprint({ ...blueprintInput, service: `bench-drv-${randomUUID().slice(0, 6)}` });
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-drivers-'));
    const stack = new LocalStack({ blueprint: bp, port: 0, dataDir, dynamodbEndpoint: proxy.endpoint });
    await stack.start();
    const doc = DynamoDBDocumentClient.from(localClient(ddb.endpoint));
    const plates = Math.ceil(EVENTS * 0.7);
    // Registry and verified owners for a share of the plates (written directly, not measured).
    const owners = await seedVerifiedOwners(
      doc,
      localTableName(bp.service, 'drivers'),
      Array.from({ length: Math.floor(plates * OWNED) }, (_, i) => ({
        plate: plateOf(Math.floor(i / OWNED)),
        openid: `o-owner-${i}`,
      })),
    );
    const events = captures(`r${r}`, EVENTS, (i) => plateOf((i * 7919) % plates));
    const batches: unknown[][] = [];
    for (let i = 0; i < events.length; i += MAX_DRIVER_BATCH)
      batches.push(events.slice(i, i + MAX_DRIVER_BATCH));

    // Delivery waits while ingest is measured (its cost is the push pipeline's: restriction-push).
    const delivery = ['push-deliveries-wechat', 'push-deliveries-sms'].map((id) => ({
      queue: stack.queues.get(id)!,
      fn: stack.functions.get(bp.queues[id]!.function)!,
    }));
    for (const d of delivery) await d.queue.stop();
    meter.reset();
    let next = 0;
    let accepted = 0;
    let notices = 0;
    let requestMs = 0;
    let retries = 0;
    const began = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < batches.length; i = next++) {
          // A request that outlives the function's timeout (29 s) on a loaded machine is sent again, as
          // the platform would: events are idempotent, and the retry is counted.
          let answer: { accepted: number; results: Array<{ notices?: number }> } | undefined;
          for (let attempt = 0; !answer; attempt++) {
            const signed = signedBatch(integration, batches[i]!);
            const t0 = performance.now();
            const res = await fetch(`${stack.endpoint}${signed.path}`, {
              method: 'POST',
              headers: signed.headers,
              body: signed.body,
            });
            const body = (await res.json()) as typeof answer;
            requestMs += performance.now() - t0;
            if (res.status === 200) answer = body;
            else if (res.status >= 500 && attempt < 3) retries++;
            else throw new Error(`batch ${i}: HTTP ${res.status} ${JSON.stringify(body)}`);
          }
          accepted += answer.accepted;
          notices += answer.results.reduce((n, x) => n + (x.notices ?? 0), 0);
        }
      }),
    );
    const wallS = (performance.now() - began) / 1000;
    breakdowns.push(new Map(meter.byOp));
    results.push({
      events: EVENTS,
      accepted,
      notices,
      wallS,
      perSecond: EVENTS / wallS,
      ...{
        writeRequests: meter.writeRequests,
        writeItems: meter.writeItems,
        wru: meter.wru,
        readRequests: meter.readRequests,
        rru: meter.rru,
      },
      meanRequestMs: requestMs / (batches.length + retries),
      retries,
    });
    console.error(
      `run ${r + 1}/${RUNS}: ${EVENTS} events (${owners} plates with a verified owner) in ${wallS.toFixed(1)} s`,
    );
    // Then the notices are delivered, before the next run takes the machine.
    for (const d of delivery) d.queue.start((e) => d.fn.invoke(e));
    for (const d of delivery) await d.queue.drained(600_000);
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
} finally {
  await proxy.close();
  await ddb.stop();
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const per = (r: RunResult, x: number) => x / r.events;
const row = (label: string, r: RunResult) =>
  `| ${label} | ${r.events.toLocaleString('en')} | ${r.accepted.toLocaleString('en')} | ${r.notices.toLocaleString('en')} | ${r.wallS.toFixed(1)} | ${r.perSecond.toFixed(0)} | ${per(r, r.writeItems).toFixed(3)} | ${per(r, r.wru).toFixed(3)} | ${per(r, r.readRequests).toFixed(3)} | ${per(r, r.rru).toFixed(3)} | ${r.meanRequestMs.toFixed(0)} | ${r.retries} |`;

console.log(
  `\nDriver events ingested on the local stack (DynamoDB Local, ${CONCURRENCY} requests of ${MAX_DRIVER_BATCH} in flight, ${(OWNED * 100).toFixed(0)}% of plates with a verified owner)\n`,
);
console.log(
  '| run | events | accepted | notices | wall s | events/s | DynamoDB writes/event | WRU/event | DynamoDB reads/event | RRU/event | ms per request | retried requests |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [i, r] of results.entries()) console.log(row(String(i + 1), r));
const keysOf = Object.keys(results[0]!) as Array<keyof RunResult>;
const med = Object.fromEntries(
  keysOf.map((k) => [k, median(results.map((r) => r[k]))]),
) as unknown as RunResult;
if (results.length > 1) console.log(row('**median**', med));

console.log('\nDynamoDB requests per event by operation and table (run 1):\n');
console.log('| operation | table | per event |\n| --- | --- | ---: |');
for (const [what, n] of [...breakdowns[0]!.entries()].sort((a, b) => b[1] - a[1])) {
  const [op, table] = what.split(' ');
  console.log(`| ${op} | ${table} | ${(n / EVENTS).toFixed(4)} |`);
}

// Cost per 1,000,000 events from the median run (delivering the notices is the push pipeline's).
const million = 1e6;
const memoryGb = bp0MemoryGb();
const requests = million / MAX_DRIVER_BATCH;
const items = {
  wru: per(med, med.wru) * million,
  rru: per(med, med.rru) * million,
  gbSeconds: requests * (med.meanRequestMs / 1000) * memoryGb,
  sns: per(med, med.notices) * million,
};
const cost = {
  'DynamoDB writes': items.wru * PRICE.wru,
  'DynamoDB reads': items.rru * PRICE.rru,
  'Lambda requests': requests * PRICE.lambdaRequest,
  'Lambda duration': items.gbSeconds * PRICE.lambdaGbSecond,
  'API Gateway (HTTP API)': requests * PRICE.httpApi,
  'SNS publishes (notice bundles)': items.sns * PRICE.sns,
};
const total = Object.values(cost).reduce((a, b) => a + b, 0);
console.log('\nAWS cost per 1,000,000 events (us-east-1 on-demand; the median run):\n');
console.log('| item | units per 1M events | US$ |\n| --- | ---: | ---: |');
console.log(
  `| DynamoDB writes (every table ingest writes, as DynamoDB Local charged them) | ${Math.round(items.wru).toLocaleString('en')} WRU | ${cost['DynamoDB writes'].toFixed(3)} |`,
);
console.log(
  `| DynamoDB reads | ${Math.round(items.rru).toLocaleString('en')} RRU | ${cost['DynamoDB reads'].toFixed(3)} |`,
);
console.log(
  `| Lambda requests (${MAX_DRIVER_BATCH} events each) | ${requests.toLocaleString('en')} | ${cost['Lambda requests'].toFixed(3)} |`,
);
console.log(
  `| Lambda duration (arm64, ${memoryGb * 1024} MB; ${med.meanRequestMs.toFixed(0)} ms a request as measured here, against DynamoDB Local: an upper bound) | ${Math.round(items.gbSeconds).toLocaleString('en')} GB-s | ${cost['Lambda duration'].toFixed(3)} |`,
);
console.log(
  `| API Gateway HTTP API requests (a 500-event body is < 512 KB: one metered request) | ${requests.toLocaleString('en')} | ${cost['API Gateway (HTTP API)'].toFixed(3)} |`,
);
console.log(
  `| SNS publishes (one per notice bundle) | ${Math.round(items.sns).toLocaleString('en')} | ${cost['SNS publishes (notice bundles)'].toFixed(3)} |`,
);
console.log(
  `| **total** (delivery of the notices themselves is the push pipeline's, not counted here) | | **${total.toFixed(2)}** |`,
);

function bp0MemoryGb(): number {
  return (defineBlueprint(blueprintInput).functions['ingest-driver-events']!.memoryMb ?? 512) / 1024;
}
