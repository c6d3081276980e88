/**
 * The daily restriction push end to end on the local stack (DynamoDB Local + the WeChat sandbox):
 * N bound subscribers whose plates are all restricted, pushed through plan → expand → deliver.
 * Alongside, the raw DynamoDB Local conditional-write rate (at the deliver queue's concurrency and at
 * the run's most requests in flight; the higher is the ceiling), so the ratio
 * (pushes/s ÷ raw writes/s) shows how close the pipeline gets to what the database allows; beside
 * it, measured after the run, the least a push is (that conditional write, then the template send to
 * the WeChat sandbox, nothing else) and the pipeline's rate over it; every
 * DynamoDB request the functions made during the run, by command and table, with the capacity
 * DynamoDB Local reported for it; and the AWS cost per 1,000,000 pushes at us-east-1 on-demand
 * prices (notify.md §5.1) from that capacity, the Lambda invocations the run recorded and their
 * duration at the morning's planned pace (the run itself is not paced).
 *
 * Before the raw ceiling and the run, a warm-up run of --warmup other followers (not measured), so
 * that both are measured warm: the JVM under DynamoDB Local speeds up for tens of seconds after it
 * starts, which a 10,000-follower run otherwise spends most of its time in.
 *
 * `--profile DIR` writes a V8 CPU profile of this process (every handler of the stack, the
 * sandboxes; not DynamoDB Local's JVM) during each measured run, and only then, into DIR.
 *
 *   node test/bench/restriction-push.ts [--subscribers 10000,50000] [--warmup 5000] [--profile DIR]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';
import type { PushRun } from '../../functions/adapters/dynamodb/push-runs.ts';
import { accountsFromEnv } from '../../functions/adapters/wechat/accounts.ts';
import { planPace } from '../../functions/core/pushes/deadline.ts';
import { restrictionRunKey } from '../../functions/core/pushes/planning.ts';
import { blueprint } from '../../lib/blueprint.ts';
import { localTableName, startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { PushPlanningSettingsSchema } from '../../schemas/settings.ts';
import { pinShanghaiMorning, seededBenchStack } from '../fixtures/bench-stack.ts';
import { seed, seededSubscribers } from '../fixtures/seed.ts';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '10000,50000' },
    warmup: { type: 'string', default: '5000' },
    profile: { type: 'string' },
  },
});
const sizes = values.subscribers.split(',').map(Number);
const warmup = Number(values.warmup);
if (sizes.length > 1) {
  // Each size in its own process: handlers are module singletons bound to the first stack's tables.
  for (const n of sizes) {
    const args = [fileURLToPath(import.meta.url), '--subscribers', String(n), '--warmup', String(warmup)];
    const res = spawnSync(process.execPath, args, {
      stdio: 'inherit',
    });
    if (res.status !== 0) process.exit(res.status ?? 1);
  }
  process.exit(0);
}

process.env.STAGE = 'local';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// No pacing: measure the pipeline, not the throttle. The most a delivery invocation may be asked for,
// and no account ceiling (at the blueprint's 360/s the deadline pacer capped the run below what it
// could do, and the ratio measured the ceiling).
process.env.PUSH_RATE_PER_SECOND = '1000';
process.env.PUSH_MAX_RATE_PER_SECOND = '1000';
process.env.PUSH_MAX_TOTAL_RATE = '1000000';
pinShanghaiMorning();

// us-east-1 on-demand list prices (reference notify.md §5.1)
const PRICE = {
  wru: 0.625 / 1e6,
  rru: 0.125 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334, // arm64
  sns: 0.5 / 1e6,
  sqs: 0.4 / 1e6,
  wcuHour: 0.00065, // provisioned (notify.md §5.1)
  rcuHour: 0.00013,
};

/**
 * The ledger's capacity mode for one department's morning: 360,000 reminders paced by the planner
 * (functions/core/pushes/deadline.ts) from the slot's start to the deadline, at the ledger capacity
 * per push this run measured. On demand, every unit is paid as used. Provisioned with scheduled
 * scaling, the window's capacity is raised to the planned rate (at a 70% target, so the run is not
 * throttled) for whole billed hours, and the rest of the day runs at a base that the department's
 * daytime traffic (notices, driver notices, desk answers, SMS) needs anyway.
 */
function morningPlan() {
  const limits = PushPlanningSettingsSchema.parse(blueprint.functions['plan-restriction-push']!.environment);
  const start = new Date(`2026-11-16T${limits.starts.morning}:00+08:00`);
  return { limits, ...planPace(360_000, start, new Date('2026-11-16T07:00:00+08:00'), limits) };
}

function ledgerCapacityModel(wruPerPush: number, rruPerPush: number): string[] {
  const audience = 360_000;
  const { limits, ...plan } = morningPlan();
  const runHours = audience / plan.totalRate / 3600;
  const billedHours = Math.ceil(runHours + 5 / 60); // raised 5 minutes before the start
  const windowWcu = Math.ceil((plan.totalRate * wruPerPush) / 0.7);
  const windowRcu = Math.max(1, Math.ceil((plan.totalRate * rruPerPush) / 0.7));
  const onDemand = audience * (wruPerPush * PRICE.wru + rruPerPush * PRICE.rru);
  const lines = [
    `\nThe ledger's capacity mode for one department's morning: ${audience.toLocaleString('en')} reminders at the planner's ${plan.totalRate}/s from ${limits.starts.morning} (${(runHours * 60).toFixed(0)} min), ${wruPerPush.toFixed(2)} WRU and ${rruPerPush.toFixed(2)} RRU per push as measured; provisioned window ${windowWcu} WCU / ${windowRcu} RCU (70% target) for ${billedHours} billed hour(s):\n`,
    '| ledger capacity | window US$/day | rest of the day US$/day | total US$/day | ledger US$ per 1M pushes | pays |',
    '| --- | ---: | ---: | ---: | ---: | :---: |',
    `| on demand | ${onDemand.toFixed(3)} | as used | ${onDemand.toFixed(3)} | ${((onDemand / audience) * 1e6).toFixed(3)} | (today) |`,
  ];
  for (const base of [1, 5, 25]) {
    const window = billedHours * (windowWcu * PRICE.wcuHour + windowRcu * PRICE.rcuHour);
    const rest = (24 - billedHours) * base * (PRICE.wcuHour + PRICE.rcuHour);
    const total = window + rest;
    lines.push(
      `| provisioned, scheduled; base ${base} WCU + ${base} RCU | ${window.toFixed(3)} | ${rest.toFixed(3)} | ${total.toFixed(3)} | ${((total / audience) * 1e6).toFixed(3)} | ${total < onDemand ? 'yes' : 'no'} |`,
    );
  }
  const fullHour = PRICE.wcuHour / 3600 / PRICE.wru;
  lines.push(
    `\nA provisioned WCU-hour (3,600 writes) costs as much as ${(fullHour * 100).toFixed(0)}% of those writes on demand, so provisioning pays only where more than that is used; the window uses ${(((plan.totalRate * wruPerPush * runHours) / (windowWcu * billedHours)) * 100).toFixed(0)}% of what it is billed for, and the evening slot would need a window of its own.`,
  );
  return lines;
}

/** A CPU profile of this process from now until `stop`, written as a .cpuprofile file. */
async function startProfiler() {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const ddb = await startDynamoDbLocal();
const rows: string[] = [];
const costs: string[] = [];
const requestTables: string[] = [];
const warmups: string[] = [];
try {
  for (const n of sizes) {
    const { bp, stack, doc, close } = await seededBenchStack({
      dynamodbEndpoint: ddb.endpoint,
      name: 'bench',
      subscribers: n,
      tails: [0, 5],
      prefix: `o-b${n}`,
    });

    const token = stack.issueToken('bench', ['operator']);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    /** Starts the day's morning run for Beijing and waits until it has ended. */
    const runPush = async (date: string): Promise<{ run: PushRun; wallS: number }> => {
      const began = performance.now();
      await fetch(`${stack.endpoint}/v1/admin/pushes/restriction`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ city: 'beijing', date, slot: 'morning', force: true }),
      });
      const key = restrictionRunKey('beijing', date, 'morning');
      for (;;) {
        const run = (await (
          await fetch(`${stack.endpoint}/v1/admin/pushes/${encodeURIComponent(key)}`, { headers })
        ).json()) as PushRun;
        if (run.done) return { run, wallS: (performance.now() - began) / 1000 };
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    // Warm-up, not measured: other followers (tails 1 and 6, restricted the next day) through the
    // whole pipeline, so that neither the JVM under DynamoDB Local nor V8 is measured cold — not the
    // raw ceiling, not the run.
    if (warmup > 0) {
      await seed(
        doc,
        localTableName(bp.service, 'subscribers'),
        seededSubscribers({ count: warmup, city: 'beijing', tails: [1, 6], prefix: `o-w${n}` }),
      );
      const w = await runPush('2026-11-17');
      warmups.push(
        `warm-up before the ${n.toLocaleString('en')} run (not measured): ${(w.run.counts.sent ?? 0).toLocaleString('en')} pushes in ${w.wallS.toFixed(1)} s`,
      );
    }

    // Raw rate: the ledger's conditional write shape, at two concurrencies: the deliver queue's
    // (one request in flight per invocation) and what the run has in flight at most (every
    // invocation's sends at once). The ceiling is the higher: at the first alone it is a latency,
    // not what DynamoDB Local can take.
    const rawLedgerWrite = (pk: string) =>
      new UpdateCommand({
        TableName: localTableName(bp.service, 'ledger'),
        Key: { pk, sk: '2026-11-16' },
        UpdateExpression: 'ADD #keys :k, c_restriction :one',
        ConditionExpression:
          '(attribute_not_exists(#keys) OR NOT contains(#keys, :key)) AND (attribute_not_exists(c_restriction) OR c_restriction < :limit)',
        ExpressionAttributeNames: { '#keys': 'keys' },
        ExpressionAttributeValues: { ':k': new Set(['raw']), ':key': 'raw', ':one': 1, ':limit': 1 },
      });
    const queueConcurrency = bp.queues['push-deliveries-wechat']!.maxConcurrency;
    const inFlight =
      queueConcurrency * Number(bp.functions['deliver-wechat']!.environment.PUSH_CONCURRENCY ?? 1);
    const rawWrites = Math.min(n, 10_000);
    const perSecond = async (concurrency: number, op: (i: number) => Promise<unknown>) => {
      let next = 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let i = next++; i < rawWrites; i = next++) await op(i);
        }),
      );
      return rawWrites / ((performance.now() - start) / 1000);
    };
    const rawAt = {
      [queueConcurrency]: await perSecond(queueConcurrency, (i) => doc.send(rawLedgerWrite(`RAW#${i}`))),
      [inFlight]: await perSecond(inFlight, (i) => doc.send(rawLedgerWrite(`RAW#${rawWrites + i}`))),
    };
    const rawPerSecond = Math.max(...Object.values(rawAt));
    const concurrency = rawAt[inFlight]! >= rawAt[queueConcurrency]! ? inFlight : queueConcurrency;

    // Every request the functions make to DynamoDB during the run, by command and table, with the
    // capacity DynamoDB (Local) says it consumed (middleware on the one document client they share,
    // imported once the stack has set its endpoint; a request that set none is asked for TOTAL).
    const { documentClient } = await import('../../functions/shared/clients/dynamodb.ts');
    const requests = new Map<string, { n: number; ms: number; units: number }>();
    let counting = false;
    type Consumed = { CapacityUnits?: number };
    // The run item is in the operations table's gsi1 (the runs listing, all attributes projected):
    // each write of it is written to the index too, which AWS bills and DynamoDB Local does not report.
    let runItemWrites = 0;
    const isRunKey = (k: unknown) => (k as { sk?: unknown } | undefined)?.sk === keys.run('').sk;
    const writesOfRunItem = (command: string, input: { Key?: unknown; TransactItems?: unknown[] }) =>
      (/^(Update|Put|Delete)Item/.test(command) && isRunKey(input.Key) ? 1 : 0) +
      (input.TransactItems ?? []).filter((t) => isRunKey((t as { Update?: { Key?: unknown } }).Update?.Key))
        .length;
    documentClient.middlewareStack.add(
      (next, context) => async (args) => {
        if (!counting) return next(args);
        const input = args.input as {
          TableName?: string;
          RequestItems?: object;
          TransactItems?: unknown[];
          ReturnConsumedCapacity?: string;
        };
        const table =
          input.TableName ??
          Object.keys(input.RequestItems ?? {})[0] ??
          (input.TransactItems ? `transaction of ${input.TransactItems.length}` : '?');
        const key = `${String(context.commandName).replace(/Command$/, '')} ${input.TransactItems ? table.replaceAll(' ', '\u00a0') : table.split('-').at(-1)}`;
        input.ReturnConsumedCapacity ??= 'TOTAL';
        const t = performance.now();
        let units = 0;
        try {
          const out = await next(args);
          const consumed = (out.output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity;
          for (const c of [consumed ?? []].flat()) units += c.CapacityUnits ?? 0;
          // DynamoDB Local reports a transactional write at 4 units per KB of each item; AWS bills 2
          // (two underlying writes, prepare and commit: reference notify.md, capacity-unit rules).
          if (input.TransactItems) units /= 2;
          runItemWrites += writesOfRunItem(String(context.commandName), input);
          return out;
        } catch (error) {
          // A refused conditional write is charged as a write of the item (1 WRU here).
          if ((error as Error).name === 'ConditionalCheckFailedException') units += 1;
          throw error;
        } finally {
          const r = requests.get(key) ?? { n: 0, ms: 0, units: 0 };
          r.n++;
          r.ms += performance.now() - t;
          r.units += units;
          requests.set(key, r);
        }
      },
      { step: 'initialize', name: 'benchRequestCounter' },
    );

    counting = true;
    const profiler = values.profile ? await startProfiler() : null;
    const { run, wallS } = await runPush('2026-11-16');
    if (profiler) await profiler.stop(join(values.profile!, `restriction-push-${n}.cpuprofile`));
    counting = false;
    const sentSoFar = Math.max(1, run.counts.sent ?? 0);
    const isRead = (command: string) => /^(Get|BatchGet|Query|Scan|TransactGet)/.test(command);
    const capacity = { read: 0, write: 0 };
    for (const [k, r] of requests) capacity[isRead(k) ? 'read' : 'write'] += r.units;
    const runItem = await doc.send(
      new GetCommand({
        TableName: localTableName(bp.service, 'operations'),
        Key: keys.run(restrictionRunKey('beijing', '2026-11-16', 'morning')),
      }),
    );
    // An index write is a standard write of the projected item (1 WRU per KB, rounded up).
    const runItemKb = Math.ceil(JSON.stringify(runItem.Item ?? {}).length / 1024);
    const indexWrites = runItemWrites * runItemKb;
    requests.set('(index) operations.gsi1', { n: 0, ms: 0, units: indexWrites });
    capacity.write += indexWrites;
    const per1000 = (x: number) => ((x / sentSoFar) * 1000).toFixed(1);
    requestTables.push(
      `\nDynamoDB requests the functions made during the ${n.toLocaleString('en')}-subscriber run, and their capacity as AWS bills it (per 1,000 pushes): what DynamoDB Local reported, transactional writes at AWS's 2 units per KB (it reports 4), and the run item's ${runItemWrites.toLocaleString('en')} writes copied to the runs index (${runItemKb} KB each; not reported):\n`,
      '| request | table | requests | capacity units | mean ms |',
      '| --- | --- | ---: | ---: | ---: |',
      ...[...requests]
        .sort((a, b) => b[1].n - a[1].n)
        .map(([k, r]) => {
          const [command, table] = k.split(' ');
          return `| ${command} | ${table} | ${per1000(r.n)} | ${per1000(r.units)} ${isRead(k) ? 'RRU' : 'WRU'} | ${r.n ? (r.ms / r.n).toFixed(1) : '—'} |`;
        }),
      `| **all** | | **${per1000([...requests.values()].reduce((a, r) => a + r.n, 0))}** | **${per1000(capacity.write)} WRU, ${per1000(capacity.read)} RRU** | |`,
    );
    const sent = run.counts.sent ?? 0;
    const pushesPerSecond = sent / wallS;

    // The least a push is: the ledger's conditional write and then the template send to the WeChat
    // sandbox (a body the run just sent), at the concurrency of the raw ceiling, in this process
    // as the functions' are. Nothing else of the pipeline (no statuses, receipts, counts, queues):
    // how far the pipeline is from what a push needs on this machine, beside the issue's ratio.
    const template = stack.wechat.outbox.findLast((e) => e.kind === 'template');
    if (!template) throw new Error('the run sent no template message');
    const api = `${stack.endpoint}/_local/wechat/cgi-bin`;
    const account = accountsFromEnv(process.env)[0]!;
    const { access_token: accessToken } = (await (
      await fetch(`${api}/stable_token`, {
        method: 'POST',
        body: JSON.stringify({
          grant_type: 'client_credential',
          appid: account.appId,
          secret: account.appSecret,
        }),
      })
    ).json()) as { access_token: string };
    const pushShapedPerSecond = await perSecond(concurrency, async (i) => {
      await doc.send(rawLedgerWrite(`PUSH#${i}`));
      const res = await fetch(`${api}/message/template/send?access_token=${accessToken}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...template.body, touser: `o-raw-${i}` }),
      });
      const answer = (await res.json()) as { errcode?: number };
      if (answer.errcode !== 0) throw new Error(`sandbox refused the send: ${JSON.stringify(answer)}`);
    });
    const bundle = 50;
    const perInvocation = bp.queues['push-deliveries-wechat']!.batchSize * bundle;
    // The ratio as the issue defines it: pushes a second ÷ raw conditional writes a second. Beside
    // it, the requests the run made per push (measured: the ledger's reservation, and per bundle,
    // page or invocation the rest), which is why the pipeline cannot reach 1.
    const all = [...requests].reduce((a, [, r]) => a + r.n, 0) / Math.max(1, sent);
    const writes = [...requests].reduce((a, [k, r]) => a + (isRead(k) ? 0 : r.n), 0) / Math.max(1, sent);
    const ratio = pushesPerSecond / rawPerSecond;
    rows.push(
      `| ${n.toLocaleString('en')} | ${sent.toLocaleString('en')} | ${wallS.toFixed(1)} | ${pushesPerSecond.toFixed(0)} | ${Object.entries(
        rawAt,
      )
        .map(([c, r]) => `${r.toFixed(0)} at ${c}`)
        .join(
          ', ',
        )} | **${ratio.toFixed(2)}** | ${pushShapedPerSecond.toFixed(0)} (${(pushShapedPerSecond / rawPerSecond).toFixed(2)}) | ${(pushesPerSecond / pushShapedPerSecond).toFixed(2)} | ${writes.toFixed(2)} | ${all.toFixed(2)} | ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} |`,
    );

    // Cost per 1,000,000 pushes, itemised: DynamoDB from the capacity every request of the run
    // reported (the table above), Lambda and the messaging services from what the run did.
    const perPush = (x: number) => (x / Math.max(1, sent)) * 1e6;
    const wru = perPush(capacity.write);
    const rru = perPush(capacity.read);
    const memoryGb = (bp.functions['deliver-wechat']!.memoryMb ?? 256) / 1024;
    // A deliver invocation lasts at least its pushes at the paced rate: what the planner gives the
    // 360,000-reminder morning (this run was not paced, so its invocations were shorter than that).
    const msPerInvocation = run.durationMs / Math.max(1, run.invocations);
    const paced = morningPlan();
    const pacedMs = (perInvocation / paced.ratePerInvocation) * 1000;
    const gbSeconds = (1e6 / perInvocation) * (Math.max(msPerInvocation, pacedMs) / 1000) * memoryGb;
    const invocations = perPush(run.invocations) + 1e6 / 500; // deliver invocations + expand pages (approx.)
    const snsRequests = 1e6 / bundle + 32; // one publish per bundle (~3 KB, one 64 KB chunk) + segments
    // SNS→SQS sends one per bundle, plus a receive and a delete per invocation's batch.
    const sqsRequests = 1e6 / bundle + 1e6 * (2 / perInvocation);
    const items = {
      'DynamoDB writes': wru * PRICE.wru,
      'DynamoDB reads': rru * PRICE.rru,
      'Lambda requests': invocations * PRICE.lambdaRequest,
      'Lambda duration': gbSeconds * PRICE.lambdaGbSecond,
      SNS: snsRequests * PRICE.sns,
      SQS: sqsRequests * PRICE.sqs,
    };
    const total = Object.values(items).reduce((a, b) => a + b, 0);
    costs.push(
      `\nAWS cost per 1,000,000 restriction pushes, from the ${n.toLocaleString('en')}-subscriber run (us-east-1 on-demand):\n`,
    );
    costs.push('| item | units per 1M pushes | US$ |\n| --- | ---: | ---: |');
    costs.push(
      `| DynamoDB writes (every request of the run, as reported: the ledger's reservation ${(perPush(requests.get('UpdateItem ledger')?.units ?? 0) / 1e6).toFixed(2)} WRU/push, the rest per bundle or page) | ${Math.round(wru).toLocaleString('en')} WRU | ${items['DynamoDB writes'].toFixed(3)} |`,
    );
    costs.push(
      `| DynamoDB reads (every request of the run, as reported) | ${Math.round(rru).toLocaleString('en')} RRU | ${items['DynamoDB reads'].toFixed(3)} |`,
    );
    costs.push(
      `| Lambda requests | ${Math.round(invocations).toLocaleString('en')} | ${items['Lambda requests'].toFixed(3)} |`,
    );
    costs.push(
      `| Lambda duration (arm64, ${memoryGb * 1024} MB; an invocation's ${perInvocation} pushes take ${pacedMs.toFixed(0)} ms at the morning's planned ${paced.ratePerInvocation}/s, ${msPerInvocation.toFixed(0)} ms measured unpaced here; the longer counts) | ${Math.round(gbSeconds).toLocaleString('en')} GB-s | ${items['Lambda duration'].toFixed(3)} |`,
    );
    costs.push(
      `| SNS publishes | ${Math.round(snsRequests).toLocaleString('en')} | ${items.SNS.toFixed(3)} |`,
    );
    costs.push(
      `| SQS requests | ${Math.round(sqsRequests).toLocaleString('en')} | ${items.SQS.toFixed(3)} |`,
    );
    costs.push(`| **total** | | **${total.toFixed(2)}** |`);
    costs.push(
      ...ledgerCapacityModel(
        perPush(requests.get('UpdateItem ledger')?.units ?? 0) / 1e6,
        perPush(requests.get('GetItem ledger')?.units ?? 0) / 1e6,
      ),
    );

    // Upper bound for one function's memory: this process runs every handler of the stack at once.
    costs.push(
      `\nPeak resident memory of the whole local stack (every handler, one process): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
    await close();
  }
} finally {
  await ddb.stop();
}

console.log('\nRestriction push end to end on the local stack (DynamoDB Local + WeChat sandbox)\n');
for (const w of warmups) console.log(w);
if (warmups.length) console.log('');
console.log(
  '| subscribers | sent | wall s | pushes/s | raw cond. writes/s (at requests in flight; the higher is the ceiling) | ratio | write + send/s (÷ raw) | pushes/s ÷ write + send | write requests/push | all requests/push | peak RSS MB (whole stack) |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
for (const c of requestTables) console.log(c);
for (const c of costs) console.log(c);
