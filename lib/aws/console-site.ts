/**
 * The staff console on AWS, in the stateless stack (everything here can be rebuilt by a redeploy):
 *  - a private S3 bucket, read only by CloudFront (origin access control; an origin access identity
 *    where CloudFront has no OAC, aws-cn), with access logs;
 *  - the distribution: HTTPS only, the security headers the local stack sends too (lib/console.ts),
 *    the deployment's own domain and certificate where given (required in aws-cn: ICP, IAM certificate);
 *  - (ConsoleContent, its own stack: the CDK's deployment function is no blueprint function) the
 *    build and its runtime config.json (the API's URL, the issuer, the client id), written by the
 *    CDK app at deploy time, then an invalidation;
 *  - where staff sign in with Cognito: the console's app client (authorization code + PKCE, no
 *    secret, this distribution as its only callback) and the user pool's hosted sign-in domain.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  type CfnDistribution,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  type IUserPool,
  OAuthScope,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { contentSecurityPolicy } from '../console.ts';
import type { ConsoleHosting } from './deployment.ts';

export interface ConsoleSiteProps {
  hosting: Extract<ConsoleHosting, { hosted: true }>;
  /** Origin access control where CloudFront has it; an origin access identity otherwise (aws-cn). */
  originAccessControl: boolean;
  /** Origins the console calls besides its own: the API, the issuer (discovery, token endpoint). */
  connectSrc: string[];
  /** Cognito: the pool whose hosted sign-in the console uses, and the prefix of its sign-in domain. */
  cognito?: { userPool: IUserPool; domainPrefix: string };
}

export class ConsoleSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** https://<domain>, no trailing slash: the console's origin (CORS); with "/", its sign-in callback. */
  readonly origin: string;
  /** The console's Cognito app client (where Cognito is the identity provider). */
  readonly cognitoClient?: UserPoolClient;
  /** The export that names the bucket for the content stack (lib/aws/console-stack.ts). */
  readonly bucketExport: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const { hosting } = props;
    const logs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED, // CloudFront standard logs are written with an ACL
      lifecycleRules: [{ expiration: Duration.days(180) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket of the console bucket and distribution; logging it would recurse.',
    });
    this.bucket = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 's3/',
      removalPolicy: RemovalPolicy.DESTROY, // only the build: the next deploy writes it again
    });
    this.bucketExport = `${Stack.of(this).stackName}-ConsoleBucket`;
    new CfnOutput(this, 'BucketName', {
      value: this.bucket.bucketName,
      exportName: this.bucketExport,
      description: 'The staff console’s bucket (the console stack copies the build into it)',
    });
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Staff console: CSP, HSTS, no framing, no sniffing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy(props.connectSrc),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });
    const acm = hosting.certificate?.kind === 'acm' ? hosting.certificate.arn : undefined;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Staff console',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: props.originAccessControl
          ? S3BucketOrigin.withOriginAccessControl(this.bucket)
          : S3BucketOrigin.withOriginAccessIdentity(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      priceClass: PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      ...(hosting.domainName && acm
        ? {
            domainNames: [hosting.domainName],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', acm),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    if (hosting.domainName && hosting.certificate?.kind === 'iam') {
      // CloudFront in China: the ICP-filed alternate domain, with the certificate imported into IAM.
      const cfn = this.distribution.node.defaultChild as CfnDistribution;
      cfn.addPropertyOverride('DistributionConfig.Aliases', [hosting.domainName]);
      cfn.addPropertyOverride('DistributionConfig.ViewerCertificate', {
        IamCertificateId: hosting.certificate.id,
        SslSupportMethod: 'sni-only',
        MinimumProtocolVersion: 'TLSv1.2_2021',
      });
    }
    const ack = (rule: string, reason: string) =>
      Validations.of(this.distribution).acknowledge({ id: rule, reason });
    if (!acm)
      ack(
        'AwsSolutions-CFR4',
        hosting.domainName
          ? 'The IAM certificate and its TLSv1.2_2021 policy are set as a property override (CloudFront in China takes no ACM certificate), which the check does not read.'
          : 'Served on the distribution’s own *.cloudfront.net name, whose certificate CloudFront fixes; -c console={"domainName","certificateArn"} gives TLS 1.2 only.',
      );
    if (!props.originAccessControl)
      ack(
        'AwsSolutions-CFR7',
        'CloudFront in the China regions has no origin access control: the private bucket is read through an origin access identity.',
      );
    ack(
      'AwsSolutions-CFR1',
      'Staff sign in from wherever they are on duty; who may use the console is decided by the identity provider, not by geography.',
    );
    ack(
      'AwsSolutions-CFR2',
      'Static files only (no server code, no personal data); every request for data goes to the API, which authorizes it. A WAF web ACL may be attached by the department.',
    );
    this.origin = `https://${hosting.domainName ?? this.distribution.distributionDomainName}`;

    if (props.cognito) {
      const callback = `${this.origin}/`;
      this.cognitoClient = new UserPoolClient(this, 'SignInClient', {
        userPool: props.cognito.userPool,
        generateSecret: false,
        authFlows: {},
        accessTokenValidity: Duration.hours(1),
        idTokenValidity: Duration.hours(1),
        preventUserExistenceErrors: true,
        supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
        oAuth: {
          flows: { authorizationCodeGrant: true },
          scopes: [OAuthScope.OPENID, OAuthScope.PROFILE, OAuthScope.EMAIL],
          callbackUrls: [callback],
          logoutUrls: [callback],
        },
      });
      new UserPoolDomain(this, 'SignInDomain', {
        userPool: props.cognito.userPool,
        cognitoDomain: { domainPrefix: props.cognito.domainPrefix },
      });
    }
  }
}
