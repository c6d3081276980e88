#!/usr/bin/env node
/**
 * `npm run push -- --city beijing [--date YYYY-MM-DD] [--slot morning] [--dry-run] [--force]` — runs (or
 * shows, if it exists: runs are idempotent) the restriction push of a city, date (default: the
 * slot's day, today or tomorrow) and slot, with a live progress bar until the run ends, then its
 * status, the outcome table (with WeChat's receipts) and the consumed capacity. `--dry-run` reports
 * the audience, the exempt plates and what the cap would do without sending. A day that is over is
 * refused unless `--force` (recorded in the audit trail). A run that stalls (the API says since
 * when) is not waited for: the command says so and how to resume it, and exits 3.
 *
 *   --api URL      a deployed API (default: the local stack on PORT or 3000)
 *   --token JWT    an operator token for --api (default locally: minted from LOCAL_DATA_DIR's key)
 *   --show KEY     show an existing run, e.g. restriction#beijing#2026-12-28#morning
 *   --resume KEY   emit again what a running run has not finished (audited), then follow it to its end
 *   --redrive Q    local stack: move queue Q's dead letters back (after fixing their cause)
 */
import { cliArgs, fetchOrExplain, localStackUrl, usageError } from '../lib/local/cli.ts';
import { LOCAL_ISSUER, LocalJwtIssuer, localKeyFile } from '../lib/local/jwt.ts';
import { defaultDataDir } from '../lib/local/stack.ts';
import type { PacePlan } from '../schemas/pushes.ts';

const USAGE =
  'usage: npm run push -- --city beijing [--date YYYY-MM-DD] [--slot morning|evening] [--dry-run] [--force]   |   --show RUN_KEY   |   --resume RUN_KEY   |   --redrive QUEUE   [--api URL] [--token JWT]';

const { values } = cliArgs(USAGE, {
  options: {
    city: { type: 'string' },
    date: { type: 'string' },
    slot: { type: 'string', default: 'morning' },
    'dry-run': { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    api: { type: 'string' },
    token: { type: 'string' },
    show: { type: 'string' },
    resume: { type: 'string' },
    redrive: { type: 'string' },
  },
});
const base = values.api ?? localStackUrl();
const token =
  values.token ??
  process.env.ADMIN_TOKEN ??
  new LocalJwtIssuer(localKeyFile(defaultDataDir()), LOCAL_ISSUER).issue('push-cli', ['operator'], 3600);

async function call(method: string, path: string, body?: unknown) {
  const res = await fetchOrExplain(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 400) {
    console.error(`${method} ${path}: HTTP ${res.status} ${json.detail ?? json.message ?? ''}`);
    process.exit(1);
  }
  return json;
}

if (values.redrive) {
  if (values.api) {
    console.error(
      'On AWS, redrive with aws sqs start-message-move-task --source-arn <the DLQ ARN>; AWS China has no move task: docs/runbooks/dead-letters.md',
    );
    process.exit(2);
  }
  console.log(await call('POST', `/_local/queues/${values.redrive}/redrive`));
  process.exit(0);
}

interface Run {
  key: string;
  status: string;
  reason: string | null;
  counts: Record<string, number>;
  consumed: { read: number; write: number };
  invocations: number;
  durationMs: number;
  done: boolean;
  settled: number;
  unsent: number;
  /** Channels halted by a configuration error (channel → reason). */
  halts?: Record<string, string>;
  startedAt: string;
  lastActivityAt: string;
  finishedAt: string | null;
  /** Running with some of its audience without an outcome and no activity for a while. */
  stalledSince?: string | null;
  pace: PacePlan | null;
  metDeadline: boolean | null;
}

/** The pace a restriction run is planned with (core/pushes/deadline.ts), said in one line. */
function paceLine(p: PacePlan, met?: boolean | null): string {
  const plan = `paced at ${p.totalRate}/s (${p.concurrency} × ${p.ratePerInvocation}/s) for ${p.audience} from ${p.startAt}, planned to finish ${p.plannedFinish}`;
  if (!p.deadline) return `${plan}; no deadline`;
  const verdict = p.meetsDeadline ? `by ${p.finishBy}` : 'LATE: the limits do not allow it in time';
  const actual =
    met === undefined || met === null ? '' : met ? '; finished before it' : '; finished AFTER it';
  return `${plan}; deadline ${p.deadline} (restrictions begin), ${verdict}${actual}`;
}

const runPath = (runKey: string) => `/v1/admin/pushes/${encodeURIComponent(runKey)}`;
let key = values.show ?? values.resume;
if (values.resume) {
  const res = (await call('POST', `${runPath(values.resume)}/resume`, {})) as {
    stalledSince: string | null;
    resumed: { segments: number; bundles: number; recipients: number; massSends: number };
  };
  const { segments, bundles, recipients, massSends } = res.resumed;
  console.log(
    `resumed ${values.resume}${res.stalledSince ? ` (stalled since ${res.stalledSince})` : ''}: ${segments} segments, ${recipients} recipients in ${bundles} bundles${massSends ? `, ${massSends} mass sends` : ''} emitted again`,
  );
}
if (!key) {
  if (!values.city) usageError(USAGE);
  const body = {
    city: values.city,
    ...(values.date ? { date: values.date } : {}),
    slot: values.slot,
    dryRun: values['dry-run'],
    force: values.force,
  };
  const res = await call('POST', '/v1/admin/pushes/restriction', body);
  if (values['dry-run']) {
    console.log(JSON.stringify(res, null, 2));
    if (res.pace) console.log(paceLine(res.pace as PacePlan));
    process.exit(0);
  }
  key = String(res.key);
  console.log(
    `${res.created ? 'started' : 'existing run'} ${key} (${res.status}${res.reason ? `: ${res.reason}` : ''})`,
  );
}

let run: Run;
for (;;) {
  run = (await call('GET', runPath(key))) as unknown as Run;
  const planned = run.counts.planned ?? 0;
  const width = 40;
  const filled = planned ? Math.round((run.settled / planned) * width) : run.done ? width : 0;
  if (process.stdout.isTTY)
    process.stdout.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${run.counts.sent ?? 0} sent · ${run.settled}/${planned} settled`,
    );
  if (run.done) break;
  if (run.stalledSince) {
    if (process.stdout.isTTY) process.stdout.write('\n');
    console.error(
      `${run.key} has stalled since ${run.stalledSince}: ${run.settled} of ${run.counts.planned ?? 0} settled, nothing moving. The sweep resumes it within minutes; to resume it now: npm run push -- --resume '${run.key}'`,
    );
    process.exit(3);
  }
  await new Promise((r) => setTimeout(r, 500));
}
if (process.stdout.isTTY) process.stdout.write('\n');
console.log(`\n${run.key}: ${run.status}${run.reason ? ` (${run.reason})` : ''}`);
const RECEIPTS = new Set(['delivered', 'failed:user block', 'failed:system failed', 'failed:other']);
console.log('| outcome | count |\n| --- | ---: |');
for (const [k, v] of Object.entries(run.counts).sort()) if (!RECEIPTS.has(k)) console.log(`| ${k} | ${v} |`);
const receipts = Object.entries(run.counts).filter(([k]) => RECEIPTS.has(k));
if (receipts.length) {
  console.log(
    `\nWeChat's receipts so far (of ${run.counts.sent ?? 0} sent; they keep arriving after the run ends):`,
  );
  for (const [k, v] of receipts) console.log(`| ${k} | ${v} |`);
}
if (run.unsent) console.log(`| unsent (run stopped) | ${run.unsent} |`);
for (const [channel, reason] of Object.entries(run.halts ?? {}))
  console.log(`\n${channel} halted: ${reason} (its remaining recipients counted as failed, not sent)`);
console.log(
  `\nconsumed capacity (ledger): ${run.consumed.read} RCU, ${run.consumed.write} WCU · ${run.invocations} deliver invocations, ${(run.durationMs / 1000).toFixed(1)} s total`,
);
console.log(
  `started ${run.startedAt}, ${run.finishedAt ? `finished ${run.finishedAt}` : `last activity ${run.lastActivityAt}`}`,
);
if (run.pace) console.log(paceLine(run.pace, run.metDeadline));
