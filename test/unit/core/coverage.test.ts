import { describe, expect, it } from 'vitest';
import { openBook } from '../../../functions/core/restrictions/engine.ts';
import { coverageGaps } from '../../../functions/core/restrictions/queries.ts';
import { shippedRestrictionData } from '../../../schemas/data/index.ts';

const book = openBook(shippedRestrictionData);

describe('coverageGaps (the daily safety net)', () => {
  it('finds nothing while rules and calendars cover the next 30 days', () => {
    expect(coverageGaps(book, ['beijing', 'tianjin'], '2026-11-21', 30)).toEqual([]);
  });

  it('reports every day a city has no rule (Xi’an after 2026-11-06)', () => {
    const gaps = coverageGaps(book, ['xian'], '2026-11-21', 30);
    expect(gaps).toHaveLength(30);
    expect(gaps[0]).toEqual({ city: 'xian', date: '2026-11-21', reason: 'no-rule' });
  });

  it('reports the days of a year without a calendar', () => {
    const gaps = coverageGaps(book, ['beijing'], '2026-12-15', 30);
    expect(gaps[0]).toEqual({ city: 'beijing', date: '2027-01-01', reason: 'no-calendar' });
    expect(gaps).toHaveLength(13);
  });

  it('reports a served city the data does not know at all', () => {
    expect(coverageGaps(book, ['shanghai'], '2026-11-21', 30)).toEqual([
      { city: 'shanghai', date: '2026-11-21', reason: 'unknown-city' },
    ]);
  });
});
