/**
 * DynamoDB round trips on the WeChat webhook path, per message type: every request the
 * receive-wechat handler makes (counted by middleware on the one document client the functions
 * share), how many of them are sequential (requests that overlap in time count as one round trip:
 * the critical path a follower waits for), and how many are transactions. The handler runs
 * in-process against the local stack's DynamoDB Local, each case from --followers distinct
 * followers (median), after a warm-up that fills the restriction-data cache.
 *
 *   node test/bench/round-trips.ts [--followers 15]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { accountsFromEnv } from '../../functions/adapters/wechat/accounts.ts';
import { blueprint } from '../../lib/blueprint.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { buildRequest, messageXml, type SimulatedMessage } from '../../lib/local/wechat-user.ts';

const { values } = parseArgs({ options: { followers: { type: 'string', default: '15' } } });
const FOLLOWERS = Number(values.followers);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

process.env.STAGE = 'local';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const account = accountsFromEnv(process.env)[0]!;
const dataDir = mkdtempSync(join(tmpdir(), 'bench-rt-'));
const stack = new LocalStack({ blueprint, port: 0, dataDir });
await stack.start();

interface Call {
  command: string;
  start: number;
  end: number;
}
let calls: Call[] = [];
// The functions' one document client (imported once the stack has set the endpoint it reads).
const { documentClient } = await import('../../functions/shared/clients/dynamodb.ts');
documentClient.middlewareStack.add(
  (next, context) => async (args) => {
    const input = args.input as { TableName?: string; TransactItems?: unknown[] };
    const table = input.TableName?.split('-').at(-1) ?? (input.TransactItems ? 'tx' : '?');
    const call = { command: `${String(context.commandName)}(${table})`, start: performance.now(), end: 0 };
    try {
      return await next(args);
    } finally {
      call.end = performance.now();
      calls.push(call);
    }
  },
  { step: 'initialize', name: 'benchRoundTripCounter' },
);

/**
 * The round trips a reply waits for: the longest chain of requests each of which began after the
 * previous one ended (requests in flight together are one step of it).
 */
function sequential(cs: readonly Call[]): number {
  const sorted = [...cs].sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  sorted.forEach((c, i) => {
    let d = 1;
    for (let j = 0; j < i; j++) if (sorted[j]!.end <= c.start) d = Math.max(d, depth[j]! + 1);
    depth.push(d);
  });
  return Math.max(0, ...depth);
}

// The handler as the local stack runs it: in its own environment (only what its grants give it).
const receive = stack.functions.get('receive-wechat')!;
async function send(openid: string, m: SimulatedMessage, raw?: { query: string; body: string }) {
  const r =
    raw ??
    buildRequest(account, messageXml(m, openid, 'gh_bench', Math.floor(Date.now() / 1000)), {
      encrypted: true,
    });
  const event = {
    version: '2.0',
    routeKey: 'POST /webhooks/wechat/{account}',
    rawPath: `/webhooks/wechat/${account.id}`,
    rawQueryString: r.query,
    headers: { 'content-type': 'text/xml' },
    queryStringParameters: Object.fromEntries(new URLSearchParams(r.query)),
    pathParameters: { account: account.id },
    requestContext: { http: { method: 'POST', path: `/webhooks/wechat/${account.id}` } },
    body: r.body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  const res = (await receive.invoke(event)) as { statusCode: number };
  if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
  return r;
}

const text = (t: string): SimulatedMessage => ({ kind: 'text', text: t });
const cases: Array<{ name: string; kind: 'question' | 'change' | 'replay'; message: SimulatedMessage }> = [
  { name: 'subscribe (a new follower)', kind: 'change', message: { kind: 'event', event: 'subscribe' } },
  { name: '绑定 京A12345', kind: 'change', message: text('绑定 京A12345') },
  { name: '限行', kind: 'question', message: text('限行') },
  { name: '限行 again', kind: 'question', message: text('限行') },
  { name: '明天限行吗', kind: 'question', message: text('明天限行吗') },
  { name: '路况', kind: 'question', message: text('路况') },
  { name: 'menu number 1', kind: 'question', message: text('1') },
  {
    name: 'menu click (a key of the menu)',
    kind: 'question',
    message: { kind: 'event', event: 'CLICK', eventKey: 'XIANXING' },
  },
  { name: '帮助', kind: 'question', message: text('帮助') },
];
const rows: string[] = [];
try {
  // Warm-up: the restriction data and notices caches, the accounts.
  await send('o-rt-warm', { kind: 'event', event: 'subscribe' });
  await send('o-rt-warm', text('限行'));
  await send('o-rt-warm', text('路况'));
  const results = new Map<string, Array<{ total: number; seq: number; tx: number; list: string }>>();
  const replays: Array<{ total: number; seq: number; tx: number; list: string }> = [];
  for (let f = 0; f < FOLLOWERS; f++) {
    const openid = `o-rt-${f}`;
    let last: { query: string; body: string } | undefined;
    for (const c of cases) {
      calls = [];
      last = await send(openid, c.message);
      const got = {
        total: calls.length,
        seq: sequential(calls),
        tx: calls.filter((x) => x.command.startsWith('Transact')).length,
        list: calls.map((x) => x.command.replace('Command(', '(')).join(' '),
      };
      results.set(c.name, [...(results.get(c.name) ?? []), got]);
    }
    // WeChat's retry of the last message: answered from the stored reply.
    calls = [];
    await send(openid, text(''), last);
    replays.push({
      total: calls.length,
      seq: sequential(calls),
      tx: calls.filter((x) => x.command.startsWith('Transact')).length,
      list: calls.map((x) => x.command.replace('Command(', '(')).join(' '),
    });
  }
  results.set('a retry of the same message (replay)', replays);
  for (const [name, rs] of results) {
    const kind = cases.find((c) => c.name === name)?.kind ?? 'replay';
    const seq = median(rs.map((r) => r.seq));
    const typical = rs[Math.floor(rs.length / 2)]!.list;
    rows.push(
      `| ${name} | ${kind} | ${median(rs.map((r) => r.total))} | ${seq} | ${median(rs.map((r) => r.tx))} | ${kind === 'question' ? (seq <= 2 ? 'yes' : 'no') : ''} | ${typical} |`,
    );
  }
} finally {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

console.log(
  `\nDynamoDB requests on the WeChat webhook path (receive-wechat in-process, DynamoDB Local; median of ${FOLLOWERS} followers)\n`,
);
console.log(
  '| message | kind | requests | sequential round trips | transactions | question ≤ 2 | requests (a typical one) |',
);
console.log('| --- | --- | ---: | ---: | ---: | :---: | --- |');
for (const r of rows) console.log(r);
