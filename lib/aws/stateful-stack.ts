/**
 * What must outlive any deployment: the customer-managed key, the tables (PITR, deletion
 * protection, RETAIN), the topics, the on-call topic, the event bus and staff sign-in: a Cognito
 * user pool where the deployment chooses Cognito (and the region has it), otherwise nothing here but
 * the external OIDC issuer's settings. Built from the blueprint and the deployment; the stateless
 * stack receives these as props.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  UserPool,
  type UserPoolClient,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { Blueprint, BucketDef, TableDef } from '../../schemas/blueprint.ts';
import type { StaffSignIn } from '../../schemas/identity.ts';
import type { Deployment } from './deployment.ts';
import { pascal } from './names.ts';

export interface StatefulStackProps extends StackProps {
  readonly blueprint: Blueprint;
  readonly deployment: Deployment;
}

export class StatefulStack extends Stack {
  readonly key: Key;
  readonly tables: Record<string, Table> = {};
  readonly buckets: Record<string, Bucket> = {};
  /** Each bucket's name, exported under a name of our own: the functions' grants name it (cdk-nag). */
  readonly bucketExports: Record<string, string> = {};
  readonly topics: Record<string, Topic> = {};
  readonly alarmTopic: Topic;
  readonly secrets: Record<string, Secret> = {};
  readonly eventBus: EventBus;
  /** Only where the deployment's identity provider is Cognito. */
  readonly userPool?: UserPool;
  readonly adminClient?: UserPoolClient;
  /** What the JWT authorizer checks and a sign-in client needs (Cognito's values resolve at deploy). */
  readonly staffSignIn: StaffSignIn;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    const { blueprint, deployment, ...stackProps } = props;
    super(scope, id, { ...stackProps, terminationProtection: stackProps.terminationProtection ?? true });

    this.key = new Key(this, 'DataKey', {
      description: `${blueprint.service}: tables and topics`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms publish to the encrypted alarm topic.
    this.key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');

    for (const [tableId, def] of Object.entries(blueprint.tables)) {
      this.tables[tableId] = this.table(tableId, def);
    }
    const bucketIds = Object.keys(blueprint.buckets);
    // Where S3 writes the buckets' access logs (cdk-nag S1): one bucket for all, logs kept 90 days.
    const accessLogs = bucketIds.length
      ? new Bucket(this, 'BucketAccessLogs', {
          encryption: BucketEncryption.S3_MANAGED,
          enforceSSL: true,
          blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
          objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
          lifecycleRules: [{ expiration: Duration.days(90) }],
          removalPolicy: RemovalPolicy.RETAIN,
        })
      : undefined;
    if (accessLogs)
      Validations.of(accessLogs).acknowledge({
        id: 'AwsSolutions-S1',
        reason: 'This bucket holds the other buckets’ server access logs; logging it into itself would loop.',
      });
    for (const [bucketId, def] of Object.entries(blueprint.buckets)) {
      this.buckets[bucketId] = this.bucket(bucketId, def, accessLogs!);
    }
    for (const [topicId, def] of Object.entries(blueprint.topics)) {
      this.topics[topicId] = new Topic(this, `${pascal(topicId)}Topic`, {
        displayName: def.description.slice(0, 100),
        masterKey: this.key,
        enforceSSL: true,
      });
      Tags.of(this.topics[topicId]).add('blueprint-topic', topicId);
    }
    // The one on-call topic: every alarm of the deployment publishes here (stateless stack).
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: `${blueprint.service} ${deployment.stage}: on-call alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    if (deployment.onCall) {
      new Subscription(this, 'OnCallSubscription', {
        topic: this.alarmTopic,
        protocol: {
          email: SubscriptionProtocol.EMAIL,
          sms: SubscriptionProtocol.SMS,
          https: SubscriptionProtocol.HTTPS,
        }[deployment.onCall.protocol],
        endpoint: deployment.onCall.endpoint,
      });
    }
    new CfnOutput(this, 'OnCallTopicArn', {
      value: this.alarmTopic.topicArn,
      description:
        'Every alarm of this stage publishes here: subscribe the duty officers (email, SMS, HTTPS)',
    });

    for (const [secretId, def] of Object.entries(blueprint.secrets)) {
      const secret = new Secret(this, `${pascal(secretId)}Secret`, {
        description: def.description,
        encryptionKey: this.key,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Holds third-party credentials (WeChat AppSecret/Token/EncodingAESKey) that are rotated in the provider console; operators update the secret then (README, key rotation).',
      });
      this.secrets[secretId] = secret;
      // The name is generated per stack (so per stage); operators find the secret by this output.
      new CfnOutput(this, `${pascal(secretId)}SecretArn`, {
        value: secret.secretArn,
        description: `Secret ${secretId}: ${def.description}`.slice(0, 1000),
      });
    }

    this.eventBus = new EventBus(this, 'EventBus', { description: `${blueprint.service} domain events` });

    const { identity } = deployment;
    if (identity.provider === 'cognito') {
      const userPool = new UserPool(this, 'AdminUsers', {
        selfSignUpEnabled: false,
        signInAliases: { email: true, username: true },
        mfa: Mfa.REQUIRED,
        mfaSecondFactor: { otp: true, sms: false },
        passwordPolicy: {
          minLength: 12,
          requireDigits: true,
          requireLowercase: true,
          requireUppercase: true,
          requireSymbols: true,
          tempPasswordValidity: Duration.days(3),
        },
        featurePlan: FeaturePlan.PLUS,
        accountRecovery: AccountRecovery.EMAIL_ONLY,
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // One group per mapped group name; `cognito:groups` carries them (schemas/identity.ts).
      for (const [group, roles] of Object.entries(identity.groups)) {
        new UserPoolGroup(this, `${pascal(group)}Group`, {
          userPool,
          groupName: group,
          description: `Admin API role${roles.length > 1 ? 's' : ''} ${roles.map((r) => `'${r}'`).join(', ')}`,
        });
      }
      const client = userPool.addClient('AdminConsole', {
        authFlows: { userSrp: true },
        generateSecret: false,
        accessTokenValidity: Duration.hours(1),
        idTokenValidity: Duration.hours(1),
        preventUserExistenceErrors: true,
      });
      this.userPool = userPool;
      this.adminClient = client;
      this.staffSignIn = {
        issuer: `https://cognito-idp.${this.region}.${this.urlSuffix}/${userPool.userPoolId}`,
        clientId: client.userPoolClientId,
        audience: [client.userPoolClientId],
        groupsClaim: 'cognito:groups',
      };
    } else {
      this.staffSignIn = {
        issuer: identity.issuer,
        clientId: identity.clientId,
        audience: identity.audience,
        groupsClaim: identity.groupsClaim,
      };
    }
    // The staff console's runtime sign-in settings (schemas/identity.ts StaffSignIn): nothing secret.
    new CfnOutput(this, 'StaffSignIn', {
      value: this.toJsonString(this.staffSignIn),
      description: 'Staff sign-in (OIDC issuer, client id, audience, groups claim) for the staff console',
    });
  }

  /**
   * A private bucket under the data key, TLS only, whose objects expire after `expireDays` (the
   * retention of what it holds) and whose unfinished uploads are cleaned after a day; RETAINed.
   */
  private bucket(bucketId: string, def: BucketDef, accessLogs: Bucket): Bucket {
    const bucket = new Bucket(this, `${pascal(bucketId)}Bucket`, {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      lifecycleRules: [
        {
          id: 'retention',
          expiration: Duration.days(def.expireDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: `${bucketId}/`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Tags.of(bucket).add('blueprint-bucket', bucketId);
    this.bucketExports[bucketId] = `${this.stackName}-${pascal(bucketId)}Bucket`;
    new CfnOutput(this, `${pascal(bucketId)}BucketName`, {
      value: bucket.bucketName,
      exportName: this.bucketExports[bucketId],
      description: `The ${bucketId} bucket (objects expire after ${def.expireDays} days)`,
    });
    return bucket;
  }

  private table(tableId: string, def: TableDef): Table {
    const table = new Table(this, `${pascal(tableId)}Table`, {
      partitionKey: { name: def.partitionKey, type: AttributeType.STRING },
      ...(def.sortKey ? { sortKey: { name: def.sortKey, type: AttributeType.STRING } } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(def.ttlAttribute ? { timeToLiveAttribute: def.ttlAttribute } : {}),
      ...(def.stream
        ? {
            stream: def.stream === 'new-image' ? StreamViewType.NEW_IMAGE : StreamViewType.NEW_AND_OLD_IMAGES,
          }
        : {}),
    });
    for (const ix of def.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: ix.name,
        partitionKey: { name: ix.partitionKey, type: AttributeType.STRING },
        ...(ix.sortKey ? { sortKey: { name: ix.sortKey, type: AttributeType.STRING } } : {}),
        ...(ix.projection === 'all'
          ? { projectionType: ProjectionType.ALL }
          : ix.projection === 'keys-only'
            ? { projectionType: ProjectionType.KEYS_ONLY }
            : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: ix.projection }),
      });
    }
    return table;
  }
}
