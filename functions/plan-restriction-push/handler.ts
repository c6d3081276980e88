/**
 * Scheduled at 07:00 and 20:00 (Asia/Shanghai) per served city with `{ city, slot }`: plans the
 * day's restriction push (see functions/core/push-planning.ts).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { RestrictionPushRequestSchema } from '../../schemas/pushes.ts';
import { planRestrictionPush } from '../core/pushes/planning.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { restrictionPlanningDeps } from '../shared/restriction-planning.ts';

export const handler = async (event: unknown) => {
  const req = RestrictionPushRequestSchema.parse(event);
  try {
    const deps = await restrictionPlanningDeps((city, date, reason) => {
      logger.error('restriction push skipped: the engine cannot answer', { city, date, reason });
      metrics.addMetric('RestrictionPushUnknownDays', MetricUnit.Count, 1);
    });
    const run = await planRestrictionPush(req, deps);
    logger.info('restriction push planned', { ...run });
    return run;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
