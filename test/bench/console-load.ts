/**
 * The staff console's first load on the local stack: the JavaScript a first visit downloads
 * (gzip, from the build's manifest: the entry and everything it imports statically, and what each
 * page adds when opened), and the time from navigation to a usable 今日 page in headless Chromium
 * (signed in; the restriction answers and today's runs shown), cold (no HTTP cache) and warm.
 * Prints a table and checks the bars: initial JS ≤ 400 KB gzip, usable < 2 s.
 *
 *   node test/bench/console-load.ts [--runs 5]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../../lib/blueprint.ts';
import { consoleDist, ensureConsoleBuilt } from '../../lib/console.ts';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { seededBenchStack } from '../fixtures/bench-stack.ts';
import { chromiumAvailable, launchChromium, signIn } from '../fixtures/browser.ts';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_DEV ??= 'true';
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const BUDGET_KB = 400;
const USABLE_MS = 2000;

ensureConsoleBuilt(REPO_ROOT, (l) => console.log(l));
const dist = consoleDist(REPO_ROOT);
type Chunk = { file: string; isEntry?: boolean; isDynamicEntry?: boolean; imports?: string[]; src?: string };
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<
  string,
  Chunk
>;
const gz = (file: string) => gzipSync(readFileSync(join(dist, file))).length;
/** A chunk and everything it imports statically (what loading it downloads). */
function closure(key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const i of manifest[key]?.imports ?? []) closure(i, seen);
  return seen;
}
const kb = (keys: Iterable<string>) => [...keys].reduce((n, k) => n + gz(manifest[k]!.file), 0) / 1024;
const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry)!;
const initial = closure(entryKey);
const initialKb = kb(initial);

console.log('\nStaff console: JavaScript downloaded (gzip)\n');
console.log('| what | files | KB gzip |');
console.log('| --- | --- | --- |');
console.log(`| first load (entry + its static imports) | ${initial.size} | ${initialKb.toFixed(1)} |`);
for (const [key, chunk] of Object.entries(manifest).filter(([, c]) => c.isDynamicEntry)) {
  const added = [...closure(key)].filter((k) => !initial.has(k));
  console.log(`| + page ${chunk.src ?? key} | ${added.length} | ${kb(added).toFixed(1)} |`);
}

if (!chromiumAvailable()) {
  console.log('\n(no /usr/bin/chromium: time to usable not measured; apt-get install -y chromium)');
  process.exit(initialKb <= BUDGET_KB ? 0 : 1);
}

const ddb = await startDynamoDbLocal();
const env = await seededBenchStack({
  dynamodbEndpoint: ddb.endpoint,
  name: 'console',
  subscribers: 50,
  tails: [1, 6],
  prefix: 'o-bench',
});
const chromium = await launchChromium();
const page = await chromium.browser.newPage();
const base = env.stack.endpoint;
await signIn(page, base, 'ada', ['admin']);
const cdp = await page.context().newCDPSession(page);

async function usable(cold: boolean): Promise<number> {
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: cold });
  await page.goto('about:blank');
  const t0 = performance.now();
  await page.goto(`${base}/console/#/today`);
  await page.getByRole('cell', { name: '北京' }).waitFor();
  await page.getByText('今天的推送').waitFor();
  return performance.now() - t0;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
await usable(false); // the first visit after sign-in warms the functions (the Lambda-style cold start)
const cold: number[] = [];
const warm: number[] = [];
for (let i = 0; i < runs; i++) {
  cold.push(await usable(true));
  warm.push(await usable(false));
}
await chromium.close();
await env.close();
await ddb.stop();

console.log(`\nStaff console: navigation → 今日 usable (answers and today's runs shown), ${runs} runs\n`);
console.log('| run | no HTTP cache (ms) | cached (ms) |');
console.log('| --- | --- | --- |');
for (const [i, c] of cold.entries()) console.log(`| ${i + 1} | ${c.toFixed(0)} | ${warm[i]!.toFixed(0)} |`);
console.log(`| median | ${median(cold).toFixed(0)} | ${median(warm).toFixed(0)} |`);
const okJs = initialKb <= BUDGET_KB;
const okTime = median(cold) < USABLE_MS;
console.log(`\n| bar | measured | limit | |`);
console.log('| --- | --- | --- | --- |');
console.log(`| initial JS | ${initialKb.toFixed(1)} KB gzip | ${BUDGET_KB} KB | ${okJs ? 'ok' : 'OVER'} |`);
console.log(
  `| usable (no cache, median) | ${median(cold).toFixed(0)} ms | ${USABLE_MS} ms | ${okTime ? 'ok' : 'OVER'} |`,
);
process.exit(okJs && okTime ? 0 : 1);
