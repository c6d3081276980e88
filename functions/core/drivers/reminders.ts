/**
 * Due-date reminders (inspection, compulsory insurance, licence renewal) at configured offsets —
 * e.g. 30 and 7 days before, on the day (0) and once overdue (-1) — planned each morning by the
 * daily schedule from the sparse index of due dates.
 *
 * The day of a reminder (`reminderDay`): the due date minus the offset, in calendar days across
 * month and year ends; except that a reminder *before* the due date which would fall on a statutory
 * holiday (the restriction calendar, core/restrictions/calendar.ts) goes out on the last working day
 * before that holiday, while the offices that do inspections and renewals are still open. On-the-day
 * and overdue reminders are never moved. `plannedOn` is its inverse: the due dates (and offsets)
 * whose reminder is sent on a day, which is what the planner queries the index for.
 *
 * Primary course of planDueReminders (one run per kind and day, `driver#<kind>#<day>`):
 *  1. the day's (due date, offset) pairs; one segment per pair and index shard;
 *  2. each segment pages its shard of the index for that due date and kind (a cursor per segment,
 *     so a retried schedule resumes), and each due record becomes a notice to its verified owners (or
 *     the registered phone) through the one pipeline;
 *  3. yesterday's ingest runs (violations, points) are closed: every notice of that day is planned.
 */
import { DUE_KINDS, type DueKind } from '../../../schemas/drivers.ts';
import type { DeliveryMessage } from '../../../schemas/pushes.ts';
import type { DeliveryQueue } from '../delivery/ports.ts';
import type { PageCursor, SegmentCursors } from '../pushes/expansion.ts';
import type { NewRun, RunRecorder } from '../pushes/runs.ts';
import type { CalendarIndex } from '../restrictions/calendar.ts';
import { addDays, type Clock, today } from '../time.ts';
import { driverRunKey, dueNotice, noticeBundles, pageExpiry } from './notices.ts';
import type { DriverRecords, DueRecord } from './ports.ts';

/** Shards of the due-date index: one due date's items spread over this many partitions. */
export const DUE_SHARDS = 8;
/** How far ahead of a holiday a moved reminder can be looked for. */
const LOOKAHEAD_DAYS = 31;

const isHoliday = (cal: CalendarIndex, date: string) => cal.dayKind(date).kind === 'holiday';
const isWorkingDay = (cal: CalendarIndex, date: string) => {
  const k = cal.dayKind(date).kind;
  return k === 'workday' || k === 'makeup-workday' || k === 'unknown';
};

/** The day the reminder `offset` days before `dueDate` is sent. */
export function reminderDay(dueDate: string, offset: number, cal: CalendarIndex): string {
  let day = addDays(dueDate, -offset);
  if (offset <= 0 || !isHoliday(cal, day)) return day;
  for (let i = 0; i < LOOKAHEAD_DAYS && !isWorkingDay(cal, day); i++) day = addDays(day, -1);
  return day;
}

/** The (due date, offset) pairs whose reminder is sent on `day`: the inverse of `reminderDay`. */
export function plannedOn(
  day: string,
  offsets: readonly number[],
  cal: CalendarIndex,
): Array<{ dueDate: string; offset: number }> {
  const out: Array<{ dueDate: string; offset: number }> = [];
  // The holidays after `day` up to the next working day: their early reminders move back to `day`.
  const moved: string[] = [];
  if (isWorkingDay(cal, day))
    for (let d = addDays(day, 1), i = 0; i < LOOKAHEAD_DAYS && !isWorkingDay(cal, d); d = addDays(d, 1), i++)
      if (isHoliday(cal, d)) moved.push(d);
  for (const offset of offsets) {
    if (offset <= 0 || !isHoliday(cal, day)) out.push({ dueDate: addDays(day, offset), offset });
    if (offset > 0) for (const d of moved) out.push({ dueDate: addDays(d, offset), offset });
  }
  return out;
}

/** The due-date index as the planner pages it (functions/adapters/dynamodb/drivers.ts). */
export interface DueIndex {
  page(
    kind: DueKind,
    dueDate: string,
    shard: number,
    cursor: PageCursor,
    pageSize: number,
  ): Promise<{ items: DueRecord[]; next: PageCursor }>;
}

export interface ReminderDeps {
  records: Pick<DriverRecords, 'holders'>;
  index: DueIndex;
  calendar(): Promise<CalendarIndex>;
  runs: RunRecorder<NewRun<'driver', 'transactional', null>> &
    SegmentCursors & { get(runKey: string): Promise<{ status: string } | undefined> };
  deliveries: DeliveryQueue;
  clock: Clock;
  pageKey: Buffer;
  settings: { city: string; offsets: readonly number[]; smsToRegistered: boolean; pageDays: number };
  pageSize?: number;
}

/** The ingest kinds whose day runs the next morning closes. */
export const INGEST_KINDS = ['violation', 'points'] as const;
/** The one segment of an ingest day run: the day itself, done the next morning. */
export const DAY_SEGMENT = 'day';

export async function planDueReminders(req: { date?: string | undefined }, deps: ReminderDeps) {
  const day = req.date ?? today(deps.clock);
  const now = deps.clock.now();
  const at = now.toISOString();
  const pairs = plannedOn(day, deps.settings.offsets, await deps.calendar());
  // A page's bundles are recorded on the run (one item, 400 KB at most): 100 subjects a page.
  const pageSize = deps.pageSize ?? 100;
  const page = { key: deps.pageKey, expiresAt: pageExpiry(now.getTime(), deps.settings.pageDays) };
  const planned: Record<string, number> = {};
  for (const kind of DUE_KINDS) {
    const runKey = driverRunKey(kind, day);
    await deps.runs.createOrGet(
      {
        key: runKey,
        kind: 'driver',
        category: 'transactional',
        city: deps.settings.city,
        date: day,
        slot: null,
        status: 'running',
        reason: null,
        segmentsTotal: pairs.length * DUE_SHARDS,
        startedAt: at,
        lastActivityAt: at,
      },
      // No segment messages: this planner pages its segments itself (a retried schedule goes on from
      // each segment's cursor); a resume re-emits the recorded pages' bundles that have no receipt.
      [],
    );
    let count = 0;
    for (const { dueDate, offset } of pairs)
      for (let shard = 0; shard < DUE_SHARDS; shard++) {
        const segment = `${dueDate}#${offset}#${shard}`;
        for (;;) {
          const cursor = await deps.runs.segmentCursor(runKey, segment);
          if (cursor.done) break;
          const { items, next } = await deps.index.page(kind, dueDate, shard, cursor.cursor, pageSize);
          const holders = await deps.records.holders(items.map((i) => i.subject));
          const bundles: DeliveryMessage[] = [];
          for (const item of items) {
            const h = holders.get(item.subject.key);
            if (!h) continue;
            const ctx = {
              runKey,
              city: deps.settings.city,
              date: day,
              smsToRegistered: deps.settings.smsToRegistered,
            };
            bundles.push(...noticeBundles(dueNotice(item, offset, day, page), h, ctx));
          }
          const people = bundles.reduce((n, b) => n + b.recipients.length, 0);
          // Recorded before published, as a restriction page is (core/pushes/expansion.ts): a bundle
          // lost after this is emitted again by a resume; false: another planner took this page.
          if (
            !(await deps.runs.advanceSegment(
              runKey,
              segment,
              cursor.page,
              next,
              people,
              at,
              {},
              {
                bundles,
                settled: [],
              },
            ))
          )
            break;
          await deps.deliveries.publish(bundles);
          count += people;
          if (!next) break;
        }
      }
    planned[kind] = count;
  }
  // Yesterday's ingest runs: every notice of that day has been planned.
  for (const kind of INGEST_KINDS) {
    const runKey = driverRunKey(kind, addDays(day, -1));
    if (await deps.runs.get(runKey))
      await deps.runs.advanceSegment(runKey, DAY_SEGMENT, 0, null, 0, at, {}, { bundles: [], settled: [] });
  }
  return { date: day, pairs: pairs.length, planned };
}
