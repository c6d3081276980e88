#!/usr/bin/env node
/**
 * `npm start`: the whole system on this machine from lib/blueprint.ts. DynamoDB Local keeps its
 * data under LOCAL_DATA_DIR (default .local/); Ctrl-C stops everything, the Java process included.
 */
import { DEV_ACCOUNT_DEFAULTS } from '../functions/adapters/wechat/accounts.ts';
import { blueprint, REPO_ROOT } from '../lib/blueprint.ts';
import { ensureConsoleBuilt } from '../lib/console.ts';
import { JavaMissingError } from '../lib/local/dynamodb-local.ts';
import { DataDirInUseError } from '../lib/local/lock.ts';
import { defaultDataDir, LocalStack } from '../lib/local/stack.ts';

const port = Number(process.env.PORT ?? 3000);
const dataDir = defaultDataDir();
const log = (line: string) => console.log(`[local] ${line}`);

// LOCAL_TIME_SCALE (0 < s ≤ 1) shrinks the queues' visibility timeouts and, in the functions, the
// ledger's in-flight window alike (functions/shared/clock.ts): the chaos suite runs minutes as seconds.
const timeScale = Number(process.env.LOCAL_TIME_SCALE ?? 1);
const stack = new LocalStack({
  blueprint,
  port,
  dataDir,
  ...(timeScale > 0 && timeScale < 1 ? { timeScale } : {}),
  ...(process.env.DYNAMODB_ENDPOINT ? { dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT } : {}),
  log,
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  const force = setTimeout(() => {
    stack.killNow();
    process.exit(1);
  }, 5000);
  await stack.stop();
  clearTimeout(force);
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(signal, () => void shutdown(signal));
process.on('exit', () => stack.killNow());
// `npm start` runs us under `sh -c`; a SIGTERM to npm kills that shell without passing the signal on.
// When our parent goes away we are orphaned: stop everything rather than keep Java running.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown('parent exited');
}, 250).unref();

try {
  ensureConsoleBuilt(REPO_ROOT, log);
  await stack.start();
} catch (error) {
  stack.killNow();
  if (error instanceof JavaMissingError || error instanceof DataDirInUseError) {
    console.error(`[local] ${error.message}`);
    process.exit(2);
  }
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`[local] port ${port} is in use; set PORT to a free one (e.g. PORT=3001 npm start)`);
    process.exit(2);
  }
  throw error;
}

const url = stack.endpoint;
const wx = (name: keyof typeof DEV_ACCOUNT_DEFAULTS) => process.env[name] ?? DEV_ACCOUNT_DEFAULTS[name];
console.log(`Local stack ready on ${url}`);
console.log(`
  DynamoDB Local   ${stack.dynamodbEndpoint}   (data in ${dataDir})
  Routes           ${stack.surface().routes.join(', ')}

  WeChat account 'dev'  appId ${wx('WECHAT_APP_ID')}  Token ${wx('WECHAT_TOKEN')}  mode ${wx('WECHAT_MODE')}
                        EncodingAESKey ${wx('WECHAT_AES_KEY')}
                        webhook ${url}/webhooks/wechat/dev   (override with WECHAT_* variables)

  Try:
    npm run wechat -- --event subscribe         # play a follower (signs and encrypts like WeChat)
    npm run wechat -- "绑定 京A12345"
    npm run wechat -- 限行
    npm run menu                                # the custom menu's difference from WeChat's (--publish)
    curl -s ${url}/v1/cities/beijing/restrictions
    curl -s ${url}/_local/outbox                # what the WeChat sandbox would have delivered
    open ${url}/console/                         # the staff console (local sign-in: pick a name and roles)
    curl -s ${url}/health
    curl -s ${url}/_local                       # routes, queues, schedules, topics of the blueprint
    curl -s ${url}/_local/queues                # depth, in flight, dead letters per queue
    curl -s -X POST ${url}/_local/queues/<queue>/redrive
    curl -s -X POST ${url}/_local/schedules/<schedule>/fire

  Ctrl-C stops everything.
`);
