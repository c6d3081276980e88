#!/usr/bin/env node
/**
 * `npm run chaos [-- --followers 600] [--only kill]` — the chaos suite (test/chaos/suite.ts): starts
 * the local stack as a child process on a loopback port in 5100–5199 with a temporary data folder,
 * runs every scenario on its own followers, prints the push table (audience, sent, received twice,
 * received none with and without a recorded outcome) and the input table (requests, 5xx), and exits
 * 1 if anyone received twice, anyone was left without an outcome, or any input got a 5xx.
 */
import { parseArgs } from 'node:util';
import { inputTable, pushTable, runChaos, violations } from './suite.ts';

const { values } = parseArgs({
  options: {
    followers: { type: 'string', default: '100' },
    only: { type: 'string' },
    'time-scale': { type: 'string', default: '0.05' },
  },
});
const followers = Number(values.followers);
if (!Number.isInteger(followers) || followers < 1 || followers > 5000) {
  console.error('--followers is a whole number from 1 to 5000');
  process.exit(2);
}
const began = performance.now();
const result = await runChaos({
  followers,
  timeScale: Number(values['time-scale']),
  ...(values.only ? { only: values.only.split(',') } : {}),
  log: (line) => console.error(line),
});
console.log(
  `\nChaos suite, ${followers} followers a scenario (${((performance.now() - began) / 1000).toFixed(0)} s)\n`,
);
console.log(pushTable(result.pushes));
if (result.inputs.length) console.log(`\n${inputTable(result.inputs)}`);
const broken = violations(result);
if (broken.length) {
  console.log(`\nVIOLATED:\n- ${broken.join('\n- ')}`);
  process.exit(1);
}
console.log(
  '\nNobody received twice, every planned follower has a recorded outcome, no input was answered 5xx.',
);
