/**
 * What must outlive any deployment: the customer-managed key, the tables (PITR, deletion
 * protection, RETAIN), the topics, the event bus and the admin user pool. Built from the blueprint;
 * the stateless stack receives these as props.
 */
import { Duration, RemovalPolicy, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
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
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { Blueprint, TableDef } from '../../schemas/blueprint.ts';
import { pascal } from './names.ts';

/** Roles of the admin API, as Cognito groups (`cognito:groups` claim). */
export const ADMIN_GROUPS = ['editor', 'reviewer', 'operator', 'admin'] as const;

export interface StatefulStackProps extends StackProps {
  readonly blueprint: Blueprint;
}

export class StatefulStack extends Stack {
  readonly key: Key;
  readonly tables: Record<string, Table> = {};
  readonly topics: Record<string, Topic> = {};
  readonly alarmTopic: Topic;
  readonly secrets: Record<string, Secret> = {};
  readonly eventBus: EventBus;
  readonly userPool: UserPool;
  readonly adminClient: UserPoolClient;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, { ...props, terminationProtection: props.terminationProtection ?? true });
    const { blueprint } = props;

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
    for (const [topicId, def] of Object.entries(blueprint.topics)) {
      this.topics[topicId] = new Topic(this, `${pascal(topicId)}Topic`, {
        displayName: def.description.slice(0, 100),
        masterKey: this.key,
        enforceSSL: true,
      });
      Tags.of(this.topics[topicId]).add('blueprint-topic', topicId);
    }
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'Operational alarms: dead-letter queues, quotas, unknown calendars',
      masterKey: this.key,
      enforceSSL: true,
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
    }

    this.eventBus = new EventBus(this, 'EventBus', { description: `${blueprint.service} domain events` });

    this.userPool = new UserPool(this, 'AdminUsers', {
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
    for (const group of ADMIN_GROUPS) {
      new UserPoolGroup(this, `${pascal(group)}Group`, {
        userPool: this.userPool,
        groupName: group,
        description: `Admin API role '${group}'`,
      });
    }
    this.adminClient = this.userPool.addClient('AdminConsole', {
      authFlows: { userSrp: true },
      generateSecret: false,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      preventUserExistenceErrors: true,
    });
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
