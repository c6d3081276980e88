/**
 * Does a 360,000-reminder morning arrive before restrictions begin? A model built from measurement:
 *
 *  1. measured: a restriction push of --measure followers on the local stack (DynamoDB Local + the
 *     WeChat sandbox), unthrottled, --runs times: the sends per second one deliver-wechat invocation
 *     manages (sent ÷ the run's summed invocation time) and the lead from the trigger to the first
 *     send (planning + expansion). The sandbox answers at once; WeChat takes --latency seconds per
 *     call, so one invocation can do at most PUSH_CONCURRENCY ÷ latency sends a second;
 *  2. the model: for each audience, the planner's pace (functions/core/pushes/deadline.ts planPace
 *     with the blueprint's limits) from 06:30 to Beijing's 07:00, each invocation going at the
 *     slowest of the planned rate, what it measured and what the latency allows, over the delivery
 *     queue's maximum concurrency — and, for comparison, wave 1's fixed 07:00 start at 20/s × 5.
 *
 *   node test/bench/morning-deadline.ts [--measure 5000] [--runs 3] [--latency 0.25]
 */
import { parseArgs } from 'node:util';
import type { PushRun } from '../../functions/adapters/dynamodb/push-runs.ts';
import { planPace } from '../../functions/core/pushes/deadline.ts';
import { restrictionRunKey } from '../../functions/core/pushes/planning.ts';
import { blueprint } from '../../lib/blueprint.ts';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { PushPlanningSettingsSchema } from '../../schemas/settings.ts';
import { pinShanghaiMorning, seededBenchStack } from '../fixtures/bench-stack.ts';

const { values } = parseArgs({
  options: {
    measure: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '3' },
    latency: { type: 'string', default: '0.25' },
  },
});
const N = Number(values.measure);
const RUNS = Number(values.runs);
const LATENCY = Number(values.latency);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

process.env.STAGE = 'local';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// Unthrottled, what one invocation can do: the most a run's messages may ask of it (schemas/pushes.ts).
process.env.PUSH_RATE_PER_SECOND = '1000';
process.env.PUSH_MAX_RATE_PER_SECOND = '1000';
process.env.PUSH_MAX_TOTAL_RATE = '1000000';
pinShanghaiMorning();

const ddb = await startDynamoDbLocal();
const perInvocation: number[] = [];
const leads: number[] = [];
try {
  for (let r = 0; r < RUNS; r++) {
    const { stack, close } = await seededBenchStack({
      dynamodbEndpoint: ddb.endpoint,
      name: 'dawn',
      subscribers: N,
      tails: [0, 5],
      prefix: `o-d${r}`,
    });
    const headers = {
      authorization: `Bearer ${stack.issueToken('bench', ['operator'])}`,
      'content-type': 'application/json',
    };
    const key = restrictionRunKey('beijing', '2026-11-16', 'morning');
    const began = performance.now();
    await fetch(`${stack.endpoint}/v1/admin/pushes/restriction`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ city: 'beijing', date: '2026-11-16', slot: 'morning', force: true }),
    });
    let lead: number | null = null;
    let run: PushRun;
    for (;;) {
      if (lead === null && stack.wechat.outbox.length > 0) lead = (performance.now() - began) / 1000;
      run = (await (
        await fetch(`${stack.endpoint}/v1/admin/pushes/${encodeURIComponent(key)}`, { headers })
      ).json()) as PushRun;
      if (run.done) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    perInvocation.push((run.counts.sent ?? 0) / (run.durationMs / 1000));
    leads.push(lead ?? 0);
    await close();
  }
} finally {
  await ddb.stop();
}

const bp = blueprint;
const env = { ...bp.functions['plan-restriction-push']!.environment };
const limits = PushPlanningSettingsSchema.parse(env);
const inFlight = Number(bp.functions['deliver-wechat']!.environment.PUSH_CONCURRENCY);
const measured = median(perInvocation);
const lead = median(leads);
const networkBound = inFlight / LATENCY;
const achievable = Math.min(measured, networkBound);
const start = new Date('2026-11-16T06:30:00+08:00');
const deadline = new Date('2026-11-16T07:00:00+08:00');
const hm = (d: Date) =>
  d.toLocaleTimeString('en-GB', {
    timeZone: 'Asia/Shanghai',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

console.log(`\nMeasured on the local stack (${N.toLocaleString('en')} followers, median of ${RUNS} runs)\n`);
console.log('| what | value |\n| --- | ---: |');
console.log(
  `| sends per second per deliver-wechat invocation, unthrottled (runs: ${perInvocation.map((x) => x.toFixed(0)).join(', ')}) | ${measured.toFixed(0)} |`,
);
console.log(`| lead from trigger to first send (planning + expansion), s | ${lead.toFixed(2)} |`);
console.log(
  `| WeChat-bound ceiling per invocation: ${inFlight} in flight ÷ ${LATENCY} s | ${networkBound.toFixed(0)} |`,
);
console.log(`| achievable per invocation (the lower) | ${achievable.toFixed(0)} |`);
console.log(
  `| limits: configured ${limits.ratePerInvocation}/s, max ${limits.maxRatePerInvocation}/s per invocation × ${limits.concurrency}, account ceiling ${limits.maxTotalRate}/s, margin ${limits.marginMinutes} min | |`,
);

console.log('\nThe morning in Beijing: start 06:30, restrictions begin 07:00 (finish by 06:55)\n');
console.log(
  '| reminders | planned rate (per invocation × concurrency) | planned finish | modelled finish | before 07:00 | wave 1 (07:00 start, 20/s × 5) finishes |',
);
console.log('| ---: | ---: | ---: | ---: | :---: | ---: |');
for (const audience of [100_000, 360_000, 432_000, 1_000_000]) {
  const plan = planPace(audience, start, deadline, limits);
  const perInv = Math.min(plan.ratePerInvocation, achievable);
  const finish = new Date(start.getTime() + (lead + audience / (perInv * plan.concurrency)) * 1000);
  const wave1 = new Date(Date.parse('2026-11-16T07:00:00+08:00') + (audience / 100) * 1000);
  console.log(
    `| ${audience.toLocaleString('en')} | ${plan.ratePerInvocation} × ${plan.concurrency} = ${plan.totalRate}/s | ${hm(new Date(plan.plannedFinish))} | ${hm(finish)} | ${finish <= deadline ? 'yes' : 'no'} | ${hm(wave1)} |`,
  );
}
