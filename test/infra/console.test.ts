/**
 * The staff console on AWS (issue #16): S3 behind CloudFront (origin access control, HTTPS only,
 * security headers), config.json written by the CDK app, the API's CORS for the console's origin
 * only, Cognito's hosted sign-in where Cognito is the provider, and what CloudFront in China needs
 * (an ICP-filed domain and an IAM certificate, no OAC) — adapted or refused at synth time.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, CloudFormationValidatePlugin } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DeploymentError, resolveDeployment } from '../../lib/aws/deployment.ts';
import { blueprint } from '../../lib/blueprint.ts';
import type { DeploymentInput } from '../../schemas/deployment.ts';
import { DEPARTMENT_OIDC, synth } from './helpers.ts';

const CN_CONSOLE = { domainName: 'console.jtgl.example.gov.cn', iamCertificateId: 'ASCAEXAMPLE1234567890' };

function nagFindings(app: App): string[] {
  return new AwsSolutionsChecks(app)
    .validateScope(app)
    .violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
}

function cloudFormationViolations(app: App): string[] {
  const assembly = app.synth();
  const report = new CloudFormationValidatePlugin().validate({
    templatePaths: assembly.stacks.map((s) => s.templateFullPath),
    stackTemplates: assembly.stacks.map((s) => ({
      stackConstructPath: s.hierarchicalId,
      templatePath: s.templateFullPath,
      accountId: /^\d{12}$/.test(s.environment.account) ? s.environment.account : undefined,
      region: s.environment.region.startsWith('unknown') ? undefined : s.environment.region,
    })),
  } as unknown as Parameters<CloudFormationValidatePlugin['validate']>[0]);
  return report.violations.map((v) => `${v.ruleName} ${v.description}`);
}

describe('the console in aws (us-east-1, Cognito)', () => {
  const s = synth(blueprint, { region: 'us-east-1' });
  const content = Template.fromStack(s.built.console!);

  it('serves a private bucket through CloudFront with origin access control, HTTPS only', () => {
    s.stateless.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    s.stateless.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    s.stateless.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        Logging: Match.anyValue(),
      }),
    });
    // Only CloudFront (this distribution) may read the bucket.
    const policy = JSON.stringify(s.stateless.findResources('AWS::S3::BucketPolicy'));
    expect(policy).toContain('cloudfront.amazonaws.com');
    expect(policy).toContain('AWS:SourceArn');
  });

  it('adds the security headers, with the same CSP the local stack sends', () => {
    const [policy] = Object.values(s.stateless.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    const headers = policy!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('execute-api');
    expect(csp).toContain('cognito-idp');
    expect(headers.StrictTransportSecurity.AccessControlMaxAgeSec).toBe(31_536_000);
    expect(headers.FrameOptions.FrameOption).toBe('DENY');
    expect(headers.ContentTypeOptions.Override).toBe(true);
  });

  it('lets browsers call the API from the console’s origin only', () => {
    const api = Object.values(s.stateless.findResources('AWS::ApiGatewayV2::Api'))[0]!;
    const cors = api.Properties.CorsConfiguration;
    expect(cors.AllowOrigins).toHaveLength(1);
    expect(JSON.stringify(cors.AllowOrigins[0])).toMatch(/ConsoleDistribution.*DomainName/);
    expect(cors.AllowHeaders).toEqual(['authorization', 'content-type']);
  });

  it('signs in through Cognito’s hosted sign-in: a code-grant client with the console as callback, a domain, the authorizer accepts it', () => {
    s.stateless.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      GenerateSecret: false,
      CallbackURLs: [Match.objectLike({ 'Fn::Join': Match.anyValue() })],
    });
    s.stateless.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['traffic-police-messaging-prod-'])] }),
    });
    const authorizer = Object.values(s.stateless.findResources('AWS::ApiGatewayV2::Authorizer'))[0]!;
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Audience)).toContain('ConsoleSignInClient');
  });

  it('writes config.json with the API’s URL and the sign-in settings at deploy time', () => {
    const [deployment] = Object.values(content.findResources('Custom::CDKBucketDeployment'));
    const json = JSON.stringify(deployment!.Properties);
    expect(json).toContain('config.json');
    expect(json).toMatch(/HttpApi/); // the API endpoint, resolved at deploy
    expect(json).toContain('ConsoleSignInClient'); // the console's client id
    // The rest of config.json is in its asset, beside the build.
    const out = s.app.synth().directory;
    const configs = readdirSync(out)
      .filter((d) => d.startsWith('asset.') && existsSync(join(out, d, 'config.json')))
      .map((d) => JSON.parse(readFileSync(join(out, d, 'config.json'), 'utf8')));
    expect(configs).toHaveLength(1);
    expect(configs[0]).toMatchObject({
      signIn: { groupsClaim: 'cognito:groups', scopes: ['openid', 'profile', 'email'] },
      groups: { editor: ['editor'], reviewer: ['reviewer'], operator: ['operator'], admin: ['admin'] },
      stage: 'prod',
      servedCities: ['beijing', 'tianjin', 'xian'],
    });
    const stack = s.built.console!;
    expect(stack.dependencies.map((d) => d.stackName)).toContain(s.built.stateless.stackName);
  });

  it('is cdk-nag clean and CloudFormation-valid, with no CDK warning', () => {
    expect(nagFindings(s.app)).toEqual([]);
    expect(cloudFormationViolations(s.app)).toEqual([]);
    for (const stack of [s.built.stateless, s.built.console!])
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('outputs where the console is', () => {
    s.stateless.hasOutput('StaffConsoleUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
  });
});

describe('the console in aws-cn', () => {
  it('is not hosted without an ICP-filed domain, and the output says what to configure', () => {
    const s = synth(blueprint, { region: 'cn-north-1', identity: DEPARTMENT_OIDC });
    expect(s.built.console).toBeUndefined();
    s.stateless.resourceCountIs('AWS::CloudFront::Distribution', 0);
    const api = Object.values(s.stateless.findResources('AWS::ApiGatewayV2::Api'))[0]!;
    expect(api.Properties.CorsConfiguration).toBeUndefined();
    const url = s.stateless.findOutputs('StaffConsoleUrl').StaffConsoleUrl!.Value as string;
    expect(url).toMatch(/not hosted: CloudFront in cn-north-1 .*ICP-filed alternate domain.*-c console=/);
  });

  it('with the domain and an IAM certificate: served on it, through an origin access identity, valid in the region', () => {
    const s = synth(blueprint, { region: 'cn-north-1', identity: DEPARTMENT_OIDC, console: CN_CONSOLE });
    const [d] = Object.values(s.stateless.findResources('AWS::CloudFront::Distribution'));
    expect(d!.Properties.DistributionConfig.Aliases).toEqual([CN_CONSOLE.domainName]);
    expect(d!.Properties.DistributionConfig.ViewerCertificate).toEqual({
      IamCertificateId: CN_CONSOLE.iamCertificateId,
      SslSupportMethod: 'sni-only',
      MinimumProtocolVersion: 'TLSv1.2_2021',
    });
    s.stateless.resourceCountIs('AWS::CloudFront::OriginAccessControl', 0);
    s.stateless.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 1);
    s.stateless.resourceCountIs('AWS::Cognito::UserPoolClient', 0); // the department's issuer signs staff in
    const csp = JSON.stringify(s.stateless.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    expect(csp).toContain('https://idp.jtgl.example.gov.cn');
    const api = Object.values(s.stateless.findResources('AWS::ApiGatewayV2::Api'))[0]!;
    expect(api.Properties.CorsConfiguration.AllowOrigins).toEqual([`https://${CN_CONSOLE.domainName}`]);
    expect(nagFindings(s.app)).toEqual([]);
    expect(cloudFormationViolations(s.app)).toEqual([]);
  });

  it('refuses what CloudFront there cannot do, saying what to give instead', () => {
    const refusal = (d: DeploymentInput) => {
      try {
        resolveDeployment(d, blueprint);
      } catch (e) {
        if (e instanceof DeploymentError) return e.message;
        throw e;
      }
      return 'accepted';
    };
    expect(
      refusal({
        region: 'cn-north-1',
        identity: DEPARTMENT_OIDC,
        console: {
          domainName: CN_CONSOLE.domainName,
          certificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/abc-123',
        },
      }),
    ).toMatch(/does not take ACM certificates.*iamCertificateId/);
    expect(
      refusal({
        region: 'cn-north-1',
        identity: DEPARTMENT_OIDC,
        console: { domainName: CN_CONSOLE.domainName },
      }),
    ).toMatch(/needs its certificate \(iamCertificateId/);
    expect(refusal({ region: 'us-east-1', console: { domainName: 'console.example.org' } })).toMatch(
      /needs its certificate \(certificateArn, ACM in us-east-1/,
    );
    expect(
      refusal({ region: 'us-east-1', console: { iamCertificateId: CN_CONSOLE.iamCertificateId } }),
    ).toMatch(/console.domainName: a certificate needs the domain/);
    expect(refusal({ region: 'cn-north-1', identity: DEPARTMENT_OIDC, console: { enabled: false } })).toBe(
      'accepted',
    );
  });
});
