/**
 * Everything that can be replaced by a redeploy, built from the blueprint and the deployment: the
 * HTTP API with its JWT authorizer (the deployment's issuer and audience; its routes in a nested
 * stack, `routes`), one ServiceFunction per
 * function entry (permissions exactly as the entry implies), SQS queues with DLQs and depth alarms,
 * SNS subscriptions with filter policies, EventBridge Scheduler schedules in their time zone,
 * event-bus rules, every alarm to the one on-call topic, and the duty officer's dashboard.
 */
import {
  type CfnElement,
  CfnOutput,
  Duration,
  Fn,
  NestedStack,
  Stack,
  type StackProps,
  Tags,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type EventPattern, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaRuleTarget } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleGroup, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { SubscriptionFilter } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { AuthKind, Blueprint, FilterPolicy, QueueDef } from '../../schemas/blueprint.ts';
import { claimsOf, identityEnvironment } from '../../schemas/identity.ts';
import { envNames, physicalName, scheduleGroupName } from '../../schemas/resource-env.ts';
import { ConsoleSite } from './console-site.ts';
import { OperationsDashboard } from './dashboard.ts';
import { type Deployment, deployedEnvironment } from './deployment.ts';
import { FixedIpEgress } from './egress.ts';
import { pascal } from './names.ts';
import { ServiceFunction } from './service-function.ts';
import type { StatefulStack } from './stateful-stack.ts';

export interface StatelessStackProps extends StackProps {
  readonly blueprint: Blueprint;
  readonly deployment: Deployment;
  readonly stateful: StatefulStack;
}

/** Why a route kind has no API Gateway authorizer (cdk-nag APIG4/COG4 acknowledgement text). */
const UNAUTHORIZED_AT_GATEWAY: Record<Exclude<AuthKind, 'admin-jwt'>, string> = {
  public: 'Public read-only endpoint for citizens (no account); throttled at the stage.',
  'wechat-signature':
    'WeChat servers cannot send a bearer token; the handler verifies the SHA1 signature (and msg_signature in encrypted modes) in constant time before anything else.',
  'sms-signature':
    'SMS gateways call back with their own signature scheme; the handler verifies it (path secret or HMAC header) before parsing.',
  hmac: 'Machine-to-machine callers sign each request with a shared secret; the handler verifies the HMAC in constant time.',
};

export class StatelessStack extends Stack {
  readonly api: HttpApi;
  /**
   * The API's routes, their integrations and invoke permissions (three resources a function, one a
   * route) in a nested stack: with them this stack would pass CloudFormation's 500 resources.
   */
  readonly routes: NestedStack;
  readonly functions: Record<string, ServiceFunction> = {};
  readonly queues: Record<string, { queue: Queue; dlq: Queue }> = {};
  readonly schedules: Record<string, Schedule> = {};
  readonly alarms: Alarm[] = [];
  /** Every dead-letter queue (blueprint queues and schedule targets), for the dashboard. */
  readonly deadLetterQueues: Array<{ what: string; queue: Queue }> = [];
  readonly dashboard: OperationsDashboard;
  /** The staff console's hosting, where the deployment has it (deployment.console). */
  readonly consoleSite?: ConsoleSite;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    const { blueprint, deployment, stateful, ...stackProps } = props;
    super(scope, id, stackProps);
    const alarmAction = new SnsAction(stateful.alarmTopic);

    // Functions behind admin routes map the identity provider's groups claim to roles.
    const adminFunctions = new Set(
      blueprint.routes.filter((r) => r.auth === 'admin-jwt').map((r) => r.function),
    );
    const claimEnvironment = identityEnvironment(claimsOf(deployment.identity));

    const needsFixedIp = Object.values(blueprint.functions).some((f) => f.egress === 'fixed-ip');
    const egress = needsFixedIp
      ? new FixedIpEgress(
          this,
          'Egress',
          deployment.availabilityZones ? { availabilityZones: deployment.availabilityZones } : {},
        )
      : undefined;
    for (const [fnId, blueprintDef] of Object.entries(blueprint.functions)) {
      const def = { ...blueprintDef, environment: deployedEnvironment(blueprintDef.environment, deployment) };
      const sf = new ServiceFunction(this, pascal(fnId), {
        ...(def.egress === 'fixed-ip' ? { egress: egress! } : {}),
        id: fnId,
        def,
        service: blueprint.service,
        tracing: deployment.features.lambdaXRay,
        environment: {
          STAGE: deployment.stage,
          ...(adminFunctions.has(fnId) ? claimEnvironment : {}),
        },
      });
      for (const [tableId, access] of Object.entries(def.tables))
        sf.bindTable(
          tableId,
          stateful.tables[tableId]!,
          access,
          blueprint.tables[tableId]!.indexes.map((ix) => ix.name),
        );
      for (const topicId of def.publishes) sf.bindTopic(topicId, stateful.topics[topicId]!);
      for (const [bucketId, access] of Object.entries(def.buckets)) {
        if (blueprint.buckets[bucketId]?.notifies)
          sf.bindDropBucket(
            bucketId,
            deployment.stage,
            stateful.key.keyArn,
            access === 'read' ? 'read' : 'read-write',
          );
        else
          sf.bindBucket(
            bucketId,
            this.bucketOf(bucketId, stateful),
            stateful.bucketExports[bucketId]!,
            access,
          );
      }
      for (const secretId of def.secrets) sf.bindSecret(secretId, stateful.secrets[secretId]!);
      if (def.putsEvents) sf.bindEventBus(stateful.eventBus);
      this.functions[fnId] = sf;
    }

    // The staff console (S3 + CloudFront), where the deployment hosts it: its origin is the API's CORS.
    const { identity } = deployment;
    const site = deployment.console.hosted
      ? new ConsoleSite(this, 'Console', {
          hosting: deployment.console,
          originAccessControl: deployment.features.cloudFrontOriginAccessControl,
          connectSrc: [
            `https://*.execute-api.${this.region}.${this.urlSuffix}`,
            ...(identity.provider === 'cognito'
              ? [
                  `https://cognito-idp.${this.region}.${this.urlSuffix}`,
                  `https://${consoleSignInPrefix(blueprint.service, deployment.stage, this.account)}.auth.${this.region}.amazoncognito.com`,
                ]
              : [new URL(identity.issuer).origin]),
          ],
          ...(stateful.userPool
            ? {
                cognito: {
                  userPool: stateful.userPool,
                  domainPrefix: consoleSignInPrefix(blueprint.service, deployment.stage, this.account),
                },
              }
            : {}),
        })
      : undefined;
    this.consoleSite = site;

    // HTTP API ---------------------------------------------------------------------------------
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: physicalName(blueprint.service, deployment.stage, 'api', 128),
      description: `${blueprint.service} (${deployment.stage}) public, webhook and admin API`,
      createDefaultStage: false,
      // Browsers may call the API from the staff console's origin only (no CORS where it is not hosted).
      ...(site
        ? {
            corsPreflight: {
              allowOrigins: [site.origin],
              allowHeaders: ['authorization', 'content-type'],
              allowMethods: [
                CorsHttpMethod.GET,
                CorsHttpMethod.POST,
                CorsHttpMethod.PUT,
                CorsHttpMethod.PATCH,
                CorsHttpMethod.DELETE,
              ],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.THREE_MONTHS });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 500, burstLimit: 1000 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No IP, query string or body: those can carry plates, phone numbers and openids.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            responseLength: '$context.responseLength',
            error: '$context.error.message',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    new CfnOutput(this, 'ApiEndpoint', {
      value: this.api.apiEndpoint,
      description:
        'Base URL of the HTTP API (the WeChat server URL is <this>/webhooks/wechat/<account id>, or a custom domain in front of it)',
    });
    // The deployment's identity provider: the Cognito pool the stateful stack made, or the OIDC issuer.
    const jwt = new HttpJwtAuthorizer('AdminJwt', stateful.staffSignIn.issuer, {
      // The console's own Cognito app client is an audience too (its tokens carry its client_id).
      jwtAudience: [
        ...stateful.staffSignIn.audience,
        ...(site?.cognitoClient ? [site.cognitoClient.userPoolClientId] : []),
      ],
      identitySource: ['$request.header.Authorization'],
    });
    // One integration and one invoke permission per function, shared by its routes: per route, the
    // three resources each (route, integration, permission) would take the stack past CloudFormation's
    // 500. The permission names this API (any of its routes: only this function's routes reach it).
    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationOf = (fnId: string): HttpLambdaIntegration => {
      let integration = integrations.get(fnId);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(fnId)}Integration`, this.functions[fnId]!.fn, {
          scopePermissionToRoute: false,
        });
        integrations.set(fnId, integration);
      }
      return integration;
    };
    this.routes = new NestedStack(this, 'Routes', {
      description: `${blueprint.service} (${deployment.stage}): the HTTP API's routes and integrations`,
    });
    for (const route of blueprint.routes) {
      const authorizer: IHttpRouteAuthorizer | undefined = route.auth === 'admin-jwt' ? jwt : undefined;
      const created = new HttpRoute(this.routes, `${route.method}${route.path}`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: integrationOf(route.function),
        ...(authorizer ? { authorizer } : {}),
      });
      if (route.auth !== 'admin-jwt') {
        for (const rule of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
          Validations.of(created).acknowledge({ id: rule, reason: UNAUTHORIZED_AT_GATEWAY[route.auth] });
        }
      }
    }

    // Queues and topic subscriptions -----------------------------------------------------------
    for (const [queueId, def] of Object.entries(blueprint.queues)) {
      this.queues[queueId] = this.queue(queueId, def, stateful, alarmAction);
    }

    // Schedules --------------------------------------------------------------------------------
    for (const [scheduleId, def] of Object.entries(blueprint.schedules)) {
      const dlq = this.deadLetterQueue(
        `${pascal(scheduleId)}Schedule`,
        `schedule ${scheduleId}`,
        alarmAction,
      );
      Validations.of(dlq).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is the dead-letter queue of an EventBridge Scheduler target (not an SQS redrive target).',
      });
      const fn = this.functions[def.function]!.fn;
      const role = new Role(this, `${pascal(scheduleId)}ScheduleRole`, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
        description: `EventBridge Scheduler: invoke ${def.function} for schedule ${scheduleId}`,
      });
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
        reason:
          'lambda:InvokeFunction on the function and its versions/aliases (ARN:*), as the Scheduler target grant requires.',
      });
      this.schedules[scheduleId] = new Schedule(this, `${pascal(scheduleId)}Schedule`, {
        description: `blueprint:${scheduleId} — ${def.description}`.slice(0, 512),
        schedule: ScheduleExpression.expression(def.cron, TimeZone.of(def.timeZone)),
        target: new LambdaInvoke(fn, {
          role,
          input: ScheduleTargetInput.fromObject(def.input),
          deadLetterQueue: dlq,
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
        }),
      });
    }

    // One-off schedule groups: functions create the schedules at run time ------------------------
    for (const [groupId, def] of Object.entries(blueprint.scheduleGroups)) {
      const name = `${pascal(groupId)}ScheduleGroup`;
      const group = new ScheduleGroup(this, name, {
        scheduleGroupName: scheduleGroupName(blueprint.service, deployment.stage, groupId),
      });
      const dlq = this.deadLetterQueue(name, `schedule group ${groupId}`, alarmAction);
      Validations.of(dlq).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is the dead-letter queue of EventBridge Scheduler targets (not an SQS redrive target).',
      });
      const fn = this.functions[def.function]!.fn;
      const role = new Role(this, `${name}Role`, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
          conditions: {
            StringEquals: { 'aws:SourceAccount': this.account },
            ArnLike: {
              'aws:SourceArn': `arn:${this.partition}:scheduler:${this.region}:${this.account}:schedule/${group.scheduleGroupName}/*`,
            },
          },
        }),
        description: `EventBridge Scheduler: invoke ${def.function} for the one-off schedules of ${groupId}`,
      });
      role.addToPolicy(
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
      );
      dlq.grantSendMessages(role);
      for (const [fnId, fnDef] of Object.entries(blueprint.functions)) {
        const access = fnDef.scheduleGroups[groupId];
        if (!access) continue;
        this.functions[fnId]!.bindScheduleGroup(
          groupId,
          { group, functionArn: fn.functionArn, role, deadLetterQueue: dlq },
          access,
        );
      }
    }

    // Alarms on the service's own metrics -----------------------------------------------------
    for (const [alarmId, def] of Object.entries(blueprint.alarms)) {
      const alarm = new Alarm(this, `${pascal(alarmId)}Alarm`, {
        alarmDescription: `blueprint:${alarmId} — ${def.description}`,
        metric: new Metric({
          namespace: blueprint.service,
          metricName: def.metric,
          dimensionsMap: { service: blueprint.service },
          statistic: def.statistic,
          period: Duration.minutes(def.periodMinutes),
        }),
        threshold: def.threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(alarmAction);
      this.alarms.push(alarm);
    }

    // Event-bus rules --------------------------------------------------------------------------
    for (const [ruleId, def] of Object.entries(blueprint.busRules)) {
      new Rule(this, `${pascal(ruleId)}Rule`, {
        description: `blueprint:${ruleId} — ${def.description}`.slice(0, 512),
        eventBus: stateful.eventBus,
        eventPattern: def.pattern as EventPattern,
        targets: [new LambdaRuleTarget(this.functions[def.function]!.fn, { retryAttempts: 2 })],
      });
    }

    new CfnOutput(this, 'StaffConsoleUrl', {
      value: site ? `${site.origin}/` : deployment.console.hosted ? '' : deployment.console.reason,
      description:
        'The staff console (register it as the OIDC client’s redirect URI), or why this deployment does not host it',
    });

    this.dashboard = new OperationsDashboard(this, 'Operations', {
      name: physicalName(blueprint.service, deployment.stage, 'operations', 255),
      blueprint,
      api: this.api,
      functions: this.functions,
      queues: this.queues,
      deadLetterQueues: this.deadLetterQueues,
      alarms: this.alarms,
    });
  }

  private readonly importedBuckets: Record<string, IBucket> = {};

  /** A stateful bucket through its named export, so grants (and their acknowledgements) name the export. */
  private bucketOf(bucketId: string, stateful: StatefulStack): IBucket {
    this.importedBuckets[bucketId] ??= Bucket.fromBucketAttributes(this, `${pascal(bucketId)}Bucket`, {
      bucketName: Fn.importValue(stateful.bucketExports[bucketId]!),
      encryptionKey: stateful.buckets[bucketId]!.encryptionKey,
    });
    return this.importedBuckets[bucketId];
  }

  private deadLetterQueue(
    constructId: string,
    what: string,
    alarmAction: SnsAction,
    existing?: Queue,
  ): Queue {
    const dlq =
      existing ??
      new Queue(this, `${constructId}Dlq`, {
        retentionPeriod: Duration.days(14),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
    const alarm = new Alarm(this, `${constructId}DlqAlarm`, {
      alarmDescription: `Messages in the dead-letter queue of ${what}: inspect, fix, then redrive.`,
      metric: dlq.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(alarmAction);
    this.alarms.push(alarm);
    this.deadLetterQueues.push({ what, queue: dlq });
    return dlq;
  }

  private queue(
    queueId: string,
    def: QueueDef,
    stateful: StatefulStack,
    alarmAction: SnsAction,
  ): { queue: Queue; dlq: Queue } {
    const name = `${pascal(queueId)}Queue`;
    // A bucket's queue is made with its bucket (stateful stack); its consumer and alarm are here.
    const fromBucket = stateful.bucketQueues[queueId];
    if (fromBucket) {
      this.deadLetterQueue(name, `queue ${queueId}`, alarmAction, fromBucket.dlq);
      this.consume(fromBucket.queue, def);
      return fromBucket;
    }
    const dlq = this.deadLetterQueue(name, `queue ${queueId}`, alarmAction);
    const queue = new Queue(this, name, {
      visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(def.retentionDays),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: dlq, maxReceiveCount: def.maxReceives },
    });
    Tags.of(queue).add('blueprint-queue', queueId);
    // Raw delivery: the consumer sees the message body and its attributes, as the local stack delivers them.
    // SqsSubscription creates the subscription in the queue's stack, so this adds no reverse dependency.
    for (const sub of def.subscribesTo) {
      stateful.topics[sub.topic]!.addSubscription(
        new SqsSubscription(queue, {
          rawMessageDelivery: true,
          ...(sub.filterPolicy ? { filterPolicy: toSnsFilter(sub.filterPolicy) } : {}),
        }),
      );
    }
    this.consume(queue, def);
    return { queue, dlq };
  }

  private consume(queue: Queue, def: QueueDef): void {
    // The consumer knows its last attempt (delivery settles what is still left then).
    this.functions[def.function]!.fn.addEnvironment(envNames.queueMaxReceives, String(def.maxReceives));
    this.functions[def.function]!.fn.addEventSource(
      new SqsEventSource(queue, {
        batchSize: def.batchSize,
        maxBatchingWindow:
          def.maxBatchingWindowSeconds > 0 ? Duration.seconds(def.maxBatchingWindowSeconds) : undefined,
        maxConcurrency: def.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }
}

function toSnsFilter(policy: FilterPolicy): Record<string, SubscriptionFilter> {
  return Object.fromEntries(
    Object.entries(policy).map(([attr, conditions]) => [
      attr,
      new SubscriptionFilter(conditions as unknown[]),
    ]),
  );
}

/** The Cognito hosted sign-in domain's prefix (globally unique per region: service, stage, account). */
function consoleSignInPrefix(service: string, stage: string, account: string): string {
  return `${service}-${stage}-${account}`;
}
