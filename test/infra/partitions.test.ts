/**
 * Issue #14: one app for both partitions, any OIDC identity provider, stages that coexist.
 * Each synthesis runs with cdk.json's feature flags (helpers.ts), as `cdk synth` does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource, CloudFormationValidatePlugin, Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DeploymentError, deploymentFromContext, resolveDeployment } from '../../lib/aws/deployment.ts';
import { blueprint, blueprintInput, defineBlueprint, REPO_ROOT } from '../../lib/blueprint.ts';
import type { DeploymentInput } from '../../schemas/deployment.ts';
import { DEFAULT_IDENTITY_CLAIMS, StaffSignInSchema } from '../../schemas/identity.ts';
import { CDK_JSON_CONTEXT, DEPARTMENT_OIDC, type Synthesized, synth } from './helpers.ts';

const TARGETS: Array<[string, DeploymentInput]> = [
  ['us-east-1', { region: 'us-east-1' }],
  ['cn-north-1', { region: 'cn-north-1', identity: DEPARTMENT_OIDC }],
  ['cn-northwest-1', { region: 'cn-northwest-1', identity: DEPARTMENT_OIDC, smsProvider: 'aliyun' }],
];
const built = new Map(TARGETS.map(([region, d]) => [region, synth(blueprint, d)]));
const templates = (s: Synthesized): Template[] => [s.stateful, s.stateless, s.routes];
/** The blueprint's functions (not the CDK's own custom-resource handlers). */
const blueprintFunctions = (t: Template) =>
  Object.values(t.findResources('AWS::Lambda::Function')).filter(
    (f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === blueprint.service,
  );
const resourceTypes = (t: Template) =>
  Object.values(t.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type);

/** CloudFormation's own validation (the CDK's built-in rules, per region) of every synthesized stack. */
function cloudFormationViolations(app: App) {
  const assembly = app.synth();
  const report = new CloudFormationValidatePlugin().validate({
    templatePaths: assembly.stacks.map((s) => s.templateFullPath),
    stackTemplates: assembly.stacks.map((s) => ({
      stackConstructPath: s.hierarchicalId,
      templatePath: s.templateFullPath,
      // The assembly spells an unknown account or region `unknown-…`; the validator wants it absent.
      accountId: /^\d{12}$/.test(s.environment.account) ? s.environment.account : undefined,
      region: s.environment.region.startsWith('unknown') ? undefined : s.environment.region,
    })),
  } as unknown as Parameters<CloudFormationValidatePlugin['validate']>[0]);
  return report.violations.map((v) => `${v.ruleName} ${v.description}`);
}

describe.each(TARGETS)('synthesis for %s', (region) => {
  const s = built.get(region)!;

  it('targets the region and its partition', () => {
    expect(s.built.stateful.region).toBe(region);
    expect(s.built.deployment.partition).toBe(region.startsWith('cn-') ? 'aws-cn' : 'aws');
  });

  it('gets no CloudFormation validation finding (no resource type the region lacks) and no CDK warning', () => {
    // A nested stack's annotations are the parent's (the routes are checked with the stateless stack).
    expect(cloudFormationViolations(s.app)).toEqual([]);
    for (const stack of [s.built.stateful, s.built.stateless]) {
      const annotations = Annotations.fromStack(stack);
      expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    }
  });

  it('is cdk-nag (AwsSolutions) clean', () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.app);
    expect(
      report.violations.map(
        (v) =>
          `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId ?? r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
  });

  if (region.startsWith('cn-')) {
    it('has no literal arn:aws: ARN, no Cognito, no X-Ray and no SNS SMS', () => {
      for (const t of templates(s)) {
        expect(JSON.stringify(t.toJSON())).not.toMatch(/arn:aws:/);
        expect(resourceTypes(t).filter((type) => type.startsWith('AWS::Cognito::'))).toEqual([]);
      }
      for (const fn of blueprintFunctions(s.stateless)) {
        expect(fn.Properties.TracingConfig?.Mode).not.toBe('Active');
        expect(fn.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED).toBe('false');
        expect(fn.Properties.Environment.Variables.SMS_PROVIDER ?? 'none').not.toBe('sns');
      }
      expect(JSON.stringify(s.stateless.toJSON())).not.toContain('xray:');
      // ARNs the app builds itself carry the partition.
      expect(JSON.stringify(s.stateless.toJSON())).toContain(`arn:aws-cn:scheduler:${region}:`);
    });
  }
});

describe('the CloudFormation validation the synth relies on is live', () => {
  it('reports a Cognito user pool in cn-north-1 (and cdk.json turns it into a synth error)', () => {
    expect(CDK_JSON_CONTEXT['@aws-cdk/core:validateAgainstDefaultRules']).toBe(true);
    const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': false } });
    const stack = new Stack(app, 'Bare', { env: { region: 'cn-north-1' } });
    new CfnResource(stack, 'Pool', { type: 'AWS::Cognito::UserPool', properties: {} });
    expect(cloudFormationViolations(app).join('\n')).toMatch(/F3006.*AWS::Cognito::UserPool.*cn-north-1/);
  });
});

describe('staff sign-in through any OIDC issuer', () => {
  for (const region of ['us-east-1', 'cn-north-1']) {
    it(`in ${region}: the authorizer carries the issuer and audience, no Cognito resource exists, functions get the claim mapping`, () => {
      const s = synth(blueprint, { region, identity: DEPARTMENT_OIDC });
      s.stateless.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: { Issuer: DEPARTMENT_OIDC.issuer, Audience: ['tpm-admin-api'] },
      });
      for (const t of templates(s))
        expect(resourceTypes(t).filter((type) => type.startsWith('AWS::Cognito::'))).toEqual([]);
      const fns = s.stateless.findResources('AWS::Lambda::Function');
      const envOf = (prefix: string) =>
        Object.entries(fns).find(([id]) => id.startsWith(prefix))![1].Properties.Environment.Variables;
      expect(envOf('ManageNotices').AUTH_GROUPS_CLAIM).toBe('groups');
      expect(JSON.parse(envOf('ManageNotices').AUTH_GROUP_ROLES)).toEqual({
        'tpm-editors': ['editor'],
        'tpm-reviewers': ['reviewer'],
        'tpm-duty': ['operator'],
        'tpm-admins': ['admin'],
      });
      expect(envOf('ReceiveWechat').AUTH_GROUPS_CLAIM).toBeUndefined(); // no admin route
      // The console's runtime sign-in settings, as a stack output in the StaffSignIn shape.
      const signIn = Object.values(s.stateful.findOutputs('StaffSignIn'))[0]!.Value as string;
      expect(StaffSignInSchema.parse(JSON.parse(signIn))).toEqual({
        issuer: DEPARTMENT_OIDC.issuer,
        clientId: 'tpm-staff-console',
        audience: ['tpm-admin-api'],
        groupsClaim: 'groups',
      });
    });
  }

  it('with Cognito (the default where it exists): the pool issuer, its client as audience, groups from the mapping', () => {
    const s = built.get('us-east-1')!;
    const authorizer = Object.values(s.stateless.findResources('AWS::ApiGatewayV2::Authorizer'))[0]!;
    const issuer = JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer);
    expect(issuer).toContain('https://cognito-idp.us-east-1.');
    expect(issuer).toContain('AdminUsers');
    const fns = s.stateless.findResources('AWS::Lambda::Function');
    const env = Object.entries(fns).find(([id]) => id.startsWith('ManagePushes'))![1].Properties.Environment
      .Variables;
    expect(env.AUTH_GROUPS_CLAIM).toBe('cognito:groups');
    expect(JSON.parse(env.AUTH_GROUP_ROLES)).toEqual(DEFAULT_IDENTITY_CLAIMS.groups);
  });
});

describe('refused at synth time, with what to configure instead', () => {
  const refusal = (d: DeploymentInput, bp = blueprint) => {
    try {
      resolveDeployment(d, bp);
    } catch (error) {
      expect(error).toBeInstanceOf(DeploymentError);
      return (error as Error).message;
    }
    throw new Error('not refused');
  };

  it('SNS SMS in aws-cn, whether the deployment or the blueprint chooses it', () => {
    const message = refusal({ region: 'cn-north-1', identity: DEPARTMENT_OIDC, smsProvider: 'sns' });
    expect(message).toMatch(/Amazon SNS has no SMS in cn-north-1 \(partition aws-cn\)/);
    expect(message).toMatch(/-c smsProvider=tencent or -c smsProvider=aliyun/);
    const input = structuredClone(blueprintInput) as typeof blueprintInput;
    for (const fn of Object.values(input.functions) as Array<{ environment?: Record<string, string> }>)
      if (fn.environment?.SMS_PROVIDER) fn.environment.SMS_PROVIDER = 'sns';
    expect(refusal({ region: 'cn-northwest-1', identity: DEPARTMENT_OIDC }, defineBlueprint(input))).toMatch(
      /SMS_PROVIDER=sns cannot send from deliver-sms, .*receive-sms, .*send-driver-code/,
    );
    // …and a domestic gateway overrides the blueprint's choice there.
    expect(() =>
      resolveDeployment(
        { region: 'cn-northwest-1', identity: DEPARTMENT_OIDC, smsProvider: 'tencent' },
        defineBlueprint(input),
      ),
    ).not.toThrow();
    // SNS SMS stays possible where it exists.
    expect(() => resolveDeployment({ region: 'us-east-1', smsProvider: 'sns' }, blueprint)).not.toThrow();
  });

  it('Cognito where user pools do not exist, chosen or by default', () => {
    expect(refusal({ region: 'cn-north-1' })).toMatch(
      /Cognito user pools do not exist in cn-north-1 .*-c identity='\{"provider":"oidc","issuer"/,
    );
    expect(refusal({ region: 'cn-northwest-1', identity: { provider: 'cognito' } })).toMatch(
      /identity.provider=cognito, but Amazon Cognito user pools do not exist in cn-northwest-1/,
    );
  });

  it('an on-call SMS endpoint in aws-cn, partitions other than aws and aws-cn, and malformed settings', () => {
    expect(
      refusal({
        region: 'cn-north-1',
        identity: DEPARTMENT_OIDC,
        onCall: { protocol: 'sms', endpoint: '+8613800138000' },
      }),
    ).toMatch(/On-call: Amazon SNS cannot deliver SMS in cn-north-1.*"protocol":"email"/);
    expect(refusal({ region: 'us-gov-west-1' })).toMatch(/partition aws-us-gov/);
    expect(refusal({ stage: 'Prod-1' })).toMatch(/stage: a stage is 1–16 lowercase letters/);
    expect(
      refusal({ region: 'cn-north-1', identity: { ...DEPARTMENT_OIDC, groups: { 'tpm admins': 'admin' } } }),
    ).toMatch(/identity.groups.tpm admins: .*whitespace/);
    expect(
      refusal({
        identity: { ...DEPARTMENT_OIDC, issuer: 'http://idp.example.cn' },
      }),
    ).toMatch(/identity.issuer/);
    expect(
      refusal({
        region: 'cn-north-1',
        identity: DEPARTMENT_OIDC,
        availabilityZones: ['us-east-1a', 'us-east-1b'],
      }),
    ).toMatch(/not zones of cn-north-1/);
  });

  it('reads the settings from CDK context: JSON for objects, the CLI-set account and region as fallback', () => {
    const context: Record<string, unknown> = {
      stage: 'staging',
      region: 'cn-north-1',
      identity: JSON.stringify(DEPARTMENT_OIDC),
      onCall: '{"protocol":"email","endpoint":"duty@jtgl.example.gov.cn"}',
    };
    const input = deploymentFromContext((k) => context[k], {
      CDK_DEFAULT_REGION: 'us-east-1',
      CDK_DEFAULT_ACCOUNT: '111122223333',
    });
    expect(input).toMatchObject({ stage: 'staging', region: 'cn-north-1', account: '111122223333' });
    expect(resolveDeployment(input, blueprint).identity).toMatchObject({
      provider: 'oidc',
      groupsClaim: 'groups',
    });
    expect(() => deploymentFromContext((k) => (k === 'identity' ? '{oops' : undefined), {})).toThrow(
      /not JSON/,
    );
    expect(deploymentFromContext(() => undefined, {})).toEqual({});
  });
});

/** The property holding the physical name of each resource type the app creates (null: none, or scoped to a parent). */
const PHYSICAL_NAME: Record<string, string | null> = {
  'AWS::ApiGatewayV2::Api': 'Name',
  'AWS::ApiGatewayV2::Authorizer': null, // named within its API
  'AWS::ApiGatewayV2::Integration': null,
  'AWS::ApiGatewayV2::Route': null,
  'AWS::ApiGatewayV2::Stage': null, // $default, within its API
  'AWS::CDK::Metadata': null,
  'AWS::CloudFormation::Stack': null, // nested: named after its parent stack
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
  'AWS::Cognito::UserPool': 'UserPoolName',
  'AWS::Cognito::UserPoolClient': null, // within its pool
  'AWS::Cognito::UserPoolGroup': null, // within its pool
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::EC2::EIP': null,
  'AWS::EC2::FlowLog': null,
  'AWS::EC2::InternetGateway': null,
  'AWS::EC2::NatGateway': null,
  'AWS::EC2::Route': null,
  'AWS::EC2::RouteTable': null,
  'AWS::EC2::SecurityGroup': 'GroupName',
  'AWS::EC2::Subnet': null,
  'AWS::EC2::SubnetRouteTableAssociation': null,
  'AWS::EC2::VPC': null,
  'AWS::EC2::VPCEndpoint': null,
  'AWS::EC2::VPCGatewayAttachment': null,
  'AWS::Events::EventBus': 'Name',
  'AWS::IAM::Policy': null, // inline, within its role
  'AWS::IAM::Role': 'RoleName',
  'AWS::KMS::Key': null,
  'AWS::Lambda::EventSourceMapping': null,
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Lambda::Permission': null,
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::S3::BucketPolicy': null, // within its bucket
  'AWS::SNS::Subscription': null,
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SNS::TopicPolicy': null,
  'AWS::SQS::Queue': 'QueueName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'Custom::S3BucketNotifications': null,
  'AWS::SQS::QueuePolicy': null,
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::Scheduler::ScheduleGroup': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
  'Custom::VpcRestrictDefaultSG': null, // CDK: removes the default security group's rules
};

/** Every name an account-and-region scope holds for this synthesis: stacks, resources' names, exports. */
function physicalNames(s: Synthesized): string[] {
  const names = [s.built.stateful.stackName, s.built.stateless.stackName];
  for (const [stack, t] of [
    [s.built.stateful, s.stateful],
    [s.built.stateless, s.stateless],
    [s.built.stateless.routes, s.routes],
  ] as const) {
    const json = t.toJSON() as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
      Outputs?: Record<string, { Export?: { Name: unknown } }>;
    };
    for (const [logicalId, r] of Object.entries(json.Resources)) {
      expect(PHYSICAL_NAME, `${r.Type} needs a physical-name entry`).toHaveProperty([r.Type]);
      const property = PHYSICAL_NAME[r.Type];
      const value = property ? r.Properties?.[property] : undefined;
      // An unset name is generated by CloudFormation from the (stage-named) stack: unique.
      if (value !== undefined) names.push(`${r.Type} ${JSON.stringify(stack.resolve(value))} (${logicalId})`);
    }
    for (const output of Object.values(json.Outputs ?? {}))
      if (output.Export) names.push(`export ${JSON.stringify(stack.resolve(output.Export.Name))}`);
  }
  return names;
}

describe('stages that coexist in one account and region', () => {
  const where = {
    account: '111122223333',
    region: 'cn-north-1',
    availabilityZones: ['cn-north-1a', 'cn-north-1b'],
  };
  const prod = synth(blueprint, { ...where, stage: 'prod', identity: DEPARTMENT_OIDC });
  const staging = synth(blueprint, { ...where, stage: 'staging', identity: DEPARTMENT_OIDC });

  it('share no physical name (stacks, schedule groups, API, dashboard, exports, anything named)', () => {
    const strip = (n: string) => n.replace(/ \([A-Za-z0-9]+\)$/, '');
    const a = physicalNames(prod).map(strip);
    const b = new Set(physicalNames(staging).map(strip));
    expect(a.length).toBeGreaterThan(5);
    expect(a.filter((n) => b.has(n))).toEqual([]);
    expect(a).toContainEqual('AWS::Scheduler::ScheduleGroup "traffic-police-messaging-prod-notice-publish"');
    expect([...b]).toContainEqual(
      'AWS::Scheduler::ScheduleGroup "traffic-police-messaging-staging-notice-publish"',
    );
  });

  it('synthesize for a known account offline (the zones come from -c availabilityZones)', () => {
    for (const s of [prod, staging]) {
      // Nothing left for the CLI to look up in the account (which would need credentials).
      expect(s.app.synth().manifest.missing ?? []).toEqual([]);
      for (const stack of [s.built.stateful, s.built.stateless])
        expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    }
    expect(JSON.stringify(prod.stateless.toJSON())).toContain('"AvailabilityZone":"cn-north-1b"');
  });

  it('name each stage into what it reports (STAGE, stack names)', () => {
    expect(staging.built.stateful.stackName).toBe('TrafficPoliceMessagingStagingStateful');
    for (const fn of blueprintFunctions(staging.stateless))
      expect(fn.Properties.Environment.Variables.STAGE).toBe('staging');
  });
});

describe('the code base', () => {
  it('has no literal arn:aws: in lib/aws (every ARN takes the stack partition)', () => {
    const dir = join(REPO_ROOT, 'lib/aws');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')))
      expect(readFileSync(join(dir, file), 'utf8'), file).not.toMatch(/arn:aws:/);
  });
});
