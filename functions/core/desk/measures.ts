/**
 * The desk's measures per ISO week (Asia/Shanghai) of the cases opened in it: by category, unit and
 * channel; the median time to the first answer; how many are or were overdue; satisfaction. Pure
 * over the cases read (`openedBetween`), so the admin API and the metrics say the same.
 */
import type { Case } from '../../../schemas/desk.ts';
import { addDays, civilDate, civilDayBounds, isoWeek } from '../time.ts';
import { overdueDeadline } from './cases.ts';
import type { CaseStore } from './ports.ts';

const count = (cases: readonly Case[], key: (c: Case) => string) => {
  const out: Record<string, number> = {};
  for (const c of cases) out[key(c)] = (out[key(c)] ?? 0) + 1;
  return out;
};

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Whether a case missed a deadline: answered late, or still open past one now. */
const wasOverdue = (c: Case, now: Date) =>
  overdueDeadline(c, now) !== null ||
  c.escalation !== null ||
  (c.firstAnsweredAt !== null && Date.parse(c.firstAnsweredAt) > Date.parse(c.firstAnswerDue));

export function weekMeasures(week: string, cases: readonly Case[], now: Date) {
  const firsts = cases
    .filter((c) => c.firstAnsweredAt)
    .map((c) => Math.round((Date.parse(c.firstAnsweredAt!) - Date.parse(c.createdAt)) / 60_000));
  const rated = cases.filter((c) => c.satisfaction !== null).map((c) => c.satisfaction!);
  return {
    week,
    cases: cases.length,
    byCategory: count(cases, (c) => c.category),
    byUnit: count(cases, (c) => c.unit),
    byChannel: count(cases, (c) => c.channel),
    medianFirstAnswerMinutes: median(firsts),
    overdue: cases.filter((c) => wasOverdue(c, now)).length,
    satisfaction: {
      answers: rated.length,
      average: rated.length
        ? Math.round((rated.reduce((a, b) => a + b, 0) / rated.length) * 100) / 100
        : null,
    },
  };
}

/** The last `weeks` ISO weeks, this one included, newest first. */
export async function deskMeasures(
  weeks: number,
  deps: { store: Pick<CaseStore, 'openedBetween'>; units: readonly string[]; now: Date },
) {
  const today = civilDate(deps.now);
  const monday = addDays(today, -((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7));
  const from = addDays(monday, -7 * (weeks - 1));
  const cases = await deps.store.openedBetween(
    deps.units,
    civilDayBounds(from).start,
    deps.now.toISOString(),
  );
  const out = [];
  for (let i = 0; i < weeks; i++) {
    const start = addDays(monday, -7 * i);
    const bounds = { from: civilDayBounds(start).start, to: civilDayBounds(addDays(start, 6)).end };
    const inWeek = cases.filter((c) => c.createdAt >= bounds.from && c.createdAt <= bounds.to);
    out.push(weekMeasures(isoWeek(start), inWeek, deps.now));
  }
  return { weeks: out };
}
