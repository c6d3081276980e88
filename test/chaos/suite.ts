/**
 * The chaos suite (issue #19): every fault the issue reproduced, and worker exceptions, duplicate
 * segments and quota exhaustion, each as a scenario against the real local stack (a child process
 * on loopback, test/chaos/stack.ts), each on its own followers and its own run. Per scenario it
 * counts, from what WeChat's sandbox received and what the run recorded: the audience, the
 * messages sent, followers who received twice, followers who received none — with and without a
 * recorded outcome. Every planned follower must end in exactly one recorded outcome, nobody may
 * receive twice, and no input may be answered 5xx (the input cases: test/fixtures/hostile.ts and
 * the OpenAPI fuzz, test/fixtures/fuzz.ts).
 *
 * Time runs scaled (LOCAL_TIME_SCALE): the queues' visibility timeouts, the ledger's in-flight
 * window and the stall time shrink together, so a crash and its recovery take seconds.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { keys as keys_ } from '../../functions/adapters/dynamodb/keys.ts';
import { pageManifestOf } from '../../functions/adapters/dynamodb/push-runs.ts';
import { accountsFromEnv } from '../../functions/adapters/wechat/accounts.ts';
import { restrictionRunKey } from '../../functions/core/pushes/planning.ts';
import { bookOf, restrictionOn } from '../../functions/core/restrictions/engine.ts';
import { newSubscriber, type Subscriber } from '../../functions/core/subscribers/subscriber.ts';
import { blueprint, REPO_ROOT } from '../../lib/blueprint.ts';
import { localTableName } from '../../lib/local/dynamodb-local.ts';
import { buildRequest, messageXml, openReply } from '../../lib/local/wechat-user.ts';
import { shippedRestrictionData } from '../../schemas/data/index.ts';
import { ROLE_MATRIX } from '../../schemas/roles.ts';
import { splitRouteKey } from '../../schemas/routes.ts';
import { malformedRequests, type OpenApiDocument } from '../fixtures/fuzz.ts';
import { HOSTILE_CASES, hostileGroups, VALID_BODIES } from '../fixtures/hostile.ts';
import { seed } from '../fixtures/seed.ts';
import { ChaosStack, NODE, portIn } from './stack.ts';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const book = bookOf(shippedRestrictionData);

export interface ChaosOptions {
  followers: number;
  /** Only these scenarios (default: all). */
  only?: string[];
  /** Default 0.05: a 120 s visibility timeout becomes 6 s. */
  timeScale?: number;
  /** The input cases too (default true; the end-to-end tests replay them on their own). */
  inputs?: boolean;
  log?: (line: string) => void;
}

export interface PushRow {
  scenario: string;
  audience: number;
  sent: number;
  twice: number;
  none: number;
  noneWithOutcome: number;
  noneWithoutOutcome: number;
  run: string;
  seconds: number;
}

export interface InputRow {
  case: string;
  requests: number;
  serverErrors: number;
  wrong: number;
}

interface Context {
  stack: ChaosStack;
  runKey: string;
  date: string;
  followers: string[];
  log: (line: string) => void;
}

interface Scenario {
  name: string;
  /** Before the run starts (faults on). */
  before?: (c: Context) => Promise<void>;
  /** While it runs (a crash, a duplicate). */
  during?: (c: Context) => Promise<void>;
  /** Faults off, once the run is well under way. */
  after?: (c: Context) => Promise<void>;
  /** Followers seeded besides the audience's valid ones (ids no key can be built from). */
  extraIds?: (n: number) => string[];
}

type Run = {
  status: string;
  done: boolean;
  /** Planned recipients with an outcome. */
  settled: number;
  stalledSince: string | null;
  counts: Record<string, number>;
  segmentsDone: number;
  segmentsTotal: number;
};
const getRun = async (c: Context) =>
  (await c.stack.call('GET', `/v1/admin/pushes/${encodeURIComponent(c.runKey)}`)).body as unknown as Run;
const wechatFaults = (c: Context, faults: Record<string, unknown>) =>
  c.stack.call('PUT', '/_local/faults', faults);
const queueFaults = (c: Context, queue: string, faults: Record<string, number>) =>
  c.stack.call('PUT', `/_local/queues/${queue}/faults`, faults);
const NO_FAULTS = {
  unfollowed: [],
  quotaRemaining: null,
  busyRate: 0,
  invalidTokenOnce: false,
  invalidTokenRate: 0,
};

async function outbox(c: Context): Promise<Array<{ kind: string; touser: string }>> {
  return (await c.stack.call('GET', '/_local/outbox')).body as unknown as Array<{
    kind: string;
    touser: string;
  }>;
}
async function sentCount(c: Context) {
  const mine = new Set(c.followers);
  return (await outbox(c)).filter((o) => o.kind === 'template' && mine.has(o.touser)).length;
}
/**
 * Waits until half the audience is through: received it, or has an outcome (a sustained fault can
 * leave more than half without the push, settled as failed once their retries are spent).
 */
async function whenHalfThrough(c: Context, timeoutMs = Math.max(60_000, c.followers.length * 250)) {
  const half = Math.ceil(c.followers.length / 2);
  const until = Date.now() + timeoutMs;
  while ((await sentCount(c)) < half && (await getRun(c)).settled < half) {
    if (Date.now() > until) throw new Error(`${c.runKey}: fewer than ${half} through within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Waits for `n` of the scenario's followers to have received it: a minute, or a quarter second each. */
async function whenSent(c: Context, n: number, timeoutMs = Math.max(60_000, c.followers.length * 250)) {
  const until = Date.now() + timeoutMs;
  while ((await sentCount(c)) < n) {
    if (Date.now() > until) throw new Error(`${c.runKey}: fewer than ${n} sent within ${timeoutMs} ms`);
    await sleep(20);
  }
}

const SCENARIOS: Scenario[] = [
  { name: 'baseline (no faults)' },
  {
    // The issue: kill -9 at 201 of 603 sent, restart on the same data folder.
    name: 'kill -9 at a third sent, restart, npm run push -- --resume',
    during: async (c) => {
      await whenSent(c, Math.ceil(c.followers.length / 3));
      await c.stack.kill9();
      c.log(`  killed the stack at ${await countFromFile(c)} sent; restarting on the same data folder`);
      await c.stack.start();
      // The operator: resume, and follow the run to its end (exit 3 if it stalls again).
      for (let attempt = 0; attempt < 6; attempt++) {
        if ((await getRun(c)).done) return;
        const out = await run(NODE, ['bin/push.ts', '--resume', c.runKey], {
          cwd: REPO_ROOT,
          env: c.stack.toolEnv(),
        }).then(
          (r) => ({ code: 0, text: r.stdout }),
          (e: { code?: number; stdout?: string; stderr?: string }) => ({
            code: e.code ?? 1,
            text: `${e.stdout}${e.stderr}`,
          }),
        );
        c.log(
          `  npm run push -- --resume: exit ${out.code}: ${out.text.split('\n').find((l) => l.startsWith('resumed')) ?? ''}`,
        );
        if (out.code === 0) return;
        await sleep(2000);
      }
    },
  },
  {
    name: 'faults: busy 10%, token invalidated 5%, two unfollowed',
    before: async (c) => {
      await wechatFaults(c, {
        ...NO_FAULTS,
        busyRate: 0.1,
        invalidTokenRate: 0.05,
        unfollowed: c.followers.slice(0, 2),
      });
    },
    after: (c) => wechatFaults(c, NO_FAULTS).then(() => {}),
  },
  {
    // The issue: 8 of 302 settled failed:40001 and never retried.
    name: 'transient token errors (40001 on 30% of calls)',
    before: async (c) => {
      await wechatFaults(c, { ...NO_FAULTS, invalidTokenRate: 0.3 });
    },
    after: async (c) => {
      await whenHalfThrough(c);
      await wechatFaults(c, NO_FAULTS);
    },
  },
  {
    // The issue: a subscriber with an empty openid poisoned its bundle of 30.
    // (A 2,100-character openid cannot be stored at all — DynamoDB's key limit — so the webhook refuses
    // it: see the input cases.)
    name: 'poison recipients: an empty openid and two no key should be built from, among them',
    extraIds: () => ['', 'o has space', 'o#hash'],
  },
  {
    name: 'worker exceptions: 30% of batches die after their work',
    before: async (c) => {
      await queueFaults(c, 'push-deliveries-wechat', { failAfterWorkRate: 0.3 });
      await queueFaults(c, 'push-segments', { failAfterWorkRate: 0.3 });
    },
    after: async (c) => {
      await sleep(1500);
      await queueFaults(c, 'push-deliveries-wechat', { failAfterWorkRate: 0 });
      await queueFaults(c, 'push-segments', { failAfterWorkRate: 0 });
    },
  },
  {
    name: 'duplicate segments: every segment delivered twice',
    during: async (c) => {
      const answer = restrictionOn(book, 'beijing', c.date);
      const tails = answer.status === 'restricted' ? answer.tails : [];
      for (const tail of tails)
        for (let shard = 0; shard < 16; shard++)
          await c.stack.call('POST', '/_local/topics/push-segments', {
            message: {
              runKey: c.runKey,
              category: 'restriction',
              city: 'beijing',
              date: c.date,
              slot: 'morning',
              tail,
              shard,
            },
          });
    },
  },
  {
    name: 'quota exhaustion: 45009 after half the audience',
    before: async (c) => {
      await wechatFaults(c, { ...NO_FAULTS, quotaRemaining: Math.floor(c.followers.length / 2) });
    },
  },
  {
    name: 'bundles lost before any worker saw them (40%), the sweep resumes',
    before: async (c) => {
      await queueFaults(c, 'push-deliveries-wechat', { dropRate: 0.4 });
    },
    after: async (c) => {
      // Once expansion is over, nothing is lost any more: the stalled run waits for the sweep.
      const until = Date.now() + 30_000;
      while (Date.now() < until) {
        const r = await getRun(c);
        if (r.segmentsDone >= r.segmentsTotal) break;
        await sleep(100);
      }
      await sleep(500);
      await queueFaults(c, 'push-deliveries-wechat', { dropRate: 0 });
    },
  },
];

/** What the outbox file says was sent (read after a crash, when the stack is not there to ask). */
async function countFromFile(c: Context): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const mine = new Set(c.followers);
  return readFileSync(join(c.stack.dataDir, 'wechat-outbox.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; touser: string })
    .filter((o) => o.kind === 'template' && mine.has(o.touser)).length;
}

/** Messages still in the push queues (visible, or in flight and coming back). */
async function queued(c: Context): Promise<number> {
  const stats = (await c.stack.call('GET', '/_local/queues')).body as unknown as Array<{
    queue: string;
    visible: number;
    inFlight: number;
  }>;
  return stats.filter((q) => q.queue.startsWith('push-')).reduce((n, q) => n + q.visible + q.inFlight, 0);
}

/**
 * Until the run ends and its queues are empty (a copy of a bundle still on its way is counted too);
 * a stall is met as operations would meet it: the sweep is fired.
 */
async function waitDone(c: Context, timeoutMs = 180_000): Promise<Run> {
  const until = Date.now() + timeoutMs;
  let sweeps = 0;
  for (;;) {
    const r = await getRun(c);
    if (r.done && (await queued(c)) === 0) return getRun(c);
    if (Date.now() > until)
      throw new Error(`${c.runKey} did not end: ${JSON.stringify(r)}\n${c.stack.tail()}`);
    if (r.stalledSince) {
      sweeps++;
      const fired = await c.stack.call('POST', '/_local/schedules/resume-push-runs/fire');
      c.log(
        `  stalled since ${r.stalledSince}: sweep fired (${JSON.stringify(fired.body.output ?? {}).slice(0, 160)})`,
      );
      if (sweeps > 10) throw new Error(`${c.runKey} stalled ${sweeps} times`);
    }
    await sleep(200);
  }
}

/** Each follower's recorded outcome for the run: its page's settled entries and its bundle's receipt. */
async function recordedOutcomes(c: Context): Promise<Map<string, string>> {
  const doc = c.stack.doc!;
  const operations = localTableName(blueprint.service, 'operations');
  const ledger = localTableName(blueprint.service, 'ledger');
  const pages: Array<{
    bundles: Array<{ bundle: string; recipients: Array<{ id: string }> }>;
    settled: Array<{ id: string; outcome: string }>;
  }> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await doc.send(
      new QueryCommand({
        TableName: operations,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': `RUN#${c.runKey}`, ':p': 'PAGE#' },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    // As a resume reads them (a page's manifest is stored gzipped).
    for (const item of res.Items ?? []) {
      const page = pageManifestOf(item);
      if (!page) throw new Error(`page ${String(item.sk)} of ${c.runKey} cannot be read`);
      pages.push(page);
    }
    start = res.LastEvaluatedKey;
  } while (start);
  const outcomes = new Map<string, string>();
  for (const p of pages) for (const s of p.settled) outcomes.set(s.id, s.outcome);
  const bundles = pages.flatMap((p) => p.bundles);
  for (let i = 0; i < bundles.length; i += 100) {
    const keys = bundles.slice(i, i + 100).map((b) => ({ pk: `RECEIPT#${b.bundle}`, sk: 'RECEIPT' }));
    let pending: Record<string, unknown>[] | undefined = keys;
    while (pending?.length) {
      const res: BatchGetCommandOutput = await doc.send(
        new BatchGetCommand({ RequestItems: { [ledger]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of res.Responses?.[ledger] ?? [])
        for (const [k, v] of Object.entries(item))
          if (k.startsWith('o:')) outcomes.set(k.slice(2), String(v));
      pending = res.UnprocessedKeys?.[ledger]?.Keys;
    }
  }
  return outcomes;
}

function followersFor(prefix: string, n: number, date: string, extra: string[]): Subscriber[] {
  const answer = restrictionOn(book, 'beijing', date);
  if (answer.status !== 'restricted') throw new Error(`${date} is not restricted in Beijing`);
  const at = '2026-11-01T00:00:00.000Z';
  const ids = [...Array.from({ length: n }, (_, i) => `o${prefix}${String(i).padStart(6, '0')}`), ...extra];
  return ids.map((id, i) => {
    const s = newSubscriber({ channel: 'wechat', id }, 'dev', at);
    const tail = answer.tails[i % answer.tails.length]!;
    s.lastInboundAt = at;
    s.bindings = [
      {
        plate: `京A${String(i % 10000).padStart(4, '0')}${tail}`,
        city: 'beijing',
        tail,
        nev: false,
        boundAt: at,
      },
    ];
    return s;
  });
}

/** Weekdays of November 2026 that Beijing restricts, one per scenario (runs are forced: audited). */
function restrictedDays(n: number): string[] {
  const days: string[] = [];
  for (let d = new Date('2026-11-02T00:00:00Z'); days.length < n; d.setUTCDate(d.getUTCDate() + 1)) {
    const date = d.toISOString().slice(0, 10);
    if (restrictionOn(book, 'beijing', date).status === 'restricted') days.push(date);
  }
  return days;
}

async function pushScenario(
  stack: ChaosStack,
  s: Scenario,
  index: number,
  date: string,
  o: ChaosOptions,
): Promise<PushRow> {
  const log = o.log ?? (() => {});
  const began = performance.now();
  const prefix = `c${index}x`;
  const subscribers = followersFor(prefix, o.followers, date, s.extraIds?.(o.followers) ?? []);
  await seed(stack.doc!, localTableName(blueprint.service, 'subscribers'), subscribers);
  const c: Context = {
    stack,
    runKey: restrictionRunKey('beijing', date, 'morning'),
    date,
    followers: subscribers.map((x) => x.id),
    log,
  };
  log(`${s.name}: ${subscribers.length} followers, run ${c.runKey}`);
  await s.before?.(c);
  const started = await stack.call('POST', '/v1/admin/pushes/restriction', {
    city: 'beijing',
    date,
    slot: 'morning',
    force: true,
  });
  if (started.status !== 201) throw new Error(`trigger: ${started.status} ${JSON.stringify(started.body)}`);
  await s.during?.(c);
  await s.after?.(c);
  const ended = await waitDone(c);
  log(`  ended ${((performance.now() - began) / 1000).toFixed(1)} s after the scenario began`);
  await wechatFaults(c, NO_FAULTS);
  const received = new Map<string, number>();
  for (const m of await outbox(c))
    if (m.kind === 'template') received.set(m.touser, (received.get(m.touser) ?? 0) + 1);
  const recorded = await recordedOutcomes(c);
  const outcomeOf = (id: string) => recorded.get(id) ?? recorded.get(id.slice(0, 128));
  const audience = c.followers;
  const none = audience.filter((id) => !received.has(id));
  if (process.env.CHAOS_DEBUG)
    for (const id of audience)
      log(`    ${id.slice(0, 16)} received ${received.get(id) ?? 0} recorded ${outcomeOf(id)}`);
  const counts = Object.entries(ended.counts)
    .filter(([k]) => k !== 'planned')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const row: PushRow = {
    scenario: s.name,
    audience: audience.length,
    sent: audience.reduce((n, id) => n + (received.get(id) ?? 0), 0),
    twice: audience.filter((id) => (received.get(id) ?? 0) > 1).length,
    none: none.length,
    noneWithOutcome: none.filter((id) => outcomeOf(id) !== undefined).length,
    noneWithoutOutcome: none.filter((id) => outcomeOf(id) === undefined).length,
    run: `${ended.status} (${counts})`,
    seconds: (performance.now() - began) / 1000,
  };
  // Its followers leave the fan-out index, so the next scenario's run reaches only its own.
  await unseed(stack, subscribers);
  return row;
}

async function unseed(stack: ChaosStack, subscribers: Subscriber[]): Promise<void> {
  const table = localTableName(blueprint.service, 'subscribers');
  const keys = subscribers.flatMap((s) => [
    keys_.subscriber(s),
    ...s.bindings.map((b) => keys_.binding(s, b.plate)),
  ]);
  for (let i = 0; i < keys.length; i += 25) {
    let pending: Record<string, unknown>[] | undefined = keys
      .slice(i, i + 25)
      .map((Key) => ({ DeleteRequest: { Key } }));
    while (pending?.length) {
      const res: BatchWriteCommandOutput = await stack.doc!.send(
        new BatchWriteCommand({ RequestItems: { [table]: pending as never } }),
      );
      pending = res.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
    }
  }
}

/** The hostile inputs, the hostile group names, the non-openid senders, concurrent messages, the fuzz. */
async function inputCases(stack: ChaosStack): Promise<InputRow[]> {
  const rows: InputRow[] = [];
  const issuer = async (groups: unknown) => {
    const { LOCAL_ISSUER, LocalJwtIssuer, localKeyFile } = await import('../../lib/local/jwt.ts');
    return new LocalJwtIssuer(localKeyFile(stack.dataDir), LOCAL_ISSUER).issueGroups('mallory', groups);
  };
  const send = async (method: string, path: string, token: string | null, body?: unknown, raw?: string) => {
    const res = await fetch(`${stack.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(raw !== undefined ? { body: raw } : body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, text: await res.text() };
  };
  for (const hostile of HOSTILE_CASES) {
    const row: InputRow = { case: hostile.name, requests: 0, serverErrors: 0, wrong: 0 };
    for (const r of hostile.requests) {
      const token =
        r.as && 'roles' in r.as ? stack.token(r.as.roles) : r.as ? await issuer(r.as.groups) : null;
      const res = await send(r.method, r.path, token, r.body);
      row.requests++;
      if (res.status >= 500) row.serverErrors++;
      const named =
        !r.expect.field ||
        (JSON.parse(res.text) as { errors?: Array<{ path: string }> }).errors?.some(
          (e) => e.path === r.expect.field,
        );
      if (!r.expect.status.includes(res.status) || !named) row.wrong++;
    }
    rows.push(row);
  }
  const groups: InputRow = {
    case: 'group names: ["support,admin"], "editor admin", … on every admin route',
    requests: 0,
    serverErrors: 0,
    wrong: 0,
  };
  for (const g of hostileGroups)
    for (const key of Object.keys(ROLE_MATRIX)) {
      const { method, path } = splitRouteKey(key);
      const res = await send(
        method,
        path.replace(/\{\w+\}/g, 'x'),
        await issuer(g),
        method === 'GET' ? undefined : {},
      );
      groups.requests++;
      if (res.status >= 500) groups.serverErrors++;
      if (res.status !== 403) groups.wrong++;
    }
  rows.push(groups);

  const account = accountsFromEnv({})[0]!;
  const webhook = async (openid: string, text: string) => {
    const req = buildRequest(
      account,
      messageXml({ kind: 'text', text }, openid, 'gh_chaos', Math.floor(Date.now() / 1000)),
      {
        encrypted: true,
      },
    );
    return send('POST', `/webhooks/wechat/dev?${req.query}`, null, undefined, req.body);
  };
  const senders: InputRow = {
    case: 'senders that are not openids (none, 2,100 characters, a space)',
    requests: 0,
    serverErrors: 0,
    wrong: 0,
  };
  for (const from of ['', `o${'x'.repeat(2099)}`, 'o has space']) {
    const res = await webhook(from, '绑定 京A12345');
    senders.requests++;
    if (res.status >= 500) senders.serverErrors++;
    if (res.status !== 200 || res.text !== 'success') senders.wrong++;
  }
  rows.push(senders);

  const concurrent: InputRow = {
    case: "one follower's 30 messages at once: each answered in its own reply",
    requests: 30,
    serverErrors: 0,
    wrong: 0,
  };
  const openid = 'oChaosConcurrent000000000000';
  await webhook(openid, '帮助');
  const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => webhook(openid, `尾号${i % 10}`)));
  replies.forEach((r, i) => {
    if (r.status >= 500) concurrent.serverErrors++;
    const content = r.status === 200 ? openReply(account, r.text).content : null;
    if (!content?.includes(`尾号 ${i % 10}：`)) concurrent.wrong++;
  });
  rows.push(concurrent);

  const document = (await (await fetch(`${stack.url}/openapi.json`)).json()) as OpenApiDocument;
  const admin = stack.token(['admin']);
  const fuzz: InputRow = {
    case: 'fuzz: every operation of the OpenAPI document, malformed',
    requests: 0,
    serverErrors: 0,
    wrong: 0,
  };
  for (const r of malformedRequests(document, VALID_BODIES)) {
    const res = await fetch(`${stack.url}${r.path}`, {
      method: r.method,
      headers: { authorization: `Bearer ${admin}`, 'content-type': r.contentType },
      ...(r.body === undefined ? {} : { body: r.body }),
    });
    await res.arrayBuffer();
    fuzz.requests++;
    if (res.status >= 500) fuzz.serverErrors++;
  }
  rows.push(fuzz);
  return rows;
}

export async function runChaos(o: ChaosOptions): Promise<{ pushes: PushRow[]; inputs: InputRow[] }> {
  const scenarios = SCENARIOS.filter(
    (s, i) => !o.only || o.only.some((x) => s.name.includes(x) || String(i) === x),
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'chaos-'));
  const shanghaiToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const stack = new ChaosStack(await portIn(5100, 5199), dataDir, {
    LOCAL_TIME_SCALE: String(o.timeScale ?? 0.05),
    // The functions' clock at 10:00 Shanghai today: no quiet hours whatever the real hour.
    LOCAL_TIME_OFFSET_MS: String(Date.parse(`${shanghaiToday}T10:00:00+08:00`) - Date.now()),
    PUSH_RATE_PER_SECOND: '20',
    PUSH_STALL_AFTER_SECONDS: '200',
    PUSH_MAX_AUTO_RESUMES: '10',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  const log = o.log ?? (() => {});
  log(`local stack on ${stack.url}, data in ${dataDir}`);
  await stack.start();
  try {
    const days = restrictedDays(scenarios.length);
    const pushes: PushRow[] = [];
    for (const [i, s] of scenarios.entries()) {
      const row = await pushScenario(stack, s, i, days[i]!, { ...o, log });
      log(`  → ${row.run} in ${row.seconds.toFixed(1)} s`);
      pushes.push(row);
    }
    const inputs = o.only || o.inputs === false ? [] : await inputCases(stack);
    return { pushes, inputs };
  } finally {
    await stack.stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function pushTable(rows: PushRow[]): string {
  const head =
    '| scenario | audience | sent | received twice | received none | none, with outcome | none, without outcome | run |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |';
  return [
    head,
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.audience} | ${r.sent} | ${r.twice} | ${r.none} | ${r.noneWithOutcome} | ${r.noneWithoutOutcome} | ${r.run} |`,
    ),
  ].join('\n');
}

export function inputTable(rows: InputRow[]): string {
  const head = '| case | requests | 5xx | answered otherwise than expected |\n| --- | ---: | ---: | ---: |';
  return [head, ...rows.map((r) => `| ${r.case} | ${r.requests} | ${r.serverErrors} | ${r.wrong} |`)].join(
    '\n',
  );
}

/** What must hold: nobody twice, nobody without an outcome, no 5xx, every input answered as expected. */
export function violations(result: { pushes: PushRow[]; inputs: InputRow[] }): string[] {
  return [
    ...result.pushes.flatMap((r) => [
      ...(r.twice ? [`${r.scenario}: ${r.twice} received twice`] : []),
      ...(r.noneWithoutOutcome ? [`${r.scenario}: ${r.noneWithoutOutcome} without a recorded outcome`] : []),
    ]),
    ...result.inputs.flatMap((r) => [
      ...(r.serverErrors ? [`${r.case}: ${r.serverErrors} answered 5xx`] : []),
      ...(r.wrong ? [`${r.case}: ${r.wrong} answered otherwise than expected`] : []),
    ]),
  ];
}
