/**
 * Time from `npm start` to the ready line, with a fresh LOCAL_DATA_DIR (tables created) and with
 * an existing one (restart), several runs each; prints a table and the medians.
 *
 *   node test/bench/start-time.ts [--runs 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../../lib/local/dynamodb-local.ts';
import { npmStart, npmStop } from '../fixtures/npm-start.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);

async function timeToReady(dataDir: string): Promise<number> {
  const started = await npmStart(await freePort(), dataDir);
  await npmStop(started.child);
  await new Promise((r) => setTimeout(r, 1000)); // let the stack finish stopping Java
  return started.readyMs;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fresh: number[] = [];
const restart: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-start-'));
  fresh.push(await timeToReady(dir));
  restart.push(await timeToReady(dir));
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nnpm start → "Local stack ready" (${runs} runs)\n`);
console.log('| run | fresh data dir (s) | existing data dir (s) |');
console.log('| --- | ------------------ | --------------------- |');
for (const [i, f] of fresh.entries()) {
  console.log(`| ${i + 1} | ${(f / 1000).toFixed(2)} | ${(restart[i]! / 1000).toFixed(2)} |`);
}
console.log(`| median | ${(median(fresh) / 1000).toFixed(2)} | ${(median(restart) / 1000).toFixed(2)} |`);
