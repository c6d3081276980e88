/**
 * A blueprint function on AWS: NodejsFunction on nodejs24.x / ARM64 with X-Ray (where Lambda has
 * the X-Ray integration: not in the China regions), an explicit log group with retention, an ESM
 * bundle with source maps, and a role of its own that starts with only the right to write to its
 * log group. Every further permission comes from `bind*`, which sets the environment variable and
 * makes the grant in one call, so the two cannot drift apart.
 */
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SubnetType } from 'aws-cdk-lib/aws-ec2';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BucketAccess, FunctionDef, TableAccess } from '../../schemas/blueprint.ts';
import { awsBucketName, envNames } from '../../schemas/resource-env.ts';
import { REPO_ROOT } from '../blueprint.ts';
import { BUNDLE, bundleDefine } from './bundling.ts';
import type { FixedIpEgress } from './egress.ts';

export interface ServiceFunctionProps {
  readonly id: string;
  readonly def: FunctionDef;
  readonly service: string;
  readonly environment: Record<string, string>;
  /** For `egress: fixed-ip` functions. */
  readonly egress?: FixedIpEgress;
  /** Active X-Ray tracing (false where Lambda has no X-Ray integration: the China regions). */
  readonly tracing: boolean;
}

export class ServiceFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;

  constructor(scope: Construct, constructId: string, props: ServiceFunctionProps) {
    super(scope, constructId);
    const { id, def } = props;

    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}: its own log group, X-Ray, and the resources its blueprint entry names`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${REPO_ROOT}/${def.entry}`,
      handler: 'handler',
      description: def.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: def.memoryMb,
      timeout: Duration.seconds(def.timeoutSeconds),
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      logGroup,
      role: this.role,
      ...(props.egress
        ? {
            vpc: props.egress.vpc,
            vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups: [props.egress.securityGroup],
          }
        : {}),
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}/package-lock.json`,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        [envNames.service]: props.service,
        POWERTOOLS_METRICS_NAMESPACE: props.service,
        // Without X-Ray the Powertools tracer has nothing to send to.
        ...(props.tracing ? {} : { POWERTOOLS_TRACE_ENABLED: 'false' }),
        ...props.environment,
        ...def.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE.target,
        minify: BUNDLE.minify,
        sourceMap: BUNDLE.sourcemap,
        keepNames: BUNDLE.keepNames,
        mainFields: [...BUNDLE.mainFields],
        externalModules: [...BUNDLE.external],
        // esbuild's per-bundle size table is not a problem; its warnings and errors still print.
        logLevel: LogLevel.WARNING,
        banner: BUNDLE.banner,
        esbuildArgs: Object.fromEntries(
          Object.entries(BUNDLE.alias).map(([from, to]) => [`--alias:${from}`, to]),
        ),
        define: bundleDefine(props.tracing, def.environment),
      },
    });
    if (props.egress) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason:
          'A function in a VPC must create and delete its network interfaces; ENI actions have no resource-level scoping.',
      });
    }
    // SMS through Amazon SNS publishes to phone numbers, which have no resource ARN: granted to the
    // functions that send SMS (those holding the gateway secret), not to those that only read settings.
    const snsSms = def.environment?.SMS_PROVIDER === 'sns' && (def.secrets ?? []).includes('sms-gateway');
    if (snsSms) this.role.addToPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
    // X-Ray has no resource-level permissions; Tracing.ACTIVE adds PutTraceSegments/PutTelemetryRecords on '*'.
    const wildcards = [
      ...(props.tracing
        ? ['xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions']
        : []),
      ...(snsSms ? ['sns:Publish to a phone number (SMS_PROVIDER=sns) has no resource ARN'] : []),
    ];
    if (wildcards.length)
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${wildcards.join('; ')}.`,
      });
  }

  /**
   * Env var + grant for one table. Written out rather than `grantReadWriteData` so the policy names
   * the table's own indexes (not `index/*`) and the key actions without wildcards.
   */
  bindTable(tableId: string, table: ITable, access: TableAccess, indexNames: string[]): void {
    this.fn.addEnvironment(envNames.table(tableId), table.tableName);
    const read = [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DescribeTable',
    ];
    const write = [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ];
    const actions = {
      read,
      'read-scan': [...read, 'dynamodb:Scan'],
      'read-write': [...read, ...write],
      append: ['dynamodb:PutItem'],
    }[access];
    this.role.addToPolicy(
      new PolicyStatement({
        actions,
        resources:
          access === 'append'
            ? [table.tableArn]
            : [table.tableArn, ...indexNames.map((name) => `${table.tableArn}/index/${name}`)],
        // Append-only is for the audit trail: new items in AUDIT# partitions, nothing else in the table.
        ...(access === 'append'
          ? { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } } }
          : {}),
      }),
    );
    if (table.encryptionKey) {
      const keyActions = ['kms:Decrypt', 'kms:DescribeKey'];
      if (access === 'read-write')
        keyActions.push('kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo');
      this.role.addToPolicy(
        new PolicyStatement({ actions: keyActions, resources: [table.encryptionKey.keyArn] }),
      );
    }
  }

  /**
   * Env var + grant for a drop bucket (`notifies`; named by awsBucketName, so nothing crosses the
   * stacks): read its objects under drops/, and with `read-write` write results under results/; the data key.
   */
  bindDropBucket(bucketId: string, stage: string, keyArn: string, access: 'read' | 'read-write'): void {
    const stack = Stack.of(this);
    const bucketName = awsBucketName(bucketId, stage, stack.account, stack.region);
    this.fn.addEnvironment(envNames.bucket(bucketId), bucketName);
    const arn = (prefix: string) => `arn:${stack.partition}:s3:::${bucketName}/${prefix}/*`;
    const prefixes = access === 'read-write' ? ['drops', 'results'] : ['drops'];
    this.role.addToPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [arn('drops')] }));
    if (access === 'read-write')
      this.role.addToPolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [arn('results')] }));
    const keyActions = ['kms:Decrypt', 'kms:DescribeKey'];
    if (access === 'read-write') keyActions.push('kms:Encrypt', 'kms:GenerateDataKey');
    this.role.addToPolicy(new PolicyStatement({ actions: keyActions, resources: [keyArn] }));
    const shown = (value: string, placeholder: string) => (Token.isUnresolved(value) ? placeholder : value);
    const named = awsBucketName(
      bucketId,
      stage,
      shown(stack.account, '<AWS::AccountId>'),
      shown(stack.region, '<AWS::Region>'),
    );
    for (const prefix of prefixes)
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:${shown(stack.partition, '<AWS::Partition>')}:s3:::${named}/${prefix}/*]`,
        reason: `Objects of ${bucketId} are named by whoever drops them (one a night); the grant is limited to the ${prefix}/ prefix.`,
      });
  }

  /** Env var + grant for one bucket: its objects only, GetObject and/or PutObject (never List or Delete). */
  bindBucket(bucketId: string, bucket: IBucket, exportName: string, access: BucketAccess): void {
    this.fn.addEnvironment(envNames.bucket(bucketId), bucket.bucketName);
    const actions = {
      read: ['s3:GetObject'],
      write: ['s3:PutObject'],
      'read-write': ['s3:GetObject', 's3:PutObject'],
    }[access];
    this.role.addToPolicy(new PolicyStatement({ actions, resources: [bucket.arnForObjects('*')] }));
    if (bucket.encryptionKey) {
      const keyActions = access === 'read' ? ['kms:Decrypt'] : ['kms:Decrypt', 'kms:GenerateDataKey'];
      this.role.addToPolicy(
        new PolicyStatement({ actions: keyActions, resources: [bucket.encryptionKey.keyArn] }),
      );
    }
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${shownToken(Stack.of(this).partition, '<AWS::Partition>')}:s3:::${exportName}/*]`,
      reason: `Objects are named at run time (one per attachment); the grant is ${actions.join(' and ')} on this bucket's objects only.`,
    });
  }

  bindTopic(topicId: string, topic: ITopic): void {
    this.fn.addEnvironment(envNames.topic(topicId), topic.topicArn);
    this.role.addToPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
    if (topic.masterKey) {
      // What an encrypted topic needs from a publisher, without the kms:GenerateDataKey* wildcard.
      this.role.addToPolicy(
        new PolicyStatement({
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [topic.masterKey.keyArn],
        }),
      );
    }
  }

  bindSecret(secretId: string, secret: ISecret): void {
    this.fn.addEnvironment(envNames.secret(secretId), secret.secretArn);
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [secret.secretArn],
      }),
    );
    if (secret.encryptionKey) {
      this.role.addToPolicy(
        new PolicyStatement({ actions: ['kms:Decrypt'], resources: [secret.encryptionKey.keyArn] }),
      );
    }
  }

  /**
   * Env vars + grants for a one-off schedule group: delete its schedules, and with `manage` also
   * create them, passing the group's role to the scheduler and to nothing else.
   */
  bindScheduleGroup(
    groupId: string,
    target: { group: IScheduleGroup; functionArn: string; role: IRole; deadLetterQueue: IQueue },
    access: 'manage' | 'delete',
  ): void {
    const names = envNames.scheduleGroup(groupId);
    this.fn.addEnvironment(names.name, target.group.scheduleGroupName);
    if (access === 'manage') {
      // Only creators need the target (which may be the creator itself: its ARN in its own
      // environment would be a circular reference, so deleters never get it).
      this.fn.addEnvironment(names.target, target.functionArn);
      this.fn.addEnvironment(names.role, target.role.roleArn);
      this.fn.addEnvironment(names.deadLetterQueue, target.deadLetterQueue.queueArn);
    }
    const stack = Stack.of(this);
    const schedules = `arn:${stack.partition}:scheduler:${stack.region}:${stack.account}:schedule/${target.group.scheduleGroupName}/*`;
    // cdk-nag names the resource as synthesized: concrete values where known, placeholders otherwise.
    const shown = (value: string, placeholder: string) => (Token.isUnresolved(value) ? placeholder : value);
    this.role.addToPolicy(
      new PolicyStatement({
        actions:
          access === 'manage'
            ? ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule']
            : ['scheduler:DeleteSchedule'],
        resources: [schedules],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${shown(stack.partition, '<AWS::Partition>')}:scheduler:${shown(stack.region, '<AWS::Region>')}:${shown(stack.account, '<AWS::AccountId>')}:schedule/${target.group.scheduleGroupName}/*]`,
      reason: `One-off schedules are named at run time (one per notice version); the grant is limited to the group ${groupId}.`,
    });
    if (access === 'manage') {
      this.role.addToPolicy(
        new PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [target.role.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      );
    }
  }

  bindEventBus(bus: IEventBus): void {
    this.fn.addEnvironment(envNames.eventBus, bus.eventBusName);
    bus.grantPutEventsTo(this.fn);
  }
}

/** A stack value as cdk-nag shows it in a finding: the literal when known, else its pseudo parameter. */
const shownToken = (value: string, placeholder: string) => (Token.isUnresolved(value) ? placeholder : value);
