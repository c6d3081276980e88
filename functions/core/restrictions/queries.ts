/**
 * The public questions, as use cases over a RestrictionBook: the cities we know with their rule
 * today, one city's answer for a day or a range of days, one plate's answer.
 */
import type { RestrictionAnswer } from '../../../schemas/restrictions.ts';
import { addDays, daysBetween } from '../time.ts';
import { type RestrictionBook, requireCity, restrictionOn, ruleOn } from './engine.ts';

export function citySummaries(book: RestrictionBook, date: string) {
  return [...book.cities.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([city, { name }]) => {
      const rule = ruleOn(book, city, date);
      return {
        city,
        name,
        verified: rule ? rule.verified : null,
        rule: rule
          ? {
              id: rule.id,
              validFrom: rule.validFrom,
              validTo: rule.validTo,
              scheme: rule.scheme,
              windows: rule.windows,
              area: rule.area,
              letterTail: rule.letterTail,
              sources: rule.sources,
            }
          : null,
        today: restrictionOn(book, city, date),
      };
    });
}

export function restrictionsBetween(
  book: RestrictionBook,
  city: string,
  from: string,
  to: string,
): RestrictionAnswer[] {
  requireCity(book, city);
  const days = daysBetween(from, to) + 1;
  return Array.from({ length: days }, (_, i) => restrictionOn(book, city, addDays(from, i)));
}

export interface CoverageGap {
  city: string;
  date: string;
  reason: 'no-rule' | 'no-calendar' | 'unknown-city';
}

/**
 * The safety net: every day in the next `days` days on which a served city would answer `unknown`,
 * so a department learns before its pushes stop, not after.
 */
export function coverageGaps(
  book: RestrictionBook,
  cities: readonly string[],
  from: string,
  days: number,
): CoverageGap[] {
  const gaps: CoverageGap[] = [];
  for (const city of cities) {
    if (!book.cities.has(city)) {
      gaps.push({ city, date: from, reason: 'unknown-city' });
      continue;
    }
    for (let i = 0; i < days; i++) {
      const a = restrictionOn(book, city, addDays(from, i));
      if (a.status === 'unknown')
        gaps.push({ city, date: a.date, reason: a.reason as 'no-rule' | 'no-calendar' });
    }
  }
  return gaps;
}

/** Per city with gaps: its first missing day, why, and how many days are missing. */
export function firstGapPerCity(gaps: readonly CoverageGap[]) {
  const byCity = new Map<string, CoverageGap[]>();
  for (const g of gaps) byCity.set(g.city, [...(byCity.get(g.city) ?? []), g]);
  return [...byCity].map(([city, mine]) => ({
    city,
    firstMissingDay: mine[0]!.date,
    reason: mine[0]!.reason,
    missingDays: mine.length,
  }));
}
