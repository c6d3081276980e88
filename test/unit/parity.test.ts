/**
 * One blueprint, two builders: what the CDK builder synthesizes and what the local builder serves
 * must be the same set of routes, queues, schedules, one-off schedule groups, topics and bus rules.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { blueprint, defineBlueprint } from '../../lib/blueprint.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import type { Blueprint } from '../../schemas/blueprint.ts';
import { fixtureBlueprintInput } from '../fixtures/blueprint.ts';
import { synth } from '../infra/helpers.ts';

function awsSurface(bp: Blueprint) {
  // Physical names carry the stage; the local stack is stage `local`, so compare like with like.
  const { stateful, stateless, routes } = synth(bp, { stage: 'local' });
  const props = (t: Template, type: string) => Object.values(t.findResources(type)).map((r) => r.Properties);
  const blueprintId = (description: string) => /^blueprint:([a-z0-9-]+)/.exec(description)?.[1];
  const tagged = (t: Template, type: string, key: string) =>
    props(t, type)
      .flatMap((p) => (p.Tags ?? []) as Array<{ Key: string; Value: string }>)
      .filter((tag) => tag.Key === key)
      .map((tag) => tag.Value)
      .sort();
  return {
    // The routes are in the stateless stack's nested stack (lib/aws: 500 resources a template).
    routes: props(routes, 'AWS::ApiGatewayV2::Route')
      .map((r) => r.RouteKey as string)
      .sort(),
    // A bucket's queue is made with its bucket, in the stateful stack.
    queues: [
      ...tagged(stateless, 'AWS::SQS::Queue', 'blueprint-queue'),
      ...tagged(stateful, 'AWS::SQS::Queue', 'blueprint-queue'),
    ].sort(),
    buckets: tagged(stateful, 'AWS::S3::Bucket', 'blueprint-bucket'),
    schedules: props(stateless, 'AWS::Scheduler::Schedule')
      .map((s) => `${blueprintId(s.Description)} ${s.ScheduleExpression} ${s.ScheduleExpressionTimezone}`)
      .sort(),
    scheduleGroups: props(stateless, 'AWS::Scheduler::ScheduleGroup')
      .map((g) => g.Name as string)
      .sort(),
    topics: tagged(stateful, 'AWS::SNS::Topic', 'blueprint-topic'),
    busRules: props(stateless, 'AWS::Events::Rule')
      .map((r) => blueprintId(r.Description))
      .sort(),
  };
}

function localSurface(bp: Blueprint) {
  const s = new LocalStack({ blueprint: bp, port: 0, dataDir: '/nonexistent' }).surface();
  return {
    routes: s.routes,
    queues: s.queues,
    schedules: s.schedules,
    scheduleGroups: s.scheduleGroups,
    topics: s.topics,
    buckets: s.buckets,
    busRules: s.busRules,
  };
}

describe('builder parity', () => {
  it.each([
    ['the real blueprint', blueprint],
    ['the fixture using every kind of entry', defineBlueprint(fixtureBlueprintInput)],
  ])(
    'CDK and local expose the same routes, queues, schedules, topics and rules for %s',
    (_name, bp) => {
      const aws = awsSurface(bp);
      const local = localSurface(bp);
      expect(local).toEqual(aws);
      expect(aws.routes.length).toBe(bp.routes.length);
      // Synthesizing the real blueprint takes tens of seconds on a loaded machine.
    },
    120_000,
  );

  it('the fixture really exercises every kind', () => {
    const s = localSurface(defineBlueprint(fixtureBlueprintInput));
    expect(s.queues.length).toBeGreaterThan(0);
    expect(s.topics.length).toBeGreaterThan(0);
    expect(s.schedules.length).toBeGreaterThan(0);
    expect(s.scheduleGroups.length).toBeGreaterThan(0);
    expect(s.busRules.length).toBeGreaterThan(0);
  });
});
