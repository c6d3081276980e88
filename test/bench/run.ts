/**
 * `npm run bench`: runs every benchmark script in this folder in turn (each prints its own table).
 * Pass a name to run one: `npm run bench -- http-latency --path /health`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [only, ...rest] = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .filter((f) => !only || f === `${only}.ts`);
if (scripts.length === 0) {
  console.error(`no benchmark named '${only}'`);
  process.exit(2);
}
for (const script of scripts) {
  const res = spawnSync(process.execPath, [join(here, script), ...(only ? rest : [])], { stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}
