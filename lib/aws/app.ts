/**
 * The CDK builder's entry: a blueprint in, the two stacks out. `bin/app.ts` calls it with the real
 * blueprint; tests call it with fixture blueprints.
 */
import type { App, Environment } from 'aws-cdk-lib';
import type { Blueprint } from '../../schemas/blueprint.ts';
import { pascal } from './names.ts';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

export interface BuiltApp {
  stateful: StatefulStack;
  stateless: StatelessStack;
}

export function buildAwsApp(
  app: App,
  blueprint: Blueprint,
  options: { stage?: string; env?: Environment } = {},
): BuiltApp {
  const prefix = `${pascal(blueprint.service)}${pascal(options.stage ?? '')}`;
  const stateful = new StatefulStack(app, `${prefix}Stateful`, {
    blueprint,
    description: `${blueprint.service}: tables, key, topics, event bus, admin users (RETAIN)`,
    ...(options.env ? { env: options.env } : {}),
  });
  const stateless = new StatelessStack(app, `${prefix}Stateless`, {
    blueprint,
    stateful,
    ...(options.stage ? { stage: options.stage } : {}),
    description: `${blueprint.service}: API, functions, queues, schedules`,
    ...(options.env ? { env: options.env } : {}),
  });
  return { stateful, stateless };
}
