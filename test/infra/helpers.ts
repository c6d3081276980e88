import { App, type Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type BuiltApp, buildAwsApp } from '../../lib/aws/app.ts';
import type { Blueprint } from '../../schemas/blueprint.ts';

export interface Synthesized {
  app: App;
  built: BuiltApp;
  stateful: Template;
  stateless: Template;
}

/** Synthesizes a blueprint with bundling off (no esbuild per function) so infra tests stay fast. */
export function synth(blueprint: Blueprint, env?: Environment): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const built = buildAwsApp(app, blueprint, env ? { env } : {});
  return {
    app,
    built,
    stateful: Template.fromStack(built.stateful),
    stateless: Template.fromStack(built.stateless),
  };
}
