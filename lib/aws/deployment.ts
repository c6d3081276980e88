/**
 * Where and how one deployment runs, resolved before any construct exists: the stage, the CDK
 * environment (account, region) and so the partition, the staff identity provider, the SMS gateway
 * and the on-call endpoint, all validated by schemas/deployment.ts. What the target region does not
 * offer is refused here, at synth time, with what to configure instead; what the app merely uses
 * where it exists (X-Ray tracing of Lambda functions) is left out where it does not.
 *
 * Facts (docs.amazonaws.cn "Getting Started with Amazon Web Services in China", per service):
 *   - Amazon Cognito user pools are not available in the China regions (Cognito there is identity
 *     pools, Beijing only); CloudFormation has no AWS::Cognito::UserPool* types there.
 *   - Amazon SNS in Beijing and Ningxia has no SMS messaging (nor mobile push).
 *   - AWS X-Ray integration with Lambda functions is not available in the China regions.
 *   - The SQS dead-letter-queue redrive (move messages) feature is not supported there
 *     (docs/runbooks/dead-letters.md says what to do instead).
 *   - Amazon CloudFront there cannot serve content on its default *.cloudfront.cn domain: only on an
 *     alternate domain name with an ICP recordal, over HTTPS with a certificate imported into IAM
 *     (CloudFront in the China regions does not support ACM). The staff console is hosted there only
 *     when both are configured (-c console=…); otherwise it is left out and the StaffConsoleUrl
 *     output says why. CloudFormation there has no AWS::CloudFront::OriginAccessControl (the CDK's
 *     template validation says so), so the bucket is read through an origin access identity.
 * Every other resource type the app synthesizes exists in cn-north-1 and cn-northwest-1; the CDK's
 * own template validation (feature flag @aws-cdk/core:validateAgainstDefaultRules, cdk.json) fails
 * the synth for any resource type a region lacks, and test/infra/partitions.test.ts checks it.
 */
import type { Environment } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { Blueprint } from '../../schemas/blueprint.ts';
import {
  type DeploymentInput,
  DeploymentSchema,
  type DeploymentSettings,
  type OnCall,
} from '../../schemas/deployment.ts';
import { DEFAULT_IDENTITY_CLAIMS, type IdentitySettings } from '../../schemas/identity.ts';
import type { SmsProvider } from '../../schemas/sms.ts';

export class DeploymentError extends Error {
  override name = 'DeploymentError';
}

export type Partition = 'aws' | 'aws-cn';

/** What a partition offers of what this app would use. */
export interface PartitionFeatures {
  cognitoUserPools: boolean;
  snsSms: boolean;
  lambdaXRay: boolean;
  sqsDeadLetterRedrive: boolean;
  /** CloudFront serves content on the distribution's own domain (not in China: an ICP-filed CNAME only). */
  cloudFrontDefaultDomain: boolean;
  /** CloudFront takes ACM certificates (us-east-1); in China, certificates imported into IAM only. */
  cloudFrontAcm: boolean;
  /** CloudFront origin access control (AWS::CloudFront::OriginAccessControl); China: origin access identities. */
  cloudFrontOriginAccessControl: boolean;
}

export const PARTITION_FEATURES: Readonly<Record<Partition, PartitionFeatures>> = {
  aws: {
    cognitoUserPools: true,
    snsSms: true,
    lambdaXRay: true,
    sqsDeadLetterRedrive: true,
    cloudFrontDefaultDomain: true,
    cloudFrontAcm: true,
    cloudFrontOriginAccessControl: true,
  },
  'aws-cn': {
    cognitoUserPools: false,
    snsSms: false,
    lambdaXRay: false,
    sqsDeadLetterRedrive: false,
    cloudFrontDefaultDomain: false,
    cloudFrontAcm: false,
    cloudFrontOriginAccessControl: false,
  },
};

/** Where the staff console is served, or why it is not. */
export type ConsoleHosting =
  | {
      hosted: true;
      domainName?: string;
      certificate?: { kind: 'acm'; arn: string } | { kind: 'iam'; id: string };
    }
  | { hosted: false; reason: string };

export interface Deployment {
  readonly stage: string;
  /** The CDK environment; an unset account or region leaves the template to resolve it at deploy time. */
  readonly env: Environment;
  /** `aws` when no region is given (the template then uses AWS::Partition, but Cognito is assumed). */
  readonly partition: Partition;
  readonly features: PartitionFeatures;
  readonly identity: IdentitySettings;
  /** Only set when the deployment overrides the blueprint's SMS_PROVIDER. */
  readonly smsProvider?: SmsProvider;
  readonly onCall?: OnCall;
  readonly availabilityZones?: string[];
  readonly console: ConsoleHosting;
}

const where = (region: string | undefined, partition: Partition) =>
  region ? `${region} (partition ${partition})` : `partition ${partition}`;

const OIDC_EXAMPLE =
  `-c identity='{"provider":"oidc","issuer":"https://<your issuer>","audience":["<audience>"],` +
  `"clientId":"<staff console client id>","groupsClaim":"groups","groups":{"<group>":"admin"}}'`;

/** The SMS_PROVIDER each function will run with: the deployment's override, else the blueprint's. */
export function effectiveSmsProviders(blueprint: Blueprint, override?: SmsProvider): Map<string, string> {
  const providers = new Map<string, string>();
  for (const [fnId, def] of Object.entries(blueprint.functions)) {
    const own = def.environment.SMS_PROVIDER;
    if (own !== undefined) providers.set(fnId, override ?? own);
  }
  return providers;
}

/** A function's environment with the deployment's overrides applied (only to variables it already has). */
export function deployedEnvironment(
  environment: Record<string, string>,
  deployment: Deployment,
): Record<string, string> {
  if (deployment.smsProvider === undefined || environment.SMS_PROVIDER === undefined) return environment;
  return { ...environment, SMS_PROVIDER: deployment.smsProvider };
}

/** Validates the settings and refuses what the target region lacks; throws DeploymentError saying what to do. */
export function resolveDeployment(input: DeploymentInput, blueprint: Blueprint): Deployment {
  const parsed = DeploymentSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
    );
    throw new DeploymentError(`invalid deployment settings (CDK context):\n  - ${problems.join('\n  - ')}`);
  }
  const settings: DeploymentSettings = parsed.data;
  const { region } = settings;

  let partition: Partition = 'aws';
  if (region) {
    const known = RegionInfo.get(region).partition;
    if (known === undefined)
      throw new DeploymentError(`region '${region}' is not a region this CDK version knows; check -c region`);
    if (known !== 'aws' && known !== 'aws-cn')
      throw new DeploymentError(
        `region '${region}' is in partition ${known}; this app deploys to the aws and aws-cn partitions only`,
      );
    partition = known;
  }
  const features = PARTITION_FEATURES[partition];
  const problems: string[] = [];

  if (settings.availabilityZones) {
    if (!region) problems.push('availabilityZones needs a region (-c region=…)');
    else {
      const foreign = settings.availabilityZones.filter((az) => !az.startsWith(region));
      if (foreign.length) problems.push(`availabilityZones ${foreign.join(', ')} are not zones of ${region}`);
    }
  }

  let identity = settings.identity;
  if (!identity) {
    if (features.cognitoUserPools) identity = { provider: 'cognito', groups: DEFAULT_IDENTITY_CLAIMS.groups };
    else
      problems.push(
        `Staff sign-in: Amazon Cognito user pools do not exist in ${where(region, partition)}, so there is no ` +
          `default identity provider. Configure the department's OpenID Connect provider: ${OIDC_EXAMPLE}`,
      );
  } else if (identity.provider === 'cognito' && !features.cognitoUserPools) {
    problems.push(
      `Staff sign-in: identity.provider=cognito, but Amazon Cognito user pools do not exist in ` +
        `${where(region, partition)}. Configure the department's OpenID Connect provider instead: ${OIDC_EXAMPLE}`,
    );
  }

  if (!features.snsSms) {
    const sns = [...effectiveSmsProviders(blueprint, settings.smsProvider)]
      .filter(([, p]) => p === 'sns')
      .map(([fnId]) => fnId);
    if (sns.length)
      problems.push(
        `SMS: Amazon SNS has no SMS in ${where(region, partition)}, so SMS_PROVIDER=sns cannot send from ` +
          `${sns.join(', ')}. Send through a domestic gateway: -c smsProvider=tencent or -c smsProvider=aliyun, ` +
          `with that gateway's credentials in the sms-gateway secret.`,
      );
    if (settings.onCall?.protocol === 'sms')
      problems.push(
        `On-call: Amazon SNS cannot deliver SMS in ${where(region, partition)}. Subscribe an email address ` +
          `(-c onCall='{"protocol":"email","endpoint":"duty@…"}') or a paging gateway over HTTPS ` +
          `(-c onCall='{"protocol":"https","endpoint":"https://…"}').`,
      );
  }

  const consoleHosting = resolveConsole(settings, features, region, partition, problems);

  if (problems.length || !identity)
    throw new DeploymentError(`cannot deploy as configured:\n  - ${problems.join('\n  - ')}`);

  return {
    stage: settings.stage,
    env: {
      ...(settings.account ? { account: settings.account } : {}),
      ...(region ? { region } : {}),
    },
    partition,
    features,
    identity,
    ...(settings.smsProvider ? { smsProvider: settings.smsProvider } : {}),
    ...(settings.onCall ? { onCall: settings.onCall } : {}),
    ...(settings.availabilityZones ? { availabilityZones: settings.availabilityZones } : {}),
    console: consoleHosting,
  };
}

const CONSOLE_CN_EXAMPLE = `-c console='{"domainName":"console.<your ICP-filed domain>","iamCertificateId":"<IAM server certificate id>"}'`;

/** The console's hosting, adapted to what CloudFront offers in the partition; problems are refusals. */
function resolveConsole(
  settings: DeploymentSettings,
  features: PartitionFeatures,
  region: string | undefined,
  partition: Partition,
  problems: string[],
): ConsoleHosting {
  const c = settings.console;
  if (c && !c.enabled) return { hosted: false, reason: 'not hosted: -c console={"enabled":false}' };
  if (!features.cloudFrontAcm && c?.certificateArn)
    problems.push(
      `Staff console: CloudFront in ${where(region, partition)} does not take ACM certificates. Import the ` +
        `certificate for ${c.domainName} into IAM and give its id: ${CONSOLE_CN_EXAMPLE}`,
    );
  if (features.cloudFrontAcm && c?.iamCertificateId)
    problems.push(
      `Staff console: give an ACM certificate in us-east-1 (certificateArn) for ${c.domainName} in ${where(region, partition)}.`,
    );
  if (c?.domainName && !c.certificateArn && !c.iamCertificateId)
    problems.push(
      `Staff console: ${c.domainName} needs its certificate (${features.cloudFrontAcm ? 'certificateArn, ACM in us-east-1' : 'iamCertificateId, imported into IAM'}) to be served over HTTPS.`,
    );
  if (!features.cloudFrontDefaultDomain && !c?.domainName)
    return {
      hosted: false,
      reason:
        `not hosted: CloudFront in ${where(region, partition)} serves no content on its default *.cloudfront.cn ` +
        `domain; it needs an ICP-filed alternate domain and a certificate imported into IAM: ${CONSOLE_CN_EXAMPLE}`,
    };
  if (!c?.domainName) return { hosted: true };
  return {
    hosted: true,
    domainName: c.domainName,
    ...(c.certificateArn
      ? { certificate: { kind: 'acm' as const, arn: c.certificateArn } }
      : c.iamCertificateId
        ? { certificate: { kind: 'iam' as const, id: c.iamCertificateId } }
        : {}),
  };
}

/** Context keys whose values are objects or lists: JSON text on the command line, values in cdk.json. */
const STRUCTURED_KEYS = ['identity', 'onCall', 'availabilityZones', 'console'] as const;
const SCALAR_KEYS = ['stage', 'account', 'region', 'smsProvider'] as const;

/**
 * The deployment settings from CDK context (`-c key=value`, cdk.json, cdk.context.json). The account
 * and region fall back to CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION, which the CDK CLI sets from the
 * AWS profile (so `-c region=cn-north-1` is how to target China from a machine whose profile is not
 * a China one).
 */
export function deploymentFromContext(
  context: (key: string) => unknown,
  env: Record<string, string | undefined> = process.env,
): DeploymentInput {
  const input: Record<string, unknown> = {};
  for (const key of SCALAR_KEYS) {
    const value = context(key);
    if (value !== undefined) input[key] = value;
  }
  for (const key of STRUCTURED_KEYS) {
    const value = context(key);
    if (value === undefined) continue;
    if (typeof value !== 'string') input[key] = value;
    else {
      try {
        input[key] = JSON.parse(value);
      } catch {
        throw new DeploymentError(`-c ${key}=… is not JSON: ${value}`);
      }
    }
  }
  input.account ??= env.CDK_DEFAULT_ACCOUNT;
  input.region ??= env.CDK_DEFAULT_REGION;
  if (input.account === undefined) delete input.account;
  if (input.region === undefined) delete input.region;
  return input as DeploymentInput;
}
