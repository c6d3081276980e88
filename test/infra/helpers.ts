import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type BuiltApp, buildAwsApp } from '../../lib/aws/app.ts';
import { REPO_ROOT } from '../../lib/blueprint.ts';
import type { Blueprint } from '../../schemas/blueprint.ts';
import type { DeploymentInput } from '../../schemas/deployment.ts';
import type { IdentitySettingsInput } from '../../schemas/identity.ts';

export interface Synthesized {
  app: App;
  built: BuiltApp;
  stateful: Template;
  stateless: Template;
  /** The stateless stack's nested stack of API routes, integrations and invoke permissions. */
  routes: Template;
}

/** The context `cdk synth` runs with (cdk.json: the feature flags), so tests synthesize what the CLI does. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

/**
 * Synthesizes a blueprint for a deployment (stage, account, region, identity, …: schemas/deployment.ts)
 * with bundling off (no esbuild per function) so infra tests stay fast.
 */
export function synth(blueprint: Blueprint, deployment: DeploymentInput = {}): Synthesized {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const built = buildAwsApp(app, blueprint, deployment);
  return {
    app,
    built,
    stateful: Template.fromStack(built.stateful),
    stateless: Template.fromStack(built.stateless),
    routes: Template.fromStack(built.stateless.routes),
  };
}

/** A department's own OpenID Connect provider (Keycloak-style realm), as a deployment would configure it. */
export const DEPARTMENT_OIDC: Extract<IdentitySettingsInput, { provider: 'oidc' }> = {
  provider: 'oidc',
  issuer: 'https://idp.jtgl.example.gov.cn/realms/staff',
  audience: ['tpm-admin-api'],
  clientId: 'tpm-staff-console',
  groupsClaim: 'groups',
  groups: {
    'tpm-editors': 'editor',
    'tpm-reviewers': 'reviewer',
    'tpm-duty': 'operator',
    'tpm-admins': 'admin',
  },
};
