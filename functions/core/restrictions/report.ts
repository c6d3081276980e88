/**
 * What operators see of the restriction data (report-restriction-data): every record the engine
 * answers from with where it comes from, the served cities' coverage gaps, and — before a calendar
 * is saved — which dates' answers it would change, computed by the engine itself on the data as it
 * is and as it would be.
 */
import type { CalendarChange } from '../../../schemas/restriction-admin.ts';
import type { HolidayCalendar, RestrictionAnswer } from '../../../schemas/restrictions.ts';
import { ValidationError } from '../errors.ts';
import { addDays } from '../time.ts';
import type { VersionedDataset } from './admin.ts';
import { openBook, restrictionOn } from './engine.ts';
import { coverageGaps, firstGapPerCity } from './queries.ts';

const sourced = <T>(versions: VersionedDataset['versions'], key: string, value: T) => {
  const version = versions.get(key) ?? 0;
  return { source: version > 0 ? ('stored' as const) : ('shipped' as const), version, value };
};

export function restrictionDataReport(
  data: VersionedDataset,
  servedCities: readonly string[],
  today: string,
  days: number,
  date: string = today,
) {
  const book = openBook(data);
  const gaps = coverageGaps(book, servedCities, today, days);
  const v = data.versions;
  return {
    today,
    servedCities: [...servedCities],
    answers: {
      date,
      cities: [...book.cities.keys()].sort().map((city) => restrictionOn(book, city, date)),
    },
    coverage: {
      from: today,
      days,
      gaps: firstGapPerCity(gaps),
      missingDays: gaps.map((g) => ({ city: g.city, date: g.date, reason: g.reason })),
    },
    calendars: [...data.calendars]
      .sort((a, b) => a.year - b.year)
      .map((c) => {
        const s = sourced(v, `calendar#${c.year}`, c);
        return { source: s.source, version: s.version, calendar: c };
      }),
    rules: [...data.rules]
      .sort((a, b) => a.city.localeCompare(b.city) || a.validFrom.localeCompare(b.validFrom))
      .map((r) => {
        const s = sourced(v, `rule#${r.id}`, r);
        return { source: s.source, version: s.version, rule: r };
      }),
    suspensions: [...data.suspensions]
      .sort((a, b) => a.city.localeCompare(b.city) || a.from.localeCompare(b.from))
      .map((x) => {
        const s = sourced(v, `suspension#${x.id}`, x);
        return { source: s.source, version: s.version, suspension: x };
      }),
  };
}

const summary = (a: RestrictionAnswer) => ({
  status: a.status,
  reason: a.reason,
  tails: a.tails,
  holiday: a.holiday,
});
const same = (a: RestrictionAnswer, b: RestrictionAnswer) =>
  a.status === b.status &&
  a.reason === b.reason &&
  a.holiday === b.holiday &&
  a.tails.join(',') === b.tails.join(',');

/**
 * Every date of the calendar's year (and of holiday ranges reaching into the previous year) on which
 * some city with restriction data would answer differently once the calendar is stored. Nothing is saved.
 */
export function calendarChanges(data: VersionedDataset, candidate: HolidayCalendar, year: number) {
  if (candidate.year !== year)
    throw new ValidationError(`The body is the ${candidate.year} calendar but the path says ${year}.`, [
      { path: 'body.year', message: `the path says ${year}` },
    ]);
  const replaces = data.calendars.some((c) => c.year === year);
  const before = openBook(data);
  const after = openBook({
    ...data,
    calendars: [...data.calendars.filter((c) => c.year !== year), candidate],
  });
  const first = [`${year}-01-01`, ...candidate.holidays.map((h) => h.from)].sort()[0]!;
  const last = `${year}-12-31`;
  const cities = [...before.cities.keys()].sort();
  const changes: CalendarChange[] = [];
  for (let date = first; date <= last; date = addDays(date, 1)) {
    for (const city of cities) {
      const a = restrictionOn(before, city, date);
      const b = restrictionOn(after, city, date);
      if (!same(a, b)) changes.push({ date, city, before: summary(a), after: summary(b) });
    }
  }
  return { year, replaces, cities, changes, changedDates: new Set(changes.map((c) => c.date)).size };
}
