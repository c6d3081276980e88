#!/usr/bin/env node
/**
 * CDK app: `npx cdk synth` / `npx cdk deploy --all`. Stacks come from lib/blueprint.ts; cdk-nag's
 * AwsSolutions checks run on every synth and fail it on any unacknowledged finding.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildAwsApp } from '../lib/aws/app.ts';
import { blueprint } from '../lib/blueprint.ts';

const app = new App();
const stage = app.node.tryGetContext('stage') as string | undefined;
buildAwsApp(app, blueprint, {
  ...(stage ? { stage } : {}),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
