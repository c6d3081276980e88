/**
 * What must outlive any deployment: the customer-managed key, the tables (PITR, deletion
 * protection, RETAIN), the topics, the on-call topic, the event bus and staff sign-in: a Cognito
 * user pool where the deployment chooses Cognito (and the region has it), otherwise nothing here but
 * the external OIDC issuer's settings. Built from the blueprint and the deployment; the stateless
 * stack receives these as props.
 */
import {
  type CfnElement,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Tags,
  Validations,
} from 'aws-cdk-lib';
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
import { ManagedPolicy, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, EventType, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Blueprint, BucketDef, TableDef } from '../../schemas/blueprint.ts';
import type { StaffSignIn } from '../../schemas/identity.ts';
import { awsBucketName } from '../../schemas/resource-env.ts';
import type { Deployment } from './deployment.ts';
import { pascal } from './names.ts';

export interface StatefulStackProps extends StackProps {
  readonly blueprint: Blueprint;
  readonly deployment: Deployment;
}

export class StatefulStack extends Stack {
  readonly key: Key;
  readonly stage: string;
  readonly tables: Record<string, Table> = {};
  readonly buckets: Record<string, Bucket> = {};
  /** Each bucket's name, exported under a name of our own: the functions' grants name it (cdk-nag). */
  readonly bucketExports: Record<string, string> = {};
  readonly topics: Record<string, Topic> = {};
  readonly alarmTopic: Topic;
  readonly secrets: Record<string, Secret> = {};
  readonly eventBus: EventBus;
  /**
   * The queues buckets notify (with their dead-letter queues), made here with their bucket: S3's
   * notification configuration names its queue, so a queue in the stateless stack would make the
   * two stacks depend on each other. The stateless stack adds the consumer and the alarms.
   */
  readonly bucketQueues: Record<string, { queue: Queue; dlq: Queue }> = {};
  /** Only where the deployment's identity provider is Cognito. */
  readonly userPool?: UserPool;
  readonly adminClient?: UserPoolClient;
  /** What the JWT authorizer checks and a sign-in client needs (Cognito's values resolve at deploy). */
  readonly staffSignIn: StaffSignIn;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    const { blueprint, deployment, ...stackProps } = props;
    super(scope, id, { ...stackProps, terminationProtection: stackProps.terminationProtection ?? true });
    this.stage = deployment.stage;

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
    // Drop buckets (`notifies`) are made below, with their queue.
    for (const [bucketId, def] of Object.entries(blueprint.buckets)) {
      if (!def.notifies) this.buckets[bucketId] = this.bucket(bucketId, def, accessLogs!);
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

    // One access-log bucket serves both kinds (made above).
    const dropBuckets = Object.entries(blueprint.buckets).flatMap(([bucketId, def]) =>
      def.notifies ? [[bucketId, { ...def, notifies: def.notifies }] as const] : [],
    );
    for (const [bucketId, def] of dropBuckets) {
      const queueDef = blueprint.queues[def.notifies]!;
      this.buckets[bucketId] = this.dropBucket(bucketId, def, accessLogs!);
      const dlq = new Queue(this, `${pascal(def.notifies)}QueueDlq`, {
        retentionPeriod: Duration.days(14),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      const queue = new Queue(this, `${pascal(def.notifies)}Queue`, {
        visibilityTimeout: Duration.seconds(queueDef.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(queueDef.retentionDays),
        // SQS-managed keys: S3 can send to the queue without a grant on the data key.
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: { queue: dlq, maxReceiveCount: queueDef.maxReceives },
      });
      Tags.of(queue).add('blueprint-queue', def.notifies);
      this.buckets[bucketId].addEventNotification(
        EventType.OBJECT_CREATED,
        new SqsDestination(queue),
        ...(def.suffix ? [{ prefix: 'drops/', suffix: def.suffix }] : [{ prefix: 'drops/' }]),
      );
      this.bucketQueues[def.notifies] = { queue, dlq };
    }
    // CDK's singleton that applies bucket notifications (a custom resource's function).
    const notifications = this.node.tryFindChild(
      'BucketNotificationsHandler050a0587b7544547bf325f094a3db834',
    );
    if (notifications)
      Validations.of(notifications).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'CDK’s bucket-notification custom resource writes its own logs with the basic execution role; it runs once per deploy.',
      });

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
   * A bucket others drop objects into: the data key, TLS only, no public access or ACLs, access logs,
   * objects expiring after `expireDays`; a managed policy the dropping principal is given (PutObject
   * under drops/ only), output with the bucket's name.
   */
  private dropBucket(bucketId: string, def: BucketDef, accessLogs: Bucket): Bucket {
    const bucket = new Bucket(this, `${pascal(bucketId)}Bucket`, {
      bucketName: awsBucketName(bucketId, this.stage, this.account, this.region),
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: `${bucketId}/`,
      lifecycleRules: [{ expiration: Duration.days(def.expireDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Tags.of(bucket).add('blueprint-bucket', bucketId);
    const writer = new ManagedPolicy(this, `${pascal(bucketId)}WriterPolicy`, {
      description: `Drop objects into ${bucketId} (drops/ only): attach to the principal that delivers them`,
      statements: [
        new PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('drops/*')] }),
        new PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Encrypt'],
          resources: [this.key.keyArn],
        }),
      ],
    });
    Validations.of(writer).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(bucket.node.defaultChild as CfnElement)}.Arn>/drops/*]`,
      reason:
        'The dropping principal names its objects (one per night); the grant is limited to the drops/ prefix.',
    });
    new CfnOutput(this, `${pascal(bucketId)}BucketName`, {
      value: bucket.bucketName,
      description: `${def.description}`.slice(0, 1000),
    });
    new CfnOutput(this, `${pascal(bucketId)}WriterPolicyArn`, {
      value: writer.managedPolicyArn,
      description: `Attach to the principal that drops objects into ${bucketId} (PutObject under drops/)`,
    });
    return bucket;
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
