/**
 * The pacing settings are bounded as the run's messages are: a rate per invocation the segments and
 * bundles could not carry fails the function's init, naming the variable, instead of planning
 * segments that their expander refuses and retries without end.
 */
import { describe, expect, it } from 'vitest';
import { planPace } from '../../../functions/core/pushes/deadline.ts';
import { blueprint } from '../../../lib/blueprint.ts';
import { MAX_RATE_PER_INVOCATION, RestrictionSegmentSchema } from '../../../schemas/pushes.ts';
import { DeliverWeChatSettingsSchema, PushPlanningSettingsSchema } from '../../../schemas/settings.ts';

const planning = blueprint.functions['plan-restriction-push']!.environment;
const delivery = blueprint.functions['deliver-wechat']!.environment;

describe('a rate per delivery invocation', () => {
  it('the blueprint’s rates are within the bound', () => {
    expect(PushPlanningSettingsSchema.parse(planning).maxRatePerInvocation).toBeLessThanOrEqual(
      MAX_RATE_PER_INVOCATION,
    );
    expect(DeliverWeChatSettingsSchema.parse(delivery).maxRatePerSecond).toBeLessThanOrEqual(
      MAX_RATE_PER_INVOCATION,
    );
  });
  it.each(['PUSH_RATE_PER_SECOND', 'PUSH_MAX_RATE_PER_SECOND'])('%s above it is refused', (name) => {
    for (const [schema, env] of [
      [PushPlanningSettingsSchema, planning],
      [DeliverWeChatSettingsSchema, delivery],
    ] as const) {
      const r = schema.safeParse({ ...env, [name]: String(MAX_RATE_PER_INVOCATION + 1) });
      expect(r.success).toBe(false);
      expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual([name]);
    }
  });
  it('the most the settings allow is planned into a segment its expander accepts', () => {
    const limits = PushPlanningSettingsSchema.parse({
      ...planning,
      PUSH_RATE_PER_SECOND: String(MAX_RATE_PER_INVOCATION),
      PUSH_MAX_RATE_PER_SECOND: String(MAX_RATE_PER_INVOCATION),
      PUSH_MAX_TOTAL_RATE: '1000000',
    });
    // An audience no limit lets arrive in time: the plan asks for the most it may.
    const plan = planPace(
      10_000_000,
      new Date('2026-11-16T06:30:00+08:00'),
      new Date('2026-11-16T07:00:00+08:00'),
      limits,
    );
    expect(plan.ratePerInvocation).toBe(MAX_RATE_PER_INVOCATION);
    const segment = {
      runKey: 'restriction#beijing#2026-11-16#morning',
      category: 'restriction',
      city: 'beijing',
      date: '2026-11-16',
      slot: 'morning',
      tail: 0,
      shard: 0,
      ratePerSecond: plan.ratePerInvocation,
    };
    expect(RestrictionSegmentSchema.safeParse(segment).success).toBe(true);
  });
});
