/**
 * The restriction data shipped with the code, validated when first read: a bad edit to a JSON file
 * fails the first test (and the first answer that needs it) with the file and field, not a wrong
 * answer later.
 * DynamoDB holds what administrators add on top (see functions/adapters/dynamodb/restriction-data.ts).
 */
import * as z from 'zod';
import {
  type HolidayCalendar,
  HolidayCalendarSchema,
  type RestrictionRule,
  RestrictionRuleSchema,
  type Suspension,
  SuspensionSchema,
} from '../restrictions.ts';
import cal2022 from './calendars/2022.json' with { type: 'json' };
import cal2023 from './calendars/2023.json' with { type: 'json' };
import cal2024 from './calendars/2024.json' with { type: 'json' };
import cal2025 from './calendars/2025.json' with { type: 'json' };
import cal2026 from './calendars/2026.json' with { type: 'json' };
import beijing from './rules/beijing.json' with { type: 'json' };
import chengdu from './rules/chengdu.json' with { type: 'json' };
import hangzhou from './rules/hangzhou.json' with { type: 'json' };
import lanzhou from './rules/lanzhou.json' with { type: 'json' };
import tianjin from './rules/tianjin.json' with { type: 'json' };
import xian from './rules/xian.json' with { type: 'json' };
import suspensions from './suspensions.json' with { type: 'json' };

function parse<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new Error(
      `schemas/data/${file}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return result.data;
}

export interface ShippedRestrictionData {
  calendars: HolidayCalendar[];
  rules: RestrictionRule[];
  suspensions: Suspension[];
}

let parsed: ShippedRestrictionData | undefined;

function load(): ShippedRestrictionData {
  parsed ??= {
    calendars: [
      parse(HolidayCalendarSchema, cal2022, 'calendars/2022.json'),
      parse(HolidayCalendarSchema, cal2023, 'calendars/2023.json'),
      parse(HolidayCalendarSchema, cal2024, 'calendars/2024.json'),
      parse(HolidayCalendarSchema, cal2025, 'calendars/2025.json'),
      parse(HolidayCalendarSchema, cal2026, 'calendars/2026.json'),
    ],
    rules: Object.entries({ beijing, tianjin, xian, hangzhou, chengdu, lanzhou }).flatMap(([city, records]) =>
      parse(z.array(RestrictionRuleSchema), records, `rules/${city}.json`),
    ),
    suspensions: parse(z.array(SuspensionSchema), suspensions, 'suspensions.json'),
  };
  return parsed;
}

/** Parsed on first use, not at import: ~13 ms of every cold start of a function that may not ask. */
export const shippedRestrictionData: ShippedRestrictionData = {
  get calendars() {
    return load().calendars;
  },
  get rules() {
    return load().rules;
  },
  get suspensions() {
    return load().suspensions;
  },
};
