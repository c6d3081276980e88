/**
 * The staff console's content (where the deployment hosts the console): the build and its runtime
 * config.json (API URL, issuer, client id: console/src/config.ts) copied into the console bucket
 * at deploy time by the CDK's BucketDeployment, then an invalidation. Its own stack, after the
 * stateless one (it needs the API's URL, which the console's origin — the API's CORS — cannot wait
 * for), so the stateless stack's functions stay exactly the blueprint's.
 */
import { existsSync } from 'node:fs';
import { Fn, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import { Distribution } from 'aws-cdk-lib/aws-cloudfront';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import type { ConsoleSite } from './console-site.ts';

export interface ConsoleStackProps extends StackProps {
  site: ConsoleSite;
  /** The built console (console/dist). */
  dist: string;
  /** config.json; may hold deploy-time values (the API's URL, the console's client id). */
  config: Record<string, unknown>;
}

export class ConsoleStack extends Stack {
  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    if (!existsSync(props.dist))
      throw new Error(
        `${props.dist} is missing: run \`npm run console:build\` (bin/app.ts builds it before synth)`,
      );
    // Through a named export, so the deployment function's grant names the bucket as the acknowledgement does.
    const bucket = Bucket.fromBucketName(this, 'Files', Fn.importValue(props.site.bucketExport));
    this.addStackDependency(Stack.of(props.site));
    const distribution = Distribution.fromDistributionAttributes(this, 'Distribution', {
      distributionId: props.site.distribution.distributionId,
      domainName: props.site.distribution.distributionDomainName,
    });
    new BucketDeployment(this, 'Content', {
      destinationBucket: bucket,
      sources: [Source.asset(props.dist), Source.jsonData('config.json', props.config)],
      distribution,
      distributionPaths: ['/index.html', '/config.json'],
      prune: false, // earlier hashed assets stay, so tabs still open on the previous build keep loading pages
      memoryLimit: 256,
    });
    this.acknowledgeDeploymentFunction(props.site.bucketExport);
  }

  /** The CDK's own deployment function (one per stack): its role, policy and runtime are aws-cdk-lib's. */
  private acknowledgeDeploymentFunction(bucketExport: string) {
    const known = (v: string, token: string) => (Token.isUnresolved(v) ? token : v);
    const partition = known(this.partition, '<AWS::Partition>');
    const account = known(this.account, '<AWS::AccountId>');
    const region = known(this.region, '<AWS::Region>');
    const findings: Array<[string, string]> = [
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'The CDK BucketDeployment handler writes its own logs with the AWS managed basic execution policy.',
      ],
      ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map(
        (a): [string, string] => [
          `AwsSolutions-IAM5[Action::${a}]`,
          'The CDK BucketDeployment handler copies the build from the CDK asset bucket into the console bucket (its grants).',
        ],
      ),
      [
        `AwsSolutions-IAM5[Resource::arn:${partition}:s3:::cdk-hnb659fds-assets-${account}-${region}/*]`,
        'Reads the build’s asset from the CDK bootstrap asset bucket, objects only.',
      ],
      [
        `AwsSolutions-IAM5[Resource::arn:${partition}:s3:::${bucketExport}/*]`,
        'Writes the build into the console bucket, objects only.',
      ],
      [
        'AwsSolutions-IAM5[Resource::*]',
        'cloudfront:CreateInvalidation, which takes no resource-level permission in the CDK handler’s grant.',
      ],
      [
        'AwsSolutions-L1',
        'The CDK BucketDeployment handler’s runtime is pinned by aws-cdk-lib and upgraded with it.',
      ],
    ];
    for (const child of this.node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment')))
      for (const [id, reason] of findings) Validations.of(child).acknowledge({ id, reason });
  }
}
