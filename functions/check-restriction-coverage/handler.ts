/**
 * Daily schedule: for each served city (SERVED_CITIES), is there a rule and a calendar for every
 * day of the next 30? Gaps raise the RestrictionCoverageGaps metric (alarmed) and a warning per
 * city with its first missing day and why.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { bookOf } from '../core/restrictions/engine.ts';
import { coverageGaps } from '../core/restrictions/queries.ts';
import { today } from '../core/time.ts';
import { clock } from '../shared/clock.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { restrictionData } from '../shared/restriction-data.ts';

const config = z
  .object({
    SERVED_CITIES: z.string().min(1),
    COVERAGE_DAYS: z.coerce.number().int().min(1).max(366).default(30),
  })
  .parse(process.env);
const cities = config.SERVED_CITIES.split(',').map((c) => c.trim());

export const handler = async () => {
  const from = today(clock);
  const gaps = coverageGaps(bookOf(await restrictionData.load()), cities, from, config.COVERAGE_DAYS);
  for (const city of new Set(gaps.map((g) => g.city))) {
    const mine = gaps.filter((g) => g.city === city);
    logger.warn('restriction data runs out: pushes and 限行 replies will answer "unknown"', {
      city,
      firstMissingDay: mine[0]!.date,
      reason: mine[0]!.reason,
      missingDays: mine.length,
    });
  }
  metrics.addMetric('RestrictionCoverageGaps', MetricUnit.Count, gaps.length);
  metrics.publishStoredMetrics();
  return { from, days: config.COVERAGE_DAYS, cities, gaps: gaps.length, firstGaps: gaps.slice(0, 20) };
};
