/**
 * On AWS each function receives only the environment the CDK builder gives it. This test loads each
 * handler in a fresh Node process with exactly the variables of its Lambda function in the
 * synthesized template (values CloudFormation resolves at deploy time — table names, ARNs — become
 * placeholders): a module that needs a variable its function is not given fails here, not at its
 * first cold start.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pascal } from '../../lib/aws/names.ts';
import { blueprint, REPO_ROOT } from '../../lib/blueprint.ts';
import { synth } from '../infra/helpers.ts';

const { stateless } = synth(blueprint);
const lambdas = Object.entries(stateless.findResources('AWS::Lambda::Function'));

function awsEnvironment(fnId: string): Record<string, string> {
  const pattern = new RegExp(`^${pascal(fnId)}Function[0-9A-F]{8}$`);
  const found = lambdas.filter(([logicalId]) => pattern.test(logicalId));
  if (found.length !== 1) throw new Error(`${fnId}: ${found.length} Lambda functions in the template`);
  const variables = (found[0]![1].Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
  return {
    AWS_REGION: 'us-east-1',
    ...Object.fromEntries(
      Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : `resolved-at-deploy-${k}`]),
    ),
  };
}

describe('each function loads with only the environment the CDK builder gives it', () => {
  it.each(Object.keys(blueprint.functions))('%s', (fnId) => {
    const entry = join(REPO_ROOT, blueprint.functions[fnId]!.entry);
    const env = awsEnvironment(fnId);
    const run = () =>
      execFileSync(
        join(REPO_ROOT, 'node_modules/.bin/node'),
        ['--input-type=module', '-e', `await import(${JSON.stringify(entry)})`],
        {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '/tmp',
            // What the Lambda runtime adds; us-east-1 traces, so each module also loads with the Tracer on.
            AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
            LAMBDA_TASK_ROOT: '/var/task',
            ...env,
          },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
    expect(run).not.toThrow();
    // The blueprint's settings reach the function as the blueprint wrote them.
    for (const [k, v] of Object.entries(blueprint.functions[fnId]!.environment)) expect(env[k]).toBe(v);
  });
});
