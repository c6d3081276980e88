/**
 * How much memory each function needs, measured as Lambda measures it ("Max Memory Used": the peak
 * resident memory of its process). Every function is bundled as the CDK bundles it for a deployment
 * without X-Ray (lib/aws/bundling.ts) and runs alone in its own Node process, one invocation at a
 * time, with the heap sized as the Lambda runtime sizes it for its configured memory
 * (./support/lambda-node.ts: a tenth young generation, the rest old space), as
 * test/bench/deliver-memory.ts does. The local stack (DynamoDB Local, the WeChat and SMS sandboxes,
 * topics → queues, schedules) stays in this process and hands each invocation to the function's
 * process, while a representative day drives every function at least once: public reads, a follower
 * on WeChat (follow, bind, 限行, 路况, a menu number), a citizen on SMS (BD, a receipt), a restriction
 * push to N followers (plan → expand → deliver-wechat and deliver-sms) of which a tenth of the
 * WeChat bundles is lost, so the run stalls and the sweep resumes it, a notice through review,
 * preview, publication and its push, a briefing as the officers' account's article mass send, a
 * customer-service message, the schedules, the admin reads and writes; the traffic-management
 * platform's day (on the signed route, 500 events a request: the followers' plates' registry,
 * `--captures` camera captures and the due dates of a tenth of the plates, whose followers are
 * verified owners; a follower proving a plate by an SMS code, the violation notice and its personal
 * page; the nightly drop of `--drop` captures; the morning's due-date reminders), the service desk's
 * (`--cases` cases over WeChat, one with a photo and a voice message, an SMS case, a hotline call,
 * 12345 tickets; answered, one through the notice that links to the case page, assigned, noted,
 * transferred, closed and rated; the rest escalated) and the managed content.
 *
 * The schedules fire when the day fires them, not by the wall clock; the two sweeps that look for
 * what was left behind run with their own clock later (LOCAL_TIME_OFFSET_MS in their own process):
 * resume-push-runs 11 minutes (past PUSH_STALL_AFTER_SECONDS), escalate-overdue-cases 10 days (past
 * every deadline of the morning's cases, whatever holidays follow).
 *
 * The table is what lib/blueprint.ts's memoryMb values come from: init = resident memory after the
 * module's import; peak = the most any invocation of the day reached.
 *
 *   node test/bench/function-memory.ts [--subscribers 2000] [--captures 3000] [--drop 100000] [--cases 100]
 *     [--at deliver-wechat=256,expand-segment=192]
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { DEV_DRIVER_DEFAULTS } from '../../functions/adapters/integrations/secret.ts';
import { accountsFromEnv } from '../../functions/adapters/wechat/accounts.ts';
import { restrictionRunKey } from '../../functions/core/pushes/planning.ts';
import { addDays, civilDate } from '../../functions/core/time.ts';
import { BUNDLE, bundleDefine } from '../../lib/aws/bundling.ts';
import { REPO_ROOT } from '../../lib/blueprint.ts';
import { localTableName, startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { platformEvents, signedBatch } from '../../lib/local/platform-user.ts';
import { replyCallback } from '../../lib/local/sms-user.ts';
import { buildRequest, messageXml, openReply, type SimulatedMessage } from '../../lib/local/wechat-user.ts';
import { type IngestAnswer, MAX_DRIVER_BATCH } from '../../schemas/drivers.ts';
import { pinShanghaiMorning, seededBenchStack } from '../fixtures/bench-stack.ts';
import { captures, plateOf, seedVerifiedOwners } from '../fixtures/driver-load.ts';
import { signedTicket } from '../fixtures/platform-12345.ts';
import { officersAccount } from '../fixtures/wechat.ts';
import { lambdaHeapFlags } from './support/lambda-node.ts';

interface Reply {
  id: number;
  result?: unknown;
  error?: { name: string; message: string };
  maxRssMb: number;
}

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '2000' },
    // The day's camera captures on the platform's signed route (500 events a request, with the
    // registry and due dates), and the lines of its nightly drop (a city's day of captures: the
    // driver-drops queue's "100,000-event file").
    captures: { type: 'string', default: '3000' },
    drop: { type: 'string', default: '100000' },
    // Cases opened over WeChat in the desk's day.
    cases: { type: 'string', default: '100' },
    at: { type: 'string', default: '' },
  },
});
// `--at deliver-wechat=256,…`: run those functions as if configured with that memory (a smaller size tried).
const sizeOverrides = new Map(
  values.at
    .split(',')
    .filter(Boolean)
    .map((kv) => [kv.split('=')[0]!, Number(kv.split('=')[1])] as const),
);
const memoryOf = (fnId: string, configured: number) => sizeOverrides.get(fnId) ?? configured;
const subscribers = Number(values.subscribers);
const dropLines = Number(values.drop);
const deskCases = Number(values.cases);
process.env.STAGE = 'local';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// Proof of a plate by an SMS code (off by default), so the webhook hands codes to send-driver-code.
process.env.DRIVER_VERIFY_BY_SMS = 'true';
pinShanghaiMorning();
// Beside the dev account, the officers' subscription account, which gets notices as article mass sends.
process.env.WECHAT_ACCOUNTS = JSON.stringify([
  { ...officersAccount({}), kind: 'subscription', massSend: { thumbMediaId: 'thumb-officers', tagId: null } },
]);
const outdir = join(REPO_ROOT, 'node_modules', '.cache', `bench-memory-${process.pid}`);
const t0 = performance.now();
const log = (what: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${what}`);
const ddb = await startDynamoDbLocal();
log('DynamoDB Local started');
const {
  bp,
  stack,
  doc,
  subscribers: followers,
  close,
} = await seededBenchStack({
  dynamodbEndpoint: ddb.endpoint,
  name: 'fnmem',
  subscribers,
  tails: [0, 5],
  prefix: 'o-fm',
});
const fnIds = Object.keys(bp.functions);
log(`stack started, ${subscribers} followers seeded`);
// The day fires the schedules itself (a cron firing by the wall clock would start a sweep early).
stack.scheduler.stop();
/** A function whose process runs with its clock `ms` later than the others' (set before its first invocation). */
const later = (fnId: string, ms: number) => {
  const env = stack.functions.get(fnId)!.environment;
  env.LOCAL_TIME_OFFSET_MS = String(Number(env.LOCAL_TIME_OFFSET_MS ?? 0) + ms);
};
later('resume-push-runs', 11 * 60_000);
later('escalate-overdue-cases', 10 * 24 * 3600_000);
await build({
  ...BUNDLE,
  external: [...BUNDLE.external],
  mainFields: [...BUNDLE.mainFields],
  banner: { js: BUNDLE.banner },
  define: bundleDefine(false),
  entryPoints: fnIds.map((id) => join(REPO_ROOT, bp.functions[id]!.entry)),
  outbase: join(REPO_ROOT, 'functions'),
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  logLevel: 'error',
});

log('functions bundled');
// Each function's own process, started on its first invocation (its cold start).
const measured = new Map<
  string,
  { initRssMb: number; peakRssMb: number; invocations: number; errors: number }
>();
const children: Array<ReturnType<typeof fork>> = [];
const failedToLoad = new Map<string, string>();
for (const [fnId, fn] of stack.functions) {
  const def = bp.functions[fnId]!;
  let child: Promise<ReturnType<typeof fork>> | undefined;
  let seq = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const start = () => {
    const env = Object.fromEntries(
      Object.entries(fn.environment).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const c = fork(
      fileURLToPath(new URL('./support/function-process.mjs', import.meta.url)),
      [
        join(outdir, fnId, 'handler.mjs'),
        fnId,
        String(def.timeoutSeconds),
        String(memoryOf(fnId, def.memoryMb)),
      ],
      {
        execPath: process.execPath,
        // The heap sized as the Lambda runtime sizes it for the function's memory.
        execArgv: lambdaHeapFlags(memoryOf(fnId, def.memoryMb)),
        env,
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      },
    );
    children.push(c);
    let stderr = '';
    c.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    return new Promise<ReturnType<typeof fork>>((resolve, reject) => {
      c.once('error', reject);
      c.once('exit', (code) => {
        // A function that cannot even load is a finding of the bench, not a silent gap in the table.
        failedToLoad.set(
          fnId,
          `exited (${code}) before it was ready: ${stderr.trim().split('\n').slice(-3).join(' ')}`,
        );
        reject(new Error(`${fnId} ${failedToLoad.get(fnId)}`));
      });
      c.on('message', (m: Reply | { ready: true; initRssMb: number; maxRssMb: number }) => {
        const row = measured.get(fnId) ?? { initRssMb: 0, peakRssMb: 0, invocations: 0, errors: 0 };
        measured.set(fnId, row);
        row.peakRssMb = Math.max(row.peakRssMb, m.maxRssMb);
        if ('ready' in m) {
          row.initRssMb = m.initRssMb;
          c.removeAllListeners('exit');
          resolve(c);
          return;
        }
        row.invocations++;
        const p = pending.get(m.id)!;
        pending.delete(m.id);
        if (m.error) {
          row.errors++;
          p.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
        } else p.resolve(m.result);
      });
    });
  };
  fn.invoke = async (event: unknown) => {
    child ??= start();
    const c = await child;
    const id = ++seq;
    return new Promise((resolve, reject) => {
      // An invocation that outlives its timeout is Lambda's "Task timed out"; here it names the function.
      const timer = setTimeout(
        () => reject(new Error(`${fnId}: no answer within ${def.timeoutSeconds} s`)),
        def.timeoutSeconds * 1000 + 30_000,
      );
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      c.send({ id, event });
    });
  };
}

const ok = async (what: string, res: Response) => {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text;
};
/** A citizen's SMS as the gateway posts it (a Tencent-shaped reply callback). */
const smsReply = async (what: string, phone: string, text: string) => {
  const cb = replyCallback('tencent', phone, text);
  return ok(
    what,
    await fetch(`${stack.endpoint}${cb.path}?${cb.query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: cb.body,
    }),
  );
};
const token = (...roles: string[]) => stack.issueToken(`bench-${roles.join('-')}`, roles);
const call = async (method: string, path: string, auth?: string, body?: unknown) =>
  ok(
    `${method} ${path}`,
    await fetch(`${stack.endpoint}${path}`, {
      method,
      headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
const account = accountsFromEnv({})[0]!;
const driverIntegration = {
  id: DEV_DRIVER_DEFAULTS.DRIVER_INTEGRATION_ID,
  secret: DEV_DRIVER_DEFAULTS.DRIVER_INTEGRATION_SECRET,
};
/** A follower's message to the dev account, as WeChat posts it; the synchronous reply's text. */
const wechat = async (openid: string, m: SimulatedMessage): Promise<string> => {
  const request = buildRequest(account, messageXml(m, openid, 'gh_local', Math.floor(Date.now() / 1000)), {
    encrypted: true,
  });
  const reply = await ok(
    `wechat ${JSON.stringify(m)}`,
    await fetch(`${stack.endpoint}/webhooks/wechat/dev?${request.query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: request.body,
    }),
  );
  return openReply(account, String(reply)).content ?? '';
};
const say = (openid: string, text: string) => wechat(openid, { kind: 'text', text });
/** A signed call as the driver platform or the 12345 platform posts it. */
const post = async (what: string, signed: { path: string; headers: Record<string, string>; body: string }) =>
  ok(
    what,
    await fetch(`${stack.endpoint}${signed.path}`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    }),
  );
const drained = async (...queues: string[]) => {
  for (const q of queues) await stack.queues.get(q)!.drained(600_000);
};
const settled = async (what: string, done: () => Promise<boolean>, seconds = 120) => {
  for (let i = 0; i < seconds * 5; i++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not settle`);
};
const operator = token('operator');
const editor = token('editor');
const reviewer = token('reviewer');
const admin = token('admin');
const started = performance.now();
try {
  log('public reads');
  // Public reads.
  await call('GET', '/health');
  await call('GET', '/openapi.json');
  await call('GET', '/v1/cities');
  await call('GET', '/v1/cities/beijing/restrictions?from=2026-11-16&to=2026-11-22');
  await call('GET', `/v1/plates/${encodeURIComponent('京A12345')}/restriction?city=beijing&date=2026-11-16`);
  log('WeChat follower');
  // A follower on WeChat; 路况 and the menu numbers answer through the asynchronous reply path.
  const me = 'o-bench-follower';
  await wechat(me, { kind: 'event', event: 'subscribe', eventKey: 'qrscene_poster' });
  await wechat(me, { kind: 'text', text: '绑定 京A12345' });
  await wechat(me, { kind: 'text', text: '限行' });
  await wechat(me, { kind: 'text', text: '路况' });
  await wechat(me, { kind: 'text', text: '1' });
  // A customer-service message through the asynchronous path (wechat-replies → send-wechat-reply).
  stack.publish(
    'wechat-replies',
    JSON.stringify({
      kind: 'note',
      accountId: account.id,
      openid: me,
      key: 'bench-note-1',
      text: '您的短信已绑定',
    }),
  );
  log('SMS citizen');
  // A citizen on SMS binds a plate (a Tencent-shaped reply callback).
  await smsReply('sms reply', '13800138000', 'BD 京A12345');
  log('restriction push');
  // The restriction push to the seeded followers (and the two above), and the schedule's own run. A
  // tenth of its WeChat bundles is lost before a worker sees it (a worker dying with its copy): the
  // run stalls, and the sweep finds it (its clock 11 minutes on) and emits them again.
  const key = restrictionRunKey('beijing', '2026-11-16', 'morning');
  const wechatDeliveries = stack.queues.get('push-deliveries-wechat')!;
  wechatDeliveries.faults.dropRate = 0.1;
  await call('POST', '/v1/admin/pushes/restriction', operator, {
    city: 'beijing',
    date: '2026-11-16',
    slot: 'morning',
    force: true,
  });
  await drained('push-segments', 'push-deliveries-wechat', 'push-deliveries-sms');
  wechatDeliveries.faults.dropRate = 0;
  const sweep = await stack.scheduler.fireNow('resume-push-runs');
  log(`sweep: ${JSON.stringify(sweep.lastOutput).slice(0, 200)}`);
  // Paced deliveries: two minutes and 50 ms a follower.
  await settled(
    'the restriction push',
    async () => {
      const run = await call('GET', `/v1/admin/pushes/${encodeURIComponent(key)}`, operator);
      return run.done === true;
    },
    120 + subscribers / 20,
  );
  await stack.scheduler.fireNow('restriction-push-beijing-morning');
  await call('GET', '/v1/admin/pushes', operator);
  await call('GET', '/v1/admin/stats/pushes', operator);
  await call('GET', '/v1/admin/policies/frequency', operator);
  log('notice');
  // A notice through review, preview and publication; its push, the feed and its page. Its window is
  // in the functions' time (pinned to 10:00 Shanghai), not this process's.
  const hour = 3600_000;
  const functionsNow = Date.now() + Number(process.env.LOCAL_TIME_OFFSET_MS ?? 0);
  const notice = await call('POST', '/v1/admin/notices', editor, {
    kind: 'traffic-control',
    title: '长安街临时交通管制',
    body: '因重大活动，今天长安街（建国门至复兴门）实行临时交通管制，请提前绕行。',
    shortBody: '长安街临时交通管制，请绕行',
    city: 'beijing',
    areas: ['长安街'],
    effectiveFrom: new Date(functionsNow - hour).toISOString(),
    effectiveTo: new Date(functionsNow + 4 * hour).toISOString(),
    channels: ['feed', 'wechat'],
    audience: { type: 'bound-in-city' },
  });
  await call('POST', `/v1/admin/notices/${notice.id}/preview`, editor, {});
  await call('POST', `/v1/admin/notices/${notice.id}/submit`, editor, {});
  await call('POST', `/v1/admin/notices/${notice.id}/approve`, reviewer, {});
  await call('POST', `/v1/admin/notices/${notice.id}/publish`, reviewer, {});
  await settled('the notice push', async () => (measured.get('plan-notice-push')?.invocations ?? 0) > 0);
  // A briefing for the officers' account: one article mass send (wechat-mass-sends → send-wechat-mass).
  const briefing = await call('POST', '/v1/admin/notices', editor, {
    kind: 'general',
    title: '早间勤务简报',
    body: '今日早高峰警力部署与重点路段提示。',
    shortBody: '早间勤务简报',
    city: 'beijing',
    effectiveFrom: new Date(functionsNow - hour).toISOString(),
    effectiveTo: new Date(functionsNow + 4 * hour).toISOString(),
    channels: ['wechat'],
    audience: { type: 'internal' },
  });
  await call('POST', `/v1/admin/notices/${briefing.id}/submit`, editor, {});
  await call('POST', `/v1/admin/notices/${briefing.id}/approve`, reviewer, {});
  await call('POST', `/v1/admin/notices/${briefing.id}/publish`, reviewer, {});
  await settled('the mass send', async () => (measured.get('send-wechat-mass')?.invocations ?? 0) > 0);
  await call('GET', '/v1/admin/notices', reviewer);
  await call('GET', `/v1/admin/notices/${notice.id}`, reviewer);
  await call('GET', '/v1/notices?city=beijing');
  await call('GET', `/v1/notices/${notice.id}`);
  await call('GET', `/n/${notice.id}`);
  log('schedules');
  // The schedules.
  await stack.scheduler.fireNow('release-deferred-pushes');
  await stack.scheduler.fireNow('publish-due-notices');
  await stack.scheduler.fireNow('restriction-coverage-check');
  log('admin reads and writes');
  // Admin reads and writes.
  await call('GET', '/v1/admin/sms/budget', operator);
  await call('GET', '/v1/admin/wechat/dev/menu', admin);
  await call('GET', '/v1/admin/wechat/quota', operator);
  await call('GET', '/v1/admin/stats', operator);
  await call('GET', `/v1/admin/subscribers/wechat/${me}`, operator);
  await call('GET', '/v1/admin/audit', admin);
  await call('GET', `/v1/admin/subscribers?plate=${encodeURIComponent('京A12345')}`, operator);
  await call('GET', '/v1/admin/restriction-data', admin);
  await call('POST', '/v1/admin/cities/beijing/suspensions', admin, {
    id: 'beijing-2026-12-bench',
    city: 'beijing',
    from: '2026-12-01',
    to: '2026-12-31',
    reason: '暂停执行尾号限行（测试）',
    noticeId: notice.id,
  });
  log('driver platform');
  // The platform's day on the signed route (500 events a request): the registry of the followers'
  // plates with their registered phones, then the day's camera captures and the due dates of a
  // tenth of the plates, whose followers proved them (verified owners, written as proofs over WeChat
  // would have left them). One more plate is proved by a code sent by SMS to its registered phone.
  const today = civilDate(new Date(functionsNow));
  const plates = followers.map((f) => f.bindings[0]!.plate);
  const owners = followers
    .filter((_, i) => i % 10 === 0)
    .map((f) => ({ plate: f.bindings[0]!.plate, openid: f.id }));
  await seedVerifiedOwners(doc, localTableName(bp.service, 'drivers'), owners);
  const ingest = async (events: readonly unknown[]) => {
    for (let i = 0; i < events.length; i += MAX_DRIVER_BATCH) {
      const answer = (await post(
        'driver events',
        signedBatch(driverIntegration, events.slice(i, i + MAX_DRIVER_BATCH)),
      )) as IngestAnswer;
      if (answer.invalid)
        throw new Error(
          `driver events: ${JSON.stringify(answer.results.find((r) => r.status === 'invalid'))}`,
        );
    }
  };
  const codePlate = '京B13579';
  const codePhone = '13900139000';
  await ingest([
    ...plates.map((plate, i) =>
      platformEvents.vehicle(plate, {
        vin: `LVS${String(i).padStart(6, '0')}`,
        phone: `1390${String(i + 1).padStart(7, '0')}`,
      }),
    ),
    platformEvents.vehicle(codePlate, { vin: 'LVSK13579', phone: codePhone }),
  ]);
  const driver = 'o-bench-owner';
  await say(driver, `绑定 ${codePlate}`);
  await say(driver, `验证 ${codePlate} 短信`);
  await drained('driver-codes');
  const texted = stack.sms.outbox.find((m) => m.phone === codePhone);
  const code = texted && Object.values(texted.params)[0];
  const proved = await say(driver, `验证码 ${code}`);
  if (!proved.includes('验证成功')) throw new Error(`the SMS code did not verify: ${proved}`);
  const offsets = [30, 7, 0, -1];
  await ingest([
    // One capture in five on a follower's plate, the rest on the city's other plates.
    ...captures(
      'day',
      Number(values.captures),
      (i) => (i % 5 === 0 ? plates[(i / 5) % plates.length]! : plateOf((i * 7919) % 70_000)),
      today,
    ),
    ...owners.map((o, i) =>
      platformEvents.due(
        i % 2 ? 'insurance-expiry' : 'inspection-due',
        o.plate,
        addDays(today, offsets[i % offsets.length]!),
      ),
    ),
    platformEvents.violation(codePlate, {
      act: '机动车违反禁令标志指示',
      place: '长安街西单路口',
      fine: 200,
      points: 3,
      photos: ['https://platform.example.gov.cn/photos/k1.jpg'],
    }),
  ]);
  await drained('push-deliveries-wechat', 'push-deliveries-sms');
  const violationNotice = stack.wechat.outbox.find((o) => o.kind === 'template' && o.touser === driver);
  if (!violationNotice) throw new Error('the violation notice did not reach the owner');
  await ok('the personal page', await fetch(String(violationNotice.body.url)));
  await say(driver, '违法');
  await call('GET', '/v1/admin/drivers/stats', operator);
  await call('GET', `/v1/admin/drivers/vehicles/${encodeURIComponent(codePlate)}`, admin);
  await call('GET', `/v1/admin/drivers/followers/wechat/${driver}`, operator);
  log(`nightly drop of ${dropLines.toLocaleString('en')} captures`);
  // Yesterday's captures, one in fifty on a follower's plate.
  const dropped = captures(
    'night',
    dropLines,
    (i) => (i % 50 === 0 ? plates[(i / 50) % plates.length]! : plateOf((i * 7919) % 70_000)),
    addDays(today, -1),
  );
  await ok(
    'the nightly drop',
    await fetch(`${stack.endpoint}/_local/buckets/driver-drops/night.jsonl`, {
      method: 'PUT',
      body: dropped.map((e) => JSON.stringify(e)).join('\n'),
    }),
  );
  await settled(
    'the nightly drop',
    async () => {
      if (measured.get('ingest-driver-drop')?.errors) throw new Error('ingest-driver-drop failed');
      return (await fetch(`${stack.endpoint}/_local/buckets/driver-drops/results/night.json`)).status === 200;
    },
    bp.functions['ingest-driver-drop']!.timeoutSeconds + 60,
  );
  const { accepted, duplicate, stale, invalid } = await call(
    'GET',
    '/_local/buckets/driver-drops/results/night.json',
  );
  log(`drop: ${JSON.stringify({ accepted, duplicate, stale, invalid })}`);
  log('driver reminders');
  // The morning's due-date reminders (and yesterday's ingest runs closed).
  const reminders = await stack.scheduler.fireNow('driver-reminders');
  if (reminders.lastResult !== 'ok') throw new Error(`driver-reminders: ${String(reminders.lastOutput)}`);
  log(`reminders: ${JSON.stringify(reminders.lastOutput)}`);
  await drained('push-deliveries-wechat', 'push-deliveries-sms');

  log(`desk: ${deskCases} cases`);
  // The service desk's day: cases over WeChat (one with a phone's 3 MB photo and a minute's voice
  // message), an SMS case, a hotline call, 12345 tickets; a fifth of the WeChat cases and all the
  // others answered (one after WeChat says the window closed, so the answer is the notice whose
  // link opens the case page), one assigned, one noted, one transferred, ten closed and one rated;
  // the rest escalated.
  const sam = stack.issueToken('sam', ['supervisor']);
  const tom = stack.issueToken('tom', ['officer']);
  const asks = [
    '投诉 幸福路与和平街路口每天早上违停严重，公交车过不去',
    '咨询 二环路夜间施工到什么时候',
    '求助 车坏在二环路上了',
    '建议 希望在学校门口增设人行横道',
    '举报 建设路有渣土车闯红灯',
    '表扬 感谢长安街执勤民警',
  ];
  const citizens = followers.slice(1, 1 + deskCases).map((f) => f.id);
  const numbers: string[] = [];
  for (const [i, citizen] of citizens.entries()) {
    const ack = await say(citizen, asks[i % asks.length]!);
    const number = /编号 (\d{10})/.exec(ack)?.[1];
    if (!number) throw new Error(`no case opened: ${ack}`);
    numbers.push(number);
  }
  stack.wechat.putMedia(
    'm-bench-photo',
    Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(3_000_000)]),
    'image/jpeg',
  );
  stack.wechat.putMedia(
    'm-bench-voice',
    Buffer.concat([Buffer.from('#!AMR\n'), randomBytes(96_000)]),
    'audio/amr',
  );
  await wechat(citizens[0]!, {
    kind: 'message',
    msgType: 'image',
    fields: { PicUrl: 'https://mmbiz.example/p', MediaId: 'm-bench-photo' },
  });
  await wechat(citizens[0]!, {
    kind: 'message',
    msgType: 'voice',
    fields: { MediaId: 'm-bench-voice', Format: 'amr', Recognition: '早上七点到九点最严重' },
  });
  await drained('desk-media');
  const first = await call('GET', `/v1/admin/desk/cases/${numbers[0]}`, tom);
  for (const m of first.messages.filter((x: { attachment?: unknown }) => x.attachment))
    await call('GET', `/v1/admin/desk/cases/${numbers[0]}/attachments/${m.attachment.id}`, tom);
  await smsReply('sms case', '13800138123', 'LY 请问驾驶证到期了怎么换证');
  await call('POST', '/v1/admin/desk/cases', tom, {
    channel: 'hotline',
    category: 'suggestion',
    text: '来电：希望在学校门口增设人行横道',
    phone: '13800138777',
  });
  for (let i = 0; i < 10; i++)
    numbers.push(
      (
        await post(
          '12345 ticket',
          signedTicket(
            JSON.stringify({
              ticketId: `GD-BENCH-${i}`,
              category: 'complaint',
              text: '市民反映建设路红绿灯故障',
            }),
          ),
        )
      ).caseNumber,
    );
  const listed = await call('GET', '/v1/admin/desk/cases?view=new', sam);
  numbers.push(
    ...listed.cases
      .filter((c: { channel: string }) => c.channel === 'sms' || c.channel === 'hotline')
      .map((c: { number: string }) => c.number),
  );
  const move = async (number: string, action: string, body: Record<string, unknown> = {}) => {
    const { version } = (await call('GET', `/v1/admin/desk/cases/${number}`, sam)).case;
    return call('POST', `/v1/admin/desk/cases/${number}/${action}`, sam, { version, ...body });
  };
  stack.wechat.faults = { ...stack.wechat.faults, windowClosed: [citizens[0]!] };
  const answered = numbers.filter((_, i) => i % 5 === 0 || i >= citizens.length);
  for (const number of answered) await move(number, 'answer', { text: '已安排民警核实处理，感谢您的反映。' });
  await drained('desk-answers');
  stack.wechat.faults = { ...stack.wechat.faults, windowClosed: [] };
  const deskNotice = stack.wechat.outbox.find(
    (o) => o.kind === 'template' && o.touser === citizens[0] && String(o.body.url).includes('/c/'),
  );
  if (!deskNotice) throw new Error('the desk notice did not reach the citizen');
  await ok('the case page', await fetch(String(deskNotice.body.url)));
  await move(numbers[2]!, 'assign', { assignee: 'olga' });
  await move(numbers[3]!, 'note', { text: '已联系辖区大队。' });
  await move(numbers[4]!, 'transfer', { unit: 'accidents', reason: '涉及事故处理' });
  for (const number of answered.slice(0, 10)) await move(number, 'close');
  await drained('desk-answers');
  await say(citizens[0]!, '1');
  await say(citizens[0]!, '查询留言');
  const escalation = await stack.scheduler.fireNow('escalate-overdue-cases');
  log(`escalation: ${JSON.stringify(escalation.lastOutput)}`);
  await call('GET', '/v1/admin/desk/overdue', sam);
  await call('GET', '/v1/admin/desk/measures?weeks=4', sam);
  await call('GET', '/v1/admin/desk/cases?view=open', sam);
  await call('GET', '/v1/admin/desk/cases?view=mine', tom);
  await call('GET', '/v1/admin/desk/canned?category=complaint', tom);
  await call('GET', '/v1/admin/desk/units', tom);
  log('managed content');
  const content = await call('GET', '/v1/admin/content/desk', sam);
  await call('PUT', '/v1/admin/content/desk', sam, {
    version: content.version,
    value: {
      ...content.value,
      canned: [
        ...content.value.canned,
        { id: 'bench-thanks', title: '感谢反映', text: '感谢您的反映，我们会尽快处理。', categories: [] },
      ],
    },
  });
  await call('GET', '/v1/admin/content/desk/versions', sam);
  await call('GET', '/v1/admin/content/keywords', operator);
  await call('GET', '/v1/admin/content/service-info', operator);

  log('queues draining');
  // What the queues still hold (asynchronous replies, SMS deliveries, mass sends) runs out.
  await drained(...stack.queues.keys());
  await new Promise((r) => setTimeout(r, 3000));
} finally {
  const wall = (performance.now() - started) / 1000;
  for (const c of children) c.kill();
  await close();
  await ddb.stop();
  rmSync(outdir, { recursive: true, force: true });
  console.log(
    `\nMemory per function: each bundled as the CDK bundles it (no X-Ray), alone in its own Node ${process.version} process, the heap sized as the Lambda runtime sizes it for its memoryMb (./support/lambda-node.ts); a representative day with ${subscribers.toLocaleString('en')} followers in ${wall.toFixed(0)} s (peak resident memory, as Lambda reports Max Memory Used)\n`,
  );
  console.log('| function | memoryMb | invocations | errors | init RSS MB | peak RSS MB | peak / memoryMb |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const fnId of fnIds) {
    const m = measured.get(fnId);
    const mb = memoryOf(fnId, bp.functions[fnId]!.memoryMb);
    console.log(
      m
        ? `| ${fnId} | ${mb} | ${m.invocations} | ${m.errors} | ${m.initRssMb.toFixed(0)} | ${m.peakRssMb.toFixed(0)} | ${((100 * m.peakRssMb) / mb).toFixed(0)}% |`
        : `| ${fnId} | ${mb} | 0 | | | | ${failedToLoad.has(fnId) ? `did not load: ${failedToLoad.get(fnId)}` : 'not invoked'} |`,
    );
  }
}
process.exit(0);
