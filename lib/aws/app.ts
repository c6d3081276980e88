/**
 * The CDK builder's entry: a blueprint and a deployment's settings in, the two stacks out.
 * `bin/app.ts` calls it with the real blueprint and the settings from CDK context; tests call it
 * with fixture blueprints and settings. The settings are resolved (and refused, where the region
 * lacks what they ask for) before any construct is created: lib/aws/deployment.ts.
 */
import type { App } from 'aws-cdk-lib';
import type { Blueprint } from '../../schemas/blueprint.ts';
import type { DeploymentInput } from '../../schemas/deployment.ts';
import { type Deployment, resolveDeployment } from './deployment.ts';
import { pascal } from './names.ts';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

export interface BuiltApp {
  deployment: Deployment;
  stateful: StatefulStack;
  stateless: StatelessStack;
}

export function buildAwsApp(app: App, blueprint: Blueprint, settings: DeploymentInput = {}): BuiltApp {
  const deployment = resolveDeployment(settings, blueprint);
  const { account, region } = deployment.env;
  if (deployment.availabilityZones && account && region) {
    // What the CDK's availability-zone lookup would cache (cdk.context.json): no AWS call at synth.
    const key = `availability-zones:account=${account}:region=${region}`;
    if (app.node.tryGetContext(key) === undefined) app.node.setContext(key, deployment.availabilityZones);
  }
  // The stage is part of every stack name, so stages never share a stack (nor, below, any name).
  const prefix = `${pascal(blueprint.service)}${pascal(deployment.stage)}`;
  const stateful = new StatefulStack(app, `${prefix}Stateful`, {
    blueprint,
    deployment,
    description: `${blueprint.service} (${deployment.stage}): tables, key, topics, event bus, staff sign-in (RETAIN)`,
    env: deployment.env,
  });
  const stateless = new StatelessStack(app, `${prefix}Stateless`, {
    blueprint,
    deployment,
    stateful,
    description: `${blueprint.service} (${deployment.stage}): API, functions, queues, schedules, dashboard`,
    env: deployment.env,
  });
  return { deployment, stateful, stateless };
}
