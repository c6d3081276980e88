/**
 * The cities a deployment pushes restriction reminders for, as configured (SERVED_CITIES: the
 * blueprint's list, comma-separated). Validated, so a typo fails the function at start with the
 * variable's name instead of silently promising no reminders, or the wrong ones.
 */
import { z } from 'zod';
import { CityCodeSchema } from '../../../schemas/restrictions.ts';

const ServedCitiesSchema = z
  .string({ error: 'SERVED_CITIES is not set' })
  .transform((s) => s.split(',').map((c) => c.trim()))
  .pipe(z.array(CityCodeSchema).min(1, 'SERVED_CITIES lists no city'));

/** "beijing,tianjin,xian" → the set of codes; throws naming SERVED_CITIES and what is wrong. */
export function reminderCitiesFrom(value: string | undefined): ReadonlySet<string> {
  const parsed = ServedCitiesSchema.safeParse(value);
  if (!parsed.success)
    throw new Error(
      `SERVED_CITIES must be comma-separated city codes (e.g. beijing,tianjin): ${parsed.error.issues.map((i) => i.message).join('; ')}`,
    );
  return new Set(parsed.data);
}
