/**
 * The daily restriction push end to end on the local stack (DynamoDB Local + the WeChat sandbox):
 * N bound subscribers whose plates are all restricted, pushed through plan → expand → deliver.
 * Alongside, the raw DynamoDB Local conditional-write rate with the same concurrency, so the ratio
 * shows how close the pipeline gets to what the database allows; and the AWS cost per 1,000,000
 * pushes at us-east-1 on-demand prices (notify.md §5.1) from the capacity the run recorded plus
 * the Lambda invocations and duration it recorded.
 *
 *   node test/bench/restriction-push.ts [--subscribers 10000,50000]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PushRun } from '../../functions/adapters/dynamodb/push-runs.ts';
import { planPace } from '../../functions/core/pushes/deadline.ts';
import { restrictionRunKey } from '../../functions/core/pushes/planning.ts';
import { blueprint } from '../../lib/blueprint.ts';
import { localTableName, startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { PushPlanningSettingsSchema } from '../../schemas/settings.ts';
import { pinShanghaiMorning, seededBenchStack } from '../fixtures/bench-stack.ts';

const { values } = parseArgs({ options: { subscribers: { type: 'string', default: '10000,50000' } } });
const sizes = values.subscribers.split(',').map(Number);
if (sizes.length > 1) {
  // Each size in its own process: handlers are module singletons bound to the first stack's tables.
  for (const n of sizes) {
    const res = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--subscribers', String(n)], {
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
function ledgerCapacityModel(wruPerPush: number, rruPerPush: number): string[] {
  const audience = 360_000;
  const limits = PushPlanningSettingsSchema.parse(blueprint.functions['plan-restriction-push']!.environment);
  const start = new Date(`2026-11-16T${limits.starts.morning}:00+08:00`);
  const plan = planPace(audience, start, new Date('2026-11-16T07:00:00+08:00'), limits);
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

const ddb = await startDynamoDbLocal();
const rows: string[] = [];
const costs: string[] = [];
try {
  for (const n of sizes) {
    const { bp, stack, doc, close } = await seededBenchStack({
      dynamodbEndpoint: ddb.endpoint,
      name: 'bench',
      subscribers: n,
      tails: [0, 5],
      prefix: `o-b${n}`,
    });

    // Raw rate: the ledger's conditional write shape, with the deliver queue's concurrency.
    const concurrency = bp.queues['push-deliveries-wechat']!.maxConcurrency;
    const rawWrites = Math.min(n, 10_000);
    let next = 0;
    const rawStart = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < rawWrites; i = next++) {
          await doc.send(
            new UpdateCommand({
              TableName: localTableName(bp.service, 'ledger'),
              Key: { pk: `RAW#${i}`, sk: '2026-11-16' },
              UpdateExpression: 'ADD #keys :k, c_restriction :one',
              ConditionExpression:
                '(attribute_not_exists(#keys) OR NOT contains(#keys, :key)) AND (attribute_not_exists(c_restriction) OR c_restriction < :limit)',
              ExpressionAttributeNames: { '#keys': 'keys' },
              ExpressionAttributeValues: { ':k': new Set(['raw']), ':key': 'raw', ':one': 1, ':limit': 1 },
            }),
          );
        }
      }),
    );
    const rawPerSecond = rawWrites / ((performance.now() - rawStart) / 1000);

    const token = stack.issueToken('bench', ['operator']);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const key = restrictionRunKey('beijing', '2026-11-16', 'morning');
    const began = performance.now();
    await fetch(`${stack.endpoint}/v1/admin/pushes/restriction`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ city: 'beijing', date: '2026-11-16', slot: 'morning', force: true }),
    });
    let run: PushRun;
    for (;;) {
      run = (await (
        await fetch(`${stack.endpoint}/v1/admin/pushes/${encodeURIComponent(key)}`, { headers })
      ).json()) as PushRun;
      if (run.done) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const wallS = (performance.now() - began) / 1000;
    const sent = run.counts.sent ?? 0;
    const pushesPerSecond = sent / wallS;
    // DynamoDB writes per push on the delivery path: the ledger reservation (one per push), plus per
    // bundle of 50 its receipt (~2 KB), the daily quota and the run counts, and per invocation (2
    // bundles) the run's usage and the weekly stats.
    const bundle = 50;
    const perInvocation = bp.queues['push-deliveries-wechat']!.batchSize * bundle;
    const writesPerPush = 1 + 4 / bundle + 2 / perInvocation;
    const ratio = pushesPerSecond / (rawPerSecond / writesPerPush);
    rows.push(
      `| ${n.toLocaleString('en')} | ${sent.toLocaleString('en')} | ${wallS.toFixed(1)} | ${pushesPerSecond.toFixed(0)} | ${rawPerSecond.toFixed(0)} | ${writesPerPush} | ${(rawPerSecond / writesPerPush).toFixed(0)} | ${ratio.toFixed(2)} |`,
    );

    // Cost per 1,000,000 pushes, itemised.
    const perPush = (x: number) => (x / Math.max(1, sent)) * 1e6;
    const ledgerWru = perPush(run.consumed.write);
    const ledgerRru = perPush(run.consumed.read);
    // Per bundle: the daily quota and the run counts (the receipt is in the ledger's measured capacity);
    // per invocation: the run's usage and the weekly stats; per fan-out page of 500: the segment cursor
    // transaction (2 items × 2).
    const otherWru = 1e6 * (2 / bundle) + 1e6 * (2 / perInvocation) + (1e6 / 500) * 4;
    const otherRru =
      1e6 * 0.5 /* follower status, batch read, eventually consistent */ +
      1e6 * (1 / perInvocation) /* run status per invocation */ +
      (1e6 * 300) / 4096 / 2; // + fan-out pages
    const memoryGb = (bp.functions['deliver-wechat']!.memoryMb ?? 256) / 1024;
    const gbSeconds = perPush((run.durationMs / 1000) * memoryGb);
    const invocations = perPush(run.invocations) + 1e6 / 500; // deliver invocations + expand pages (approx.)
    const snsRequests = 1e6 / bundle + 32; // one publish per bundle (~3 KB, one 64 KB chunk) + segments
    // SNS→SQS sends one per bundle, plus a receive and a delete per invocation's batch.
    const sqsRequests = 1e6 / bundle + 1e6 * (2 / perInvocation);
    const items = {
      'DynamoDB writes': (ledgerWru + otherWru) * PRICE.wru,
      'DynamoDB reads': (ledgerRru + otherRru) * PRICE.rru,
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
      `| DynamoDB writes (ledger + receipts measured ${(ledgerWru / 1e6).toFixed(2)} WRU/push; quota, run, stats, cursors) | ${Math.round(ledgerWru + otherWru).toLocaleString('en')} WRU | ${items['DynamoDB writes'].toFixed(3)} |`,
    );
    costs.push(
      `| DynamoDB reads (receipts measured; statuses, run status, fan-out pages) | ${Math.round(ledgerRru + otherRru).toLocaleString('en')} RRU | ${items['DynamoDB reads'].toFixed(3)} |`,
    );
    costs.push(
      `| Lambda requests | ${Math.round(invocations).toLocaleString('en')} | ${items['Lambda requests'].toFixed(3)} |`,
    );
    costs.push(
      `| Lambda duration (arm64, ${memoryGb * 1024} MB; measured ${(run.durationMs / Math.max(1, run.invocations)).toFixed(0)} ms per deliver invocation) | ${Math.round(gbSeconds).toLocaleString('en')} GB-s | ${items['Lambda duration'].toFixed(3)} |`,
    );
    costs.push(
      `| SNS publishes | ${Math.round(snsRequests).toLocaleString('en')} | ${items.SNS.toFixed(3)} |`,
    );
    costs.push(
      `| SQS requests | ${Math.round(sqsRequests).toLocaleString('en')} | ${items.SQS.toFixed(3)} |`,
    );
    costs.push(`| **total** | | **${total.toFixed(2)}** |`);
    costs.push(...ledgerCapacityModel(ledgerWru / 1e6, ledgerRru / 1e6));

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
console.log(
  '| subscribers | sent | wall s | pushes/s | raw cond. writes/s | writes/push | raw-limited pushes/s | ratio |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
for (const c of costs) console.log(c);
