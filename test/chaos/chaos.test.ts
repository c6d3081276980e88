/**
 * The chaos suite at the size CI can afford (`npm run chaos -- --followers 600` is the full one):
 * every push scenario against the local stack as a child process — kill -9 and restart, WeChat's
 * faults, transient token errors, poison recipients, worker exceptions, duplicate segments, quota
 * exhaustion, lost bundles and the sweep — and nobody receives twice, every planned follower has a
 * recorded outcome. (The input cases are test/e2e/hostile-input.test.ts and test/e2e/fuzz.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { pushTable, runChaos, violations } from './suite.ts';

describe('the chaos suite (20 followers a scenario)', () => {
  it('nobody twice, nobody without a recorded outcome, in every scenario', async () => {
    const result = await runChaos({ followers: 20, inputs: false });
    console.log(pushTable(result.pushes));
    expect(result.pushes.length).toBeGreaterThanOrEqual(9);
    for (const row of result.pushes) expect(row.audience, row.scenario).toBeGreaterThanOrEqual(20);
    expect(violations(result)).toEqual([]);
    // The kill -9 happened mid-run and the run still ended with everyone accounted for.
    const crash = result.pushes.find((r) => r.scenario.startsWith('kill -9'))!;
    expect(crash.run).toMatch(/^completed/);
    expect(result.pushes.find((r) => r.scenario.startsWith('quota'))!.run).toMatch(/^aborted/);
  }, 600_000);
});
