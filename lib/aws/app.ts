/**
 * The CDK builder's entry: a blueprint and a deployment's settings in, the two stacks out.
 * `bin/app.ts` calls it with the real blueprint and the settings from CDK context; tests call it
 * with fixture blueprints and settings. The settings are resolved (and refused, where the region
 * lacks what they ask for) before any construct is created: lib/aws/deployment.ts.
 */
import type { App } from 'aws-cdk-lib';
import type { Blueprint } from '../../schemas/blueprint.ts';
import type { DeploymentInput } from '../../schemas/deployment.ts';
import { REPO_ROOT } from '../blueprint.ts';
import { consoleDist } from '../console.ts';
import { ConsoleStack } from './console-stack.ts';
import { type Deployment, resolveDeployment } from './deployment.ts';
import { pascal } from './names.ts';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

export interface BuiltApp {
  deployment: Deployment;
  stateful: StatefulStack;
  stateless: StatelessStack;
  /** The console's content (build + config.json), where the deployment hosts the console. */
  console?: ConsoleStack;
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
  const site = stateless.consoleSite;
  if (!site) return { deployment, stateful, stateless };
  const { identity } = deployment;
  const servedCities = Object.values(blueprint.functions)
    .map((f) => f.environment.SERVED_CITIES)
    .find((c) => c !== undefined);
  const consoleStack = new ConsoleStack(app, `${prefix}Console`, {
    site,
    dist: consoleDist(REPO_ROOT),
    // console/src/config.ts: what the build reads at run time.
    config: {
      apiUrl: stateless.api.apiEndpoint,
      signIn: {
        ...stateful.staffSignIn,
        ...(site.cognitoClient
          ? { clientId: site.cognitoClient.userPoolClientId, audience: [site.cognitoClient.userPoolClientId] }
          : {}),
        scopes: identity.provider === 'cognito' ? ['openid', 'profile', 'email'] : ['openid', 'profile'],
      },
      groups: identity.groups,
      stage: deployment.stage,
      servedCities: servedCities ? servedCities.split(',') : [],
    },
    description: `${blueprint.service} (${deployment.stage}): the staff console's build and config.json`,
    env: deployment.env,
  });
  return { deployment, stateful, stateless, console: consoleStack };
}
