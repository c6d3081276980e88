/**
 * Scheduled at 07:00 and 20:00 (Asia/Shanghai) per served city with `{ city, slot }`: plans the
 * day's restriction push (see functions/core/push-planning.ts).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { RestrictionPushRequestSchema } from '../../schemas/pushes.ts';
import { publishAll } from '../adapters/sns/publisher.ts';
import { planRestrictionPush } from '../core/push-planning.ts';
import { bookOf } from '../core/restrictions.ts';
import { clock as systemClock } from '../shared/clock.ts';
import { topicArn } from '../shared/config.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { pushRuns } from '../shared/pushes.ts';
import { restrictionData } from '../shared/restriction-data.ts';

const segmentsTopic = topicArn('push-segments');

export const handler = async (event: unknown) => {
  const req = RestrictionPushRequestSchema.parse(event);
  try {
    const run = await planRestrictionPush(req, {
      book: bookOf(await restrictionData.load()),
      clock: systemClock,
      runs: pushRuns,
      publishSegments: async (segments) => {
        await publishAll(
          segmentsTopic,
          segments.map((s) => ({ body: s })),
        );
      },
      unknownDay: (city, date, reason) => {
        logger.error('restriction push skipped: the engine cannot answer', { city, date, reason });
        metrics.addMetric('RestrictionPushUnknownDays', MetricUnit.Count, 1);
      },
    });
    logger.info('restriction push planned', { ...run });
    return run;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
