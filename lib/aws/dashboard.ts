/**
 * The duty officer's CloudWatch dashboard, one per stage: alarm states first, then webhooks (errors,
 * latency against WeChat's 5 s), push runs (functions, queue backlogs, the outcomes that are
 * metrics), dead letters, the WeChat quota and the SMS budget, restriction-data coverage, and a
 * reserved section for the service desk's overdue inbox. Built from the blueprint (which functions
 * serve webhooks, which queues exist) and from the metrics the functions really emit (EMF, namespace
 * = service, dimension `service`); test/infra/operations.test.ts checks each custom metric named here
 * against the code that emits it.
 */
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Blueprint } from '../../schemas/blueprint.ts';
import type { ServiceFunction } from './service-function.ts';

/** The custom metrics each section shows (emitted by functions/ with Powertools Metrics). */
export const DASHBOARD_METRICS = {
  pushOutcomes: [
    'SmsSent',
    'SmsUnknownOutcome',
    'SmsFallbacks',
    'SmsFallbackFailures',
    'ChannelHalts',
    'WeChatAsyncRepliesSent',
  ],
  quotaAndBudget: ['WeChatQuotaExhausted', 'WeChatConfigErrors', 'SmsBudgetExhausted', 'SmsConfigErrors'],
  coverage: ['RestrictionCoverageGaps', 'RestrictionPushUnknownDays', 'RestrictionPushLatePlans'],
  publishing: ['ScheduledNoticeFailures', 'PublishScheduleFailures'],
  /** The service desk (issue 17): overdue and escalated (督办, alarmed), opened, media refused. */
  desk: ['DeskCasesOverdue', 'DeskCasesEscalated', 'DeskCasesOpened', 'DeskMediaRefused'],
  /** The desk's measures as CloudWatch computes them: the median first answer, the average satisfaction. */
  deskMeasures: ['DeskFirstAnswerSeconds', 'DeskSatisfactionScore'],
} as const;

/** The service desk's section: overdue cases (督办) first, then the week's measures. */
export const INBOX_OVERDUE_TITLE = 'Inbox overdue (service desk)';

export interface OperationsDashboardProps {
  readonly name: string;
  readonly blueprint: Blueprint;
  readonly api: HttpApi;
  readonly functions: Record<string, ServiceFunction>;
  readonly deadLetterQueues: ReadonlyArray<{ what: string; queue: Queue }>;
  readonly queues: Record<string, { queue: Queue; dlq: Queue }>;
  readonly alarms: readonly Alarm[];
}

const FIVE_MINUTES = Duration.minutes(5);

export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const { blueprint, functions } = props;
    const custom = (metricName: string, statistic = 'Sum', period = FIVE_MINUTES) =>
      new Metric({
        namespace: blueprint.service,
        metricName,
        dimensionsMap: { service: blueprint.service },
        statistic,
        period,
      });
    const graph = (
      title: string,
      left: IMetric[],
      extra: Partial<ConstructorParameters<typeof GraphWidget>[0]> = {},
    ) => new GraphWidget({ title, left, width: 8, height: 6, ...extra });
    const section = (title: string, text = '') =>
      new TextWidget({ markdown: `## ${title}${text ? `\n${text}` : ''}`, width: 24, height: text ? 2 : 1 });

    const webhookFns = [
      ...new Set(
        blueprint.routes
          .filter((r) => r.auth === 'wechat-signature' || r.auth === 'sms-signature')
          .map((r) => r.function),
      ),
    ];
    const consumerFns = [
      ...new Set([
        ...Object.values(blueprint.queues).map((q) => q.function),
        ...Object.values(blueprint.schedules).map((s) => s.function),
      ]),
    ];
    const label = (fnId: string, what: string) => ({ label: `${fnId} ${what}` });
    const perFunction = (ids: string[], metric: (sf: ServiceFunction, id: string) => IMetric) =>
      ids.filter((fnId) => functions[fnId]).map((fnId) => metric(functions[fnId]!, fnId));

    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown: [
            `# ${blueprint.service}: duty officer`,
            'Every alarm below also goes to the on-call topic (stateful stack output `OnCallTopicArn`).',
            'What to do: `docs/runbooks/` (dead letters, restoring a table, rotating keys and secrets).',
          ].join('\n\n'),
          width: 24,
          height: 3,
        }),
      ],
      [new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 6 })],
      [
        section(
          'Webhooks (WeChat, SMS gateways)',
          'WeChat waits 5 s for an answer, then retries twice and shows the follower an error.',
        ),
      ],
      [
        graph('Webhook errors and throttles', [
          ...perFunction(webhookFns, (sf, id) =>
            sf.fn.metricErrors({ period: FIVE_MINUTES, ...label(id, 'errors') }),
          ),
          ...perFunction(webhookFns, (sf, id) =>
            sf.fn.metricThrottles({ period: FIVE_MINUTES, ...label(id, 'throttles') }),
          ),
        ]),
        graph(
          'Webhook latency (p99, p50)',
          [
            ...perFunction(webhookFns, (sf, id) =>
              sf.fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99', ...label(id, 'p99') }),
            ),
            ...perFunction(webhookFns, (sf, id) =>
              sf.fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p50', ...label(id, 'p50') }),
            ),
          ],
          { leftAnnotations: [{ value: 5000, label: 'WeChat gives up at 5 s' }] },
        ),
        graph(
          'HTTP API: 5xx, 4xx and latency (p99)',
          [
            props.api.metricServerError({ period: FIVE_MINUTES, label: '5xx' }),
            props.api.metricClientError({ period: FIVE_MINUTES, label: '4xx' }),
          ],
          {
            right: [
              props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99', label: 'latency p99' }),
            ],
          },
        ),
      ],
      [
        section(
          'Push runs and outcomes',
          'Per-run outcomes (sent, capped, duplicate, opted-out, …) are recorded on the run: `GET /v1/admin/pushes/{id}` or `npm run push -- --api <url> --show <run key>`.',
        ),
      ],
      [
        graph(
          'Planning, expansion and delivery: invocations and errors',
          [
            ...perFunction(consumerFns, (sf, id) =>
              sf.fn.metricInvocations({ period: FIVE_MINUTES, ...label(id, 'invocations') }),
            ),
          ],
          {
            right: perFunction(consumerFns, (sf, id) =>
              sf.fn.metricErrors({ period: FIVE_MINUTES, ...label(id, 'errors') }),
            ),
          },
        ),
        graph(
          'Queue backlog (messages visible; oldest, s)',
          Object.entries(props.queues).map(([queueId, q]) =>
            q.queue.metricApproximateNumberOfMessagesVisible({
              period: FIVE_MINUTES,
              statistic: 'Maximum',
              label: queueId,
            }),
          ),
          {
            right: Object.entries(props.queues).map(([queueId, q]) =>
              q.queue.metricApproximateAgeOfOldestMessage({
                period: FIVE_MINUTES,
                statistic: 'Maximum',
                label: `${queueId} oldest`,
              }),
            ),
          },
        ),
        graph(
          'Outcomes counted as metrics',
          DASHBOARD_METRICS.pushOutcomes.map((m) => custom(m)),
        ),
      ],
      [
        section(
          'Dead letters',
          'Anything here is work that failed every retry: `docs/runbooks/dead-letters.md`.',
        ),
      ],
      [
        new GraphWidget({
          title: 'Messages in dead-letter queues',
          left: props.deadLetterQueues.map(({ what, queue }) =>
            queue.metricApproximateNumberOfMessagesVisible({
              period: Duration.minutes(1),
              statistic: 'Maximum',
              label: what,
            }),
          ),
          width: 24,
          height: 6,
        }),
      ],
      [
        section(
          'WeChat quota and SMS budget',
          "The month's SMS spend against its ceiling: `GET /v1/admin/sms/budget` (operator).",
        ),
      ],
      [
        graph(
          'Quota and budget stops, configuration errors',
          DASHBOARD_METRICS.quotaAndBudget.map((m) => custom(m)),
          {
            width: 24,
          },
        ),
      ],
      [section('Restriction data coverage and publishing')],
      [
        graph(
          'Coverage gaps (next 30 days), unknown-day skips, reminders planned late',
          [
            custom('RestrictionCoverageGaps', 'Maximum', Duration.hours(1)),
            custom('RestrictionPushUnknownDays', 'Sum', Duration.hours(1)),
            custom('RestrictionPushLatePlans', 'Sum', Duration.hours(1)),
          ],
          { width: 12 },
        ),
        graph(
          'Scheduled publication failures',
          DASHBOARD_METRICS.publishing.map((m) => custom(m)),
          { width: 12 },
        ),
      ],
      [
        section(
          INBOX_OVERDUE_TITLE,
          'Open cases past a deadline are escalated to their unit’s supervisors: the 督办 list, `GET /v1/admin/desk/overdue` (supervisor), or the console’s 督办 page. Breakdowns by category, channel and unit are the same metrics with that dimension.',
        ),
      ],
      [
        graph(
          'Overdue (max per run), escalated, opened, media refused',
          [
            custom('DeskCasesOverdue', 'Maximum', Duration.hours(1)),
            custom('DeskCasesEscalated', 'Sum', Duration.hours(1)),
            custom('DeskCasesOpened', 'Sum', Duration.hours(1)),
            custom('DeskMediaRefused', 'Sum', Duration.hours(1)),
          ],
          { width: 12 },
        ),
        graph(
          'Time to first answer (p50, seconds) and satisfaction (average, 1 best – 3 worst)',
          [custom('DeskFirstAnswerSeconds', 'p50', Duration.days(1))],
          { width: 12, right: [custom('DeskSatisfactionScore', 'Average', Duration.days(1))] },
        ),
      ],
    ];

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.name,
      defaultInterval: Duration.hours(24),
      widgets: rows,
    });
  }
}
