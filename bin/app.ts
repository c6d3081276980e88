#!/usr/bin/env node
/**
 * CDK app: `npx cdk synth` / `npx cdk deploy --all`. Stacks come from lib/blueprint.ts; the
 * deployment (stage, region and partition, staff identity provider, SMS gateway, on-call endpoint)
 * from CDK context, validated by schemas/deployment.ts (README "Deploying to AWS"). cdk-nag's
 * AwsSolutions checks run on every synth and fail it on any unacknowledged finding.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildAwsApp } from '../lib/aws/app.ts';
import { DeploymentError, deploymentFromContext } from '../lib/aws/deployment.ts';
import { blueprint, REPO_ROOT } from '../lib/blueprint.ts';
import { ensureConsoleBuilt } from '../lib/console.ts';

// The staff console's build is part of the app (S3 + CloudFront): built here when its sources changed.
ensureConsoleBuilt(REPO_ROOT, (line) => console.error(line));
const app = new App();
try {
  buildAwsApp(
    app,
    blueprint,
    deploymentFromContext((key) => app.node.tryGetContext(key)),
  );
} catch (error) {
  if (!(error instanceof DeploymentError)) throw error;
  console.error(error.message);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
