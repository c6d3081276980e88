/**
 * How much memory each function needs, measured as Lambda measures it ("Max Memory Used": the peak
 * resident memory of its process). Every function is bundled as the CDK bundles it for a deployment
 * without X-Ray (lib/aws/bundling.ts) and runs alone in its own Node process, one invocation at a
 * time, with the heap limited as its configured size would limit it (old space 75% of memoryMb, as
 * test/bench/deliver-memory.ts does). The local stack (DynamoDB Local, the WeChat and SMS sandboxes,
 * topics → queues, schedules) stays in this process and hands each invocation to the function's
 * process, while a representative day drives every function at least once: public reads, a follower
 * on WeChat (follow, bind, 限行, 路况, a menu number), a citizen on SMS (BD, a receipt), a restriction
 * push to N followers (plan → expand → deliver-wechat and deliver-sms), a notice through review,
 * preview, publication and its push, a briefing as the officers' account's article mass send, a
 * customer-service message, the schedules, and the admin reads and writes.
 *
 * The table is what lib/blueprint.ts's memoryMb values come from: init = resident memory after the
 * module's import; peak = the most any invocation of the day reached.
 *
 *   node test/bench/function-memory.ts [--subscribers 2000] [--at deliver-wechat=256,expand-segment=192]
 */
import { fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { accountsFromEnv } from '../../functions/adapters/wechat/accounts.ts';
import { restrictionRunKey } from '../../functions/core/pushes/planning.ts';
import { BUNDLE, bundleDefine } from '../../lib/aws/bundling.ts';
import { REPO_ROOT } from '../../lib/blueprint.ts';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { replyCallback } from '../../lib/local/sms-user.ts';
import { buildRequest, messageXml, type SimulatedMessage } from '../../lib/local/wechat-user.ts';
import { pinShanghaiMorning, seededBenchStack } from '../fixtures/bench-stack.ts';
import { officersAccount } from '../fixtures/wechat.ts';

interface Reply {
  id: number;
  result?: unknown;
  error?: { name: string; message: string };
  maxRssMb: number;
}

const { values } = parseArgs({
  options: { subscribers: { type: 'string', default: '2000' }, at: { type: 'string', default: '' } },
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
process.env.STAGE = 'local';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
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
const { bp, stack, close } = await seededBenchStack({
  dynamodbEndpoint: ddb.endpoint,
  name: 'fnmem',
  subscribers,
  tails: [0, 5],
  prefix: 'o-fm',
});
const fnIds = Object.keys(bp.functions);
log(`stack started, ${subscribers} followers seeded`);
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
        execArgv: [`--max-old-space-size=${Math.floor(memoryOf(fnId, def.memoryMb) * 0.75)}`],
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
const wechat = async (openid: string, m: SimulatedMessage) => {
  const request = buildRequest(account, messageXml(m, openid, 'gh_local', Math.floor(Date.now() / 1000)), {
    encrypted: true,
  });
  return ok(
    `wechat ${JSON.stringify(m)}`,
    await fetch(`${stack.endpoint}/webhooks/wechat/dev?${request.query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: request.body,
    }),
  );
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
  const sms = replyCallback('tencent', '13800138000', 'BD 京A12345');
  await ok(
    'sms reply',
    await fetch(`${stack.endpoint}${sms.path}?${sms.query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: sms.body,
    }),
  );
  log('restriction push');
  // The restriction push to the seeded followers (and the two above), and the schedule's own run.
  const key = restrictionRunKey('beijing', '2026-11-16', 'morning');
  await call('POST', '/v1/admin/pushes/restriction', operator, {
    city: 'beijing',
    date: '2026-11-16',
    slot: 'morning',
    force: true,
  });
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
  log('queues draining');
  // What the queues still hold (asynchronous replies, SMS deliveries, mass sends) runs out.
  await new Promise((r) => setTimeout(r, 3000));
} finally {
  const wall = (performance.now() - started) / 1000;
  for (const c of children) c.kill();
  await close();
  await ddb.stop();
  rmSync(outdir, { recursive: true, force: true });
  console.log(
    `\nMemory per function: each bundled as the CDK bundles it (no X-Ray), alone in its own Node ${process.version} process, old space limited to 75% of its memoryMb; a representative day with ${subscribers.toLocaleString('en')} followers in ${wall.toFixed(0)} s (peak resident memory, as Lambda reports Max Memory Used)\n`,
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
