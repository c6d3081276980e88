import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { blueprint, blueprintInput, DESK_RETENTION_DAYS, defineBlueprint } from '../../lib/blueprint.ts';
import { scheduleGroupName } from '../../schemas/resource-env.ts';
import { fixtureBlueprintInput } from '../fixtures/blueprint.ts';
import { DEPARTMENT_OIDC, synth } from './helpers.ts';

const fixture = defineBlueprint(fixtureBlueprintInput);
const real = synth(blueprint);
const full = synth(fixture);

describe('stateful stack', () => {
  it('creates every blueprint table with PITR, deletion protection, the CMK and RETAIN', () => {
    const tables = real.stateful.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(Object.keys(blueprint.tables).length);
    for (const t of Object.values(tables)) {
      expect(t.DeletionPolicy).toBe('Retain');
      expect(t.UpdateReplacePolicy).toBe('Retain');
      expect(t.Properties.DeletionProtectionEnabled).toBe(true);
      expect(t.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(t.Properties.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
      expect(t.Properties.SSESpecification.KMSMasterKeyId).toBeDefined();
      expect(t.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    }
  });

  it('gives tables the keys, GSIs and TTL the blueprint declares', () => {
    real.stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'fanout', Projection: { ProjectionType: 'ALL' } }),
      ],
    });
    real.stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('keeps the desk’s attachments private, under the data key, expired after the retention (issue 17)', () => {
    real.stateful.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }),
              BucketKeyEnabled: true,
            }),
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              ExpirationInDays: DESK_RETENTION_DAYS,
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
              Status: 'Enabled',
            }),
          ],
        },
      }),
    });
    // Only the desk reads attachments (for staff who may see the case) and only the media fetch writes.
    const grants = Object.entries(real.stateless.findResources('AWS::IAM::Policy'))
      .map(([id, p]) => [id.replace(/Role.*/, ''), JSON.stringify(p.Properties.PolicyDocument)] as const)
      .filter(([, doc]) => doc.includes('DeskAttachmentsBucket'))
      .map(
        ([id, doc]) => `${id}:${['s3:GetObject', 's3:PutObject'].filter((a) => doc.includes(a)).join('+')}`,
      );
    expect(grants.sort()).toEqual(['FetchDeskMedia:s3:PutObject', 'ManageDesk:s3:GetObject']);
  });

  it('rotates the customer-managed key and keeps it', () => {
    real.stateful.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
  });

  it('has a Cognito user pool with MFA and the six staff groups (the desk adds officer and supervisor)', () => {
    real.stateful.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON' });
    const groups = Object.values(real.stateful.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g) => g.Properties.GroupName,
    );
    expect(groups.sort()).toEqual(['admin', 'editor', 'officer', 'operator', 'reviewer', 'supervisor']);
  });

  it('encrypts topics with the CMK and an event bus exists', () => {
    full.stateful.resourceCountIs('AWS::SNS::Topic', 2); // work + alarms
    full.stateful.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    full.stateful.resourceCountIs('AWS::Events::EventBus', 1);
  });
});

describe('stateless stack', () => {
  it('runs every function on nodejs24.x, ARM64, with active tracing and a log group with retention', () => {
    const fns = full.stateless.findResources('AWS::Lambda::Function');
    expect(Object.keys(fns)).toHaveLength(Object.keys(fixture.functions).length);
    for (const f of Object.values(fns)) {
      expect(f.Properties.Runtime).toBe('nodejs24.x');
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(f.Properties.LoggingConfig.LogGroup).toBeDefined();
    }
    full.stateless.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('grants each function exactly what its blueprint entry implies', () => {
    const policies = full.stateless.findResources('AWS::IAM::Policy');
    const actionsOf = (fnPrefix: string) =>
      Object.entries(policies)
        .filter(([id]) => id.startsWith(fnPrefix))
        .flatMap(([, p]) =>
          p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => s.Action),
        );
    const readOnly = actionsOf('GetThing');
    expect(readOnly).toContain('dynamodb:GetItem');
    expect(readOnly).not.toContain('dynamodb:PutItem');
    expect(readOnly).not.toContain('sns:Publish');
    const writer = actionsOf('PutThing');
    expect(writer).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'sns:Publish', 'events:PutEvents']));
    const scheduled = actionsOf('NightlyCheck');
    expect(scheduled.filter((a: string) => a.startsWith('dynamodb:'))).toEqual([]);
    // Environment variables come with the grants.
    full.stateless.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ TABLE_THINGS: Match.anyValue(), TOPIC_WORK_ARN: Match.anyValue() }),
      },
    });
  });

  it('puts the JWT authorizer on admin-jwt routes only', () => {
    const routes = Object.values(full.routes.findResources('AWS::ApiGatewayV2::Route')).map((r) => ({
      key: r.Properties.RouteKey,
      auth: r.Properties.AuthorizationType ?? 'NONE',
    }));
    expect(routes).toContainEqual({ key: 'POST /admin/things', auth: 'JWT' });
    expect(routes.filter((r) => r.auth === 'JWT')).toHaveLength(1);
    full.stateless.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
    });
    full.stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('shares one integration and one API-scoped invoke permission per function, so each template stays under 500', () => {
    const routed = new Set(blueprint.routes.map((r) => r.function));
    expect(Object.keys(real.routes.findResources('AWS::ApiGatewayV2::Route'))).toHaveLength(
      blueprint.routes.length,
    );
    expect(Object.keys(real.routes.findResources('AWS::ApiGatewayV2::Integration'))).toHaveLength(
      routed.size,
    );
    const invokes = Object.values(real.routes.findResources('AWS::Lambda::Permission')).filter(
      (p) => p.Properties.Principal === 'apigateway.amazonaws.com',
    );
    expect(invokes).toHaveLength(routed.size);
    for (const p of invokes) expect(JSON.stringify(p.Properties.SourceArn)).toContain('/*/*/*');
    // CloudFormation refuses 500 a template; room for the next issues' functions and routes.
    expect(Object.keys(real.stateless.toJSON().Resources).length).toBeLessThan(450);
    expect(Object.keys(real.routes.toJSON().Resources).length).toBeLessThan(450);
    real.stateless.resourceCountIs('AWS::ApiGatewayV2::Route', 0);
  });

  it('gives every queue a DLQ with maxReceives and an alarm on DLQ depth', () => {
    full.stateless.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 120,
      RedrivePolicy: { maxReceiveCount: 3, deadLetterTargetArn: Match.anyValue() },
      SqsManagedSseEnabled: true,
    });
    full.stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 5,
      ScalingConfig: { MaximumConcurrency: 4 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // One DLQ for the queue, one for the schedule target, one for the one-off schedule group; each has an alarm.
    const alarms = full.stateless.findResources('AWS::CloudWatch::Alarm', {
      Properties: { Namespace: 'AWS/SQS' },
    });
    expect(Object.keys(alarms)).toHaveLength(3);
    for (const a of Object.values(alarms)) {
      expect(a.Properties).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(a.Properties.AlarmActions).toHaveLength(1);
    }
  });

  it('alarms on the service’s own metrics as the blueprint declares', () => {
    full.stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'fixture-service',
      MetricName: 'ThingsMissing',
      Dimensions: [{ Name: 'service', Value: 'fixture-service' }],
      Threshold: 0,
      Period: 3600,
      AlarmActions: [Match.anyValue()],
    });
    real.stateless.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RestrictionCoverageGaps' });
  });

  it('lets an append-only grant add audit items and nothing else', () => {
    const statements = Object.entries(full.stateless.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('PutThing'))
      .flatMap(
        ([, p]) =>
          p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Condition?: unknown }>,
      );
    const appendOnly = statements.filter((st) => st.Action === 'dynamodb:PutItem');
    expect(appendOnly).toHaveLength(1);
    // …and only in the audit trail's partitions: it cannot overwrite policies, budgets or runs.
    expect(appendOnly[0]!.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] },
    });
  });

  it('sends WeChat API calls from a fixed, whitelistable IP: NAT gateway with an Elastic IP, output for the console', () => {
    real.stateless.resourceCountIs('AWS::EC2::NatGateway', 1);
    real.stateless.hasResource('AWS::EC2::EIP', { DeletionPolicy: 'Retain' });
    real.stateless.hasOutput('*', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('EgressIp'), 'PublicIp'] },
    });
    real.stateless.resourceCountIs('AWS::EC2::FlowLog', 1);
    const fns = real.stateless.findResources('AWS::Lambda::Function');
    const inVpc = Object.entries(fns)
      .filter(([, f]) => f.Properties.VpcConfig)
      .map(([id]) => id);
    expect(inVpc.map((id) => id.replace(/Function.*/, '')).sort()).toEqual([
      'DeliverWechat',
      'FetchDeskMedia', // temporary media from the WeChat API (issue 17)
      'ManageWechat', // the menu (issue 15)
      'SendDeskAnswer', // customer-service messages and notices (issue 17)
      'SendWechatMass', // article mass sends (issue 15)
      'SendWechatReply',
    ]);
  });

  it('lets only the functions that name a secret read one (WeChat, notices checking templates, SMS)', () => {
    const readers = Object.entries(real.stateless.findResources('AWS::IAM::Policy'))
      .filter(([, p]) =>
        JSON.stringify(p.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'),
      )
      .map(([id]) => id.replace(/Role.*/, ''));
    expect(readers.sort()).toEqual([
      'DeliverSms',
      'DeliverWechat',
      'FetchDeskMedia', // wechat-accounts: the token that fetches temporary media
      'FindSubscribers', // the sms-gateway pepper: a phone number is looked up by its HMAC
      'GetCasePage', // desk: the key that signs case-page links
      // Driver notices (issue 18): the integrations, the pepper and the page key; ingest seals phones.
      'GetDriverPage',
      'IngestDriverDrop',
      'IngestDriverEvents',
      'ManageDesk', // sms-gateway: a hotline caller's number, sealed (pepper and data key)
      'ManageDrivers',
      'ManageNotices',
      'ManageWechat', // the menu (issue 15)
      'PlanDriverReminders',
      'PlanNoticePush',
      'PreviewNotice',
      'PublishDueNotices',
      'Receive12345', // desk: the platform's HMAC key; sms-gateway: the caller's number, sealed
      'ReceiveSms',
      'ReceiveWechat',
      'ReportWechatQuota', // the accounts' appIds, whose daily quota it reports
      'SendDeskAnswer', // the WeChat token, the SMS gateway, the case-link key
      'SendDriverCode', // sms-gateway: the SMS of a code that proves a plate (not the webhook's)
      'SendWechatMass', // article mass sends (issue 15)
      'SendWechatReply',
    ]);
    real.stateful.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });

  it('grants Scan (read-scan) only to the functions that count audiences and followers or expand notice audiences', () => {
    const scanners = Object.entries(real.stateless.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('dynamodb:Scan'))
      .map(([id]) => id.replace(/Role.*/, ''));
    // FindSubscribers: subscriber support finds a plate's bindings by a Scan (no index is kept for it).
    expect(scanners.sort()).toEqual([
      'ExpandSegment',
      'FindSubscribers',
      'PreviewNotice',
      'ReportOperations',
    ]);
  });

  it('schedules the five-minute backstop publish of due notices', () => {
    real.stateless.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0/5 * * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
    });
  });

  it("publishes a notice at its time through a one-off schedule group: creators pass only the group's role", () => {
    const group = scheduleGroupName(blueprint.service, 'prod', 'notice-publish');
    real.stateless.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: group });
    const policies = Object.entries(real.stateless.findResources('AWS::IAM::Policy'));
    const statementsOf = (prefix: string) =>
      policies
        .filter(([id]) => id.startsWith(prefix))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
    const actions = (st: Array<Record<string, unknown>>) => st.flatMap((x) => [x.Action].flat() as string[]);
    const holders = policies
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('scheduler:'))
      .map(([id]) => id.replace(/Role.*/, ''));
    expect(holders.sort()).toEqual(['ManageNotices', 'PublishDueNotices']);

    const manager = statementsOf('ManageNotices');
    const create = manager.find((x) => actions([x]).includes('scheduler:CreateSchedule'))!;
    expect(actions([create]).sort()).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule']);
    expect(JSON.stringify(create.Resource)).toContain(`:schedule/${group}/*`);
    const pass = manager.find((x) => actions([x]).includes('iam:PassRole'))!;
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    expect(JSON.stringify(pass.Resource)).toMatch(/NoticePublishScheduleGroupRole/);

    const sweeper = actions(statementsOf('PublishDueNotices'));
    expect(sweeper).toContain('scheduler:DeleteSchedule');
    expect(sweeper).not.toContain('scheduler:CreateSchedule');
    expect(sweeper).not.toContain('iam:PassRole');

    // The role the schedules run as: assumed by the scheduler for this account, invokes one function.
    real.stateless.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': Match.anyValue() },
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
            },
          }),
        ],
      }),
      Description: Match.stringLikeRegexp('one-off schedules of notice-publish'),
    });
    const runAs = statementsOf('NoticePublishScheduleGroupRole');
    const invoke = runAs.find((x) => actions([x]).includes('lambda:InvokeFunction'))!;
    expect(JSON.stringify(invoke.Resource)).toMatch(/PublishDueNotices.*Arn/);
    expect(JSON.stringify(invoke.Resource)).not.toContain(':*');
    expect(actions(runAs)).toContain('sqs:SendMessage');

    // Creators get the target, role and DLQ; the sweep (itself the target) only the group's name.
    const env = (prefix: string) =>
      Object.entries(real.stateless.findResources('AWS::Lambda::Function')).find(([id]) =>
        id.startsWith(prefix),
      )![1].Properties.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(env('ManageNotices'))).toEqual(
      expect.arrayContaining([
        'SCHEDULE_GROUP_NOTICE_PUBLISH',
        'SCHEDULE_GROUP_NOTICE_PUBLISH_TARGET_ARN',
        'SCHEDULE_GROUP_NOTICE_PUBLISH_ROLE_ARN',
        'SCHEDULE_GROUP_NOTICE_PUBLISH_DLQ_ARN',
      ]),
    );
    expect(env('PublishDueNotices').SCHEDULE_GROUP_NOTICE_PUBLISH).toBe(group);
    expect(env('PublishDueNotices').SCHEDULE_GROUP_NOTICE_PUBLISH_TARGET_ARN).toBeUndefined();
  });

  it('schedules the real daily coverage check in Asia/Shanghai', () => {
    real.stateless.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 9 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
    });
  });

  it('subscribes queues to topics with raw delivery and the filter policy', () => {
    full.stateless.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      RawMessageDelivery: true,
      FilterPolicy: { channel: ['wechat'] },
    });
  });

  it('schedules in Asia/Shanghai with a retry policy and a DLQ', () => {
    full.stateless.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 7 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      Target: Match.objectLike({
        Input: JSON.stringify({ slot: 'morning' }),
        DeadLetterConfig: { Arn: Match.anyValue() },
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
      }),
    });
  });

  it('routes bus events by the blueprint pattern', () => {
    full.stateless.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['fixture'], 'detail-type': ['thing.changed'] },
    });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['the real blueprint', real.app],
    ['a blueprint using every kind of entry', full.app],
    // `cdk synth` with CDK_DEFAULT_REGION set: ARNs carry the concrete region, and so must the acknowledgements.
    ['the real blueprint in a known region', synth(blueprint, { region: 'us-east-1' }).app],
    [
      'the real blueprint in a known account and region',
      // No Cognito user pools in aws-cn: the department's own OIDC issuer (lib/aws/deployment.ts).
      synth(blueprint, {
        account: '123456789012',
        region: 'cn-north-1',
        availabilityZones: ['cn-north-1a', 'cn-north-1b'],
        identity: DEPARTMENT_OIDC,
      }).app,
    ],
  ])('reports no unacknowledged finding for %s', (_name, app) => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    const findings = report.violations.map(
      (v) =>
        `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId ?? r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('does report a finding that nobody acknowledged (the check is live)', async () => {
    const { App, Stack } = await import('aws-cdk-lib');
    const { Queue } = await import('aws-cdk-lib/aws-sqs');
    const app = new App();
    new Queue(new Stack(app, 'Bare'), 'Plain');
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
  });
});

describe('SMS through Amazon SNS', () => {
  it('grants sns:Publish on * only to the functions that send SMS when SMS_PROVIDER=sns', () => {
    const publishesToNumbers = (stack: ReturnType<typeof synth>['stateless']) =>
      Object.entries(stack.findResources('AWS::IAM::Policy'))
        .filter(([, p]) =>
          (p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>).some(
            // minimizePolicies (cdk.json) merges it with the X-Ray actions that are also on '*'.
            (st) => [st.Action].flat().includes('sns:Publish') && st.Resource === '*',
          ),
        )
        .map(([id]) => id.replace(/Role.*/, ''));
    expect(publishesToNumbers(real.stateless)).toEqual([]); // Tencent by default
    const input = structuredClone(blueprintInput) as typeof blueprintInput;
    for (const fn of Object.values(input.functions) as Array<{ environment?: Record<string, string> }>)
      if (fn.environment?.SMS_PROVIDER) fn.environment.SMS_PROVIDER = 'sns';
    const sns = synth(defineBlueprint(input));
    // SendDeskAnswer answers SMS and hotline citizens; SendDriverCode sends the codes that prove a
    // plate (DRIVER_VERIFY_BY_SMS), not the webhook; ManageDesk and Receive12345 only seal numbers.
    expect(publishesToNumbers(sns.stateless).sort()).toEqual([
      'DeliverSms',
      'ReceiveSms',
      'SendDeskAnswer',
      'SendDriverCode',
    ]);
  });
});

describe('the SMS of a code that proves a plate (driver-codes → send-driver-code), away from the webhook', () => {
  type Statement = { Action: string | string[]; Resource: unknown };
  const statementsOf = (prefix: string) =>
    Object.entries(real.stateless.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith(prefix))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
  const actions = (st: Statement) => [st.Action].flat();
  /** The stateful resources a statement names (their logical ids, without the hash). */
  const names = (st: Statement) =>
    [...JSON.stringify(st.Resource).matchAll(/ExportsOutput(?:FnGetAtt|Ref)([A-Z][A-Za-z]+?)[0-9A-F]{8}/g)]
      .map((m) => m[1]!)
      .filter((n, i, all) => all.indexOf(n) === i)
      .sort();
  const granted = (prefix: string, test: (action: string) => boolean) =>
    statementsOf(prefix)
      .filter((st) => actions(st).some(test))
      .flatMap(names)
      .sort();
  const writes = (a: string) => /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/.test(a);

  it('grants send-driver-code only what sending, withdrawing and telling need', () => {
    // Reads: the number's status (subscribers); writes: the pending code and registered phone
    // (drivers), the number cap and ledger, the budget and records (operations). No Scan.
    expect(granted('SendDriverCodeRole', (a) => a === 'dynamodb:GetItem')).toEqual([
      'DriversTable',
      'LedgerTable',
      'OperationsTable',
      'SubscribersTable',
    ]);
    expect(granted('SendDriverCodeRole', writes)).toEqual(['DriversTable', 'LedgerTable', 'OperationsTable']);
    expect(statementsOf('SendDriverCodeRole').flatMap(actions)).not.toContain('dynamodb:Scan');
    // One topic (a blocked send's note to the follower), one secret (the gateway), its own queue.
    expect(granted('SendDriverCodeRole', (a) => a === 'sns:Publish')).toEqual(['WechatRepliesTopic']);
    expect(granted('SendDriverCodeRole', (a) => a.startsWith('secretsmanager:'))).toEqual([
      'SmsGatewaySecret',
    ]);
    const sqs = statementsOf('SendDriverCodeRole').filter((st) =>
      actions(st).some((a) => a.startsWith('sqs:')),
    );
    expect(sqs.map((st) => JSON.stringify(st.Resource))).toEqual([
      expect.stringMatching(/"DriverCodesQueue[0-9A-F]{8}","Arn"/),
    ]);
    // It calls no WeChat API (the note goes through send-wechat-reply), so it runs outside the VPC.
    const [fn] = Object.entries(real.stateless.findResources('AWS::Lambda::Function')).filter(([id]) =>
      id.startsWith('SendDriverCode'),
    );
    expect(fn![1].Properties.VpcConfig).toBeUndefined();
    expect(
      Object.keys(fn![1].Properties.Environment.Variables)
        .filter((k) => /^(TABLE|TOPIC|SMS_GATEWAY|WECHAT)/.test(k))
        .sort(),
    ).toEqual([
      'SMS_GATEWAY_SECRET_ARN',
      'TABLE_DRIVERS',
      'TABLE_LEDGER',
      'TABLE_OPERATIONS',
      'TABLE_SUBSCRIBERS',
      'TOPIC_WECHAT_REPLIES_ARN',
    ]);
  });

  it('leaves the webhook without the SMS gateway and the ledger write, publishing the job instead', () => {
    expect(granted('ReceiveWechatRole', (a) => a.startsWith('secretsmanager:'))).not.toContain(
      'SmsGatewaySecret',
    );
    expect(granted('ReceiveWechatRole', writes)).not.toContain('LedgerTable');
    expect(granted('ReceiveWechatRole', (a) => a === 'sns:Publish')).toContain('DriverCodesTopic');
    // The queue's consumer is send-driver-code alone, retried then dead-lettered like every queue.
    real.stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp('^SendDriverCodeFunction') },
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });
});

describe('the nightly driver drop (S3 → queue → ingest-driver-drop)', () => {
  const resources = (t: typeof real.stateful, type: string) => Object.entries(t.findResources(type));
  const [bucketId, bucket] = resources(real.stateful, 'AWS::S3::Bucket').find(([, b]) =>
    (b.Properties.Tags ?? []).some((t: { Key: string; Value: string }) => t.Value === 'driver-drops'),
  )!;
  const [queueId] = resources(real.stateful, 'AWS::SQS::Queue').find(([, q]) =>
    (q.Properties.Tags ?? []).some((t: { Key: string; Value: string }) => t.Value === 'driver-drops'),
  )!;

  it('keeps the drops in a private bucket under the data key, TLS only, expiring after the blueprint’s days, RETAINed and logged', () => {
    const p = bucket.Properties;
    expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0]).toMatchObject({
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: {
        SSEAlgorithm: 'aws:kms',
        KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] },
      },
    });
    expect(p.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(p.LifecycleConfiguration.Rules).toEqual([
      { ExpirationInDays: blueprint.buckets['driver-drops']!.expireDays, Status: 'Enabled' },
    ]);
    expect(p.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    expect(p.LoggingConfiguration.LogFilePrefix).toBe('driver-drops/');
    // Named with the stage, the account and the region (S3 names are global).
    expect(JSON.stringify(p.BucketName)).toContain('driver-drops-prod-');
    expect(real.stateful.toJSON().Resources[bucketId].DeletionPolicy).toBe('Retain');
    real.stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('notifies its queue of each .jsonl object created under drops/, and only S3 from this bucket may send to it', () => {
    real.stateful.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: bucketId },
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: {
              Key: {
                FilterRules: Match.arrayWith([
                  { Name: 'suffix', Value: '.jsonl' },
                  { Name: 'prefix', Value: 'drops/' },
                ]),
              },
            },
            QueueArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
          },
        ],
      },
    });
    const def = blueprint.queues['driver-drops']!;
    real.stateful.hasResourceProperties('AWS::SQS::Queue', {
      Tags: [{ Key: 'blueprint-queue', Value: 'driver-drops' }],
      VisibilityTimeout: def.visibilityTimeoutSeconds,
      RedrivePolicy: { maxReceiveCount: def.maxReceives, deadLetterTargetArn: Match.anyValue() },
      // SQS-managed keys: S3 cannot use the data key to send.
      SqsManagedSseEnabled: true,
    });
    real.stateful.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: Match.arrayWith(['sqs:SendMessage']),
            Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId, 'Arn'] } } },
          }),
        ]),
      },
    });
    // The queue lives with the bucket; the stateless stack has no copy of it.
    expect(
      resources(real.stateless, 'AWS::SQS::Queue').filter(([, q]) =>
        JSON.stringify(q.Properties.Tags ?? []).includes('driver-drops'),
      ),
    ).toEqual([]);
  });

  it('has ingest-driver-drop consume the queue one object at a time, its dead letters alarmed', () => {
    const def = blueprint.queues['driver-drops']!;
    const fn = blueprint.functions['ingest-driver-drop']!;
    const [fnId, fnRes] = resources(real.stateless, 'AWS::Lambda::Function').find(([id]) =>
      id.startsWith('IngestDriverDropFunction'),
    )!;
    expect(fnRes.Properties.Timeout).toBe(fn.timeoutSeconds);
    expect(fn.timeoutSeconds).toBeLessThan(def.visibilityTimeoutSeconds);
    expect(fnRes.Properties.Environment.Variables.BUCKET_DRIVER_DROPS).toBeDefined();
    real.stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId },
      BatchSize: def.batchSize,
      ScalingConfig: { MaximumConcurrency: def.maxConcurrency },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('DriverDropsQueue') },
    });
    real.stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('queue driver-drops'),
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::ImportValue': Match.stringLikeRegexp('DriverDropsQueueDlq') } },
      ],
    });
  });

  it('lets the function read drops/ and write results/ only; the platform’s writer policy puts under drops/ only', () => {
    const statements = resources(real.stateless, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('IngestDriverDropRole'))
      .flatMap(
        ([, p]) => p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>,
      );
    const s3 = statements.filter((st) => [st.Action].flat().some((a) => String(a).startsWith('s3:')));
    expect(
      s3.map((st) => [[st.Action].flat(), JSON.stringify(st.Resource).match(/\/(\w+)\/\*/)?.[1]]),
    ).toEqual([
      [['s3:GetObject'], 'drops'],
      [['s3:PutObject'], 'results'],
    ]);
    // No other function touches the bucket (the desk's functions have grants on desk-attachments only).
    const others = resources(real.stateless, 'AWS::IAM::Policy').filter(
      ([id, p]) =>
        !id.startsWith('IngestDriverDropRole') && JSON.stringify(p.Properties).includes('driver-drops'),
    );
    expect(others.map(([id]) => id)).toEqual([]);
    real.stateful.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 's3:PutObject',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/drops/*']] },
          },
          Match.objectLike({ Action: ['kms:Encrypt', 'kms:GenerateDataKey'] }),
        ],
      },
    });
    expect(
      Object.keys(real.stateful.findOutputs('*'))
        .filter((o) => o.startsWith('DriverDrops'))
        .sort(),
    ).toEqual(['DriverDropsBucketName', 'DriverDropsWriterPolicyArn']);
  });
});
