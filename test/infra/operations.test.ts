/** Issue #14 item 5: one on-call topic for every alarm, and the duty officer's dashboard. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_METRICS, INBOX_OVERDUE_TITLE } from '../../lib/aws/dashboard.ts';
import { blueprint, defineBlueprint, REPO_ROOT } from '../../lib/blueprint.ts';
import { fixtureBlueprintInput } from '../fixtures/blueprint.ts';
import { DEPARTMENT_OIDC, type Synthesized, synth } from './helpers.ts';

const fixture = defineBlueprint(fixtureBlueprintInput);
const real = synth(blueprint, {
  region: 'us-east-1',
  onCall: { protocol: 'email', endpoint: 'duty@example.gov.cn' },
});

function alarmTopicImport(s: Synthesized) {
  const topicId = s.built.stateful.getLogicalId(s.built.stateful.alarmTopic.node.defaultChild as never);
  return topicId;
}

describe('every alarm goes to the one on-call topic', () => {
  it.each([
    ['the real blueprint', real],
    ['the fixture blueprint', synth(fixture)],
    ['the real blueprint in aws-cn', synth(blueprint, { region: 'cn-north-1', identity: DEPARTMENT_OIDC })],
  ])('%s', (_name, s) => {
    const topicId = alarmTopicImport(s);
    const alarms = [s.stateful, s.stateless].flatMap((t) =>
      Object.values(t.findResources('AWS::CloudWatch::Alarm')),
    );
    expect(alarms.length).toBeGreaterThan(2);
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toHaveLength(1);
      // The stateless stack imports the stateful stack's topic ARN.
      expect(JSON.stringify(a.Properties.AlarmActions[0])).toContain(topicId);
    }
    expect(s.built.stateless.alarms.length).toBe(alarms.length);
  });

  it('subscribes the configured endpoint, by email or SMS where SNS has SMS, and exports the topic', () => {
    real.stateful.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'duty@example.gov.cn',
      TopicArn: { Ref: alarmTopicImport(real) },
    });
    const sms = synth(blueprint, {
      region: 'us-east-1',
      onCall: { protocol: 'sms', endpoint: '+8613800138000' },
    });
    sms.stateful.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sms',
      Endpoint: '+8613800138000',
    });
    const none = synth(fixture);
    expect(Object.keys(none.stateful.findResources('AWS::SNS::Subscription'))).toEqual([]);
    expect(Object.keys(real.stateful.findOutputs('OnCallTopicArn'))).toHaveLength(1);
  });
});

describe('the duty officer dashboard', () => {
  const dashboards = real.stateless.findResources('AWS::CloudWatch::Dashboard');
  const [dashboard] = Object.values(dashboards);
  const body = JSON.stringify(real.built.stateless.resolve(dashboard!.Properties.DashboardBody));

  it('is one per stage', () => {
    expect(Object.keys(dashboards)).toHaveLength(1);
    expect(dashboard!.Properties.DashboardName).toBe('traffic-police-messaging-prod-operations');
  });

  it('shows webhooks, push runs, dead letters, quota and budget, coverage, and keeps a place for inbox overdue', () => {
    for (const title of [
      'Alarms',
      'Webhook errors and throttles',
      'Webhook latency',
      'HTTP API: 5xx, 4xx and latency',
      'Push runs and outcomes',
      'Queue backlog',
      'Messages in dead-letter queues',
      'WeChat quota and SMS budget',
      'Coverage gaps',
      INBOX_OVERDUE_TITLE,
    ])
      expect(body, title).toContain(title);
    // Webhook functions are the ones behind signature-authenticated routes.
    expect(body).toContain('receive-wechat errors');
    expect(body).toContain('receive-sms p99');
    // Every dead-letter queue is on it, and so is every alarm.
    const dlqs = real.built.stateless.deadLetterQueues;
    expect(dlqs.length).toBeGreaterThan(5);
    for (const { what } of dlqs) expect(body, what).toContain(what);
    const alarmIds = Object.keys(real.stateless.findResources('AWS::CloudWatch::Alarm'));
    for (const id of alarmIds) expect(body, id).toContain(`{"Fn::GetAtt":["${id}","Arn"]}`);
    for (const m of Object.values(DASHBOARD_METRICS).flat()) expect(body, m).toContain(m);
  });

  it('names only custom metrics the functions really emit', () => {
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) sources.push(readFileSync(path, 'utf8'));
      }
    };
    walk(join(REPO_ROOT, 'functions'));
    const code = sources.join('\n');
    for (const m of [
      ...Object.values(DASHBOARD_METRICS).flat(),
      ...Object.values(blueprint.alarms).map((a) => a.metric),
    ])
      expect(code, m).toMatch(new RegExp(`(addMetric|metric|smsMetric)\\('${m}'`));
  });
});
