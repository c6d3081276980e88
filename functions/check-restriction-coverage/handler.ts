/**
 * Daily schedule: for each served city, is there a rule and a calendar for every day of the next 30
 * (functions/core/restrictions/queries.ts)? Gaps raise the RestrictionCoverageGaps metric (alarmed)
 * and a warning per city with its first missing day and why.
 */
import * as z from 'zod';
import { CoverageSettingsSchema } from '../../schemas/settings.ts';
import { bookOf } from '../core/restrictions/engine.ts';
import { coverageGaps, firstGapPerCity } from '../core/restrictions/queries.ts';
import { today } from '../core/time.ts';
import { clock } from '../shared/clock.ts';
import { settings } from '../shared/config.ts';
import { scheduleHandler } from '../shared/schedule.ts';
import { telemetry } from '../shared/telemetry.ts';
import { restrictionData } from '../shared/wiring/restriction-data.ts';

const { cities, days } = settings(CoverageSettingsSchema);

export const handler = scheduleHandler(z.strictObject({}), async () => {
  const from = today(clock);
  const gaps = coverageGaps(bookOf(await restrictionData.load()), cities, from, days);
  for (const gap of firstGapPerCity(gaps))
    telemetry.log('warn', 'restriction data runs out: pushes and 限行 replies will answer "unknown"', gap);
  telemetry.metric('RestrictionCoverageGaps', gaps.length);
  return { from, days, cities, gaps: gaps.length, firstGaps: gaps.slice(0, 20) };
});
