/**
 * Scheduled at 06:30 and 20:00 (Asia/Shanghai) per served city with `{ city, slot }`: plans the
 * day's restriction push, paced to arrive before restrictions begin (functions/core/pushes/planning.ts).
 */
import { RestrictionPushRequestSchema } from '../../schemas/pushes.ts';
import { planRestrictionPush } from '../core/pushes/planning.ts';
import { scheduleHandler } from '../shared/schedule.ts';
import { telemetry } from '../shared/telemetry.ts';
import { restrictionPlanningDeps } from '../shared/wiring/restriction-planning.ts';

export const handler = scheduleHandler(RestrictionPushRequestSchema, async (req) => {
  const deps = await restrictionPlanningDeps(
    (city, date, reason) => {
      telemetry.log('error', 'restriction push skipped: the engine cannot answer', { city, date, reason });
      telemetry.metric('RestrictionPushUnknownDays');
    },
    (key, pace) => {
      telemetry.log('error', 'restriction push cannot arrive before its deadline within the limits', {
        key,
        ...pace,
      });
      telemetry.metric('RestrictionPushLatePlans');
    },
  );
  const run = await planRestrictionPush(req, deps);
  telemetry.log('info', 'restriction push planned', { ...run });
  return run;
});
