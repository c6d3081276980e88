/**
 * On AWS each function receives only the environment its blueprint entry implies; the local stack
 * runs every function in one process with every variable set, so it cannot notice a handler that
 * needs a table it was not granted. This test loads each handler in a fresh Node process with
 * exactly the CDK builder's variables: a module that needs more fails here, not at its first cold start.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blueprint, REPO_ROOT } from '../../lib/blueprint.ts';
import { envNames } from '../../schemas/resource-env.ts';

function awsEnvironment(fnId: string): Record<string, string> {
  const def = blueprint.functions[fnId]!;
  const env: Record<string, string> = {
    [envNames.service]: blueprint.service,
    POWERTOOLS_METRICS_NAMESPACE: blueprint.service,
    STAGE: 'prod',
    AWS_REGION: 'us-east-1',
    ...def.environment,
  };
  for (const t of Object.keys(def.tables)) env[envNames.table(t)] = `table-${t}`;
  for (const t of def.publishes) env[envNames.topic(t)] = `arn:aws:sns:us-east-1:000000000000:${t}`;
  for (const s of def.secrets)
    env[envNames.secret(s)] = `arn:aws:secretsmanager:us-east-1:000000000000:secret:${s}`;
  if (def.putsEvents) env[envNames.eventBus] = 'bus';
  for (const [g, access] of Object.entries(def.scheduleGroups)) {
    const names = envNames.scheduleGroup(g);
    env[names.name] = `group-${g}`;
    if (access === 'manage') {
      env[names.target] = `arn:aws:lambda:us-east-1:000000000000:function:${g}`;
      env[names.role] = `arn:aws:iam::000000000000:role/${g}`;
      env[names.deadLetterQueue] = `arn:aws:sqs:us-east-1:000000000000:${g}-dlq`;
    }
  }
  return env;
}

describe('each function loads with only the environment the CDK builder gives it', () => {
  it.each(Object.keys(blueprint.functions))('%s', (fnId) => {
    const entry = join(REPO_ROOT, blueprint.functions[fnId]!.entry);
    const run = () =>
      execFileSync(
        join(REPO_ROOT, 'node_modules/.bin/node'),
        ['--input-type=module', '-e', `await import(${JSON.stringify(entry)})`],
        {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '/tmp',
            POWERTOOLS_TRACE_ENABLED: 'false',
            ...awsEnvironment(fnId),
          },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
    expect(run).not.toThrow();
  });
});
