/**
 * The platform's events in, through one use case whatever carried them (a signed HTTP batch, a
 * JSON Lines drop read from S3).
 *
 * Primary course of ingestEvents:
 *  1. each event validated on its own (its kind's schema, the plate, the phone): an invalid one is
 *     refused with the reason, the others go on; an event id twice in one batch is a duplicate;
 *  2. each becomes a record: the registry keeps a salted keyed hash of the VIN's last 6 characters
 *     or the licence's file number and the registered phone sealed; violations keep their photo
 *     links only; due dates go to the sparse due-date index; each record expires after the retention;
 *  3. the notices: a violation the platform reports for the first time (unprocessed), points that
 *     rise to the configured threshold — each to the verified owners, or the registered phone where
 *     none verified on WeChat and the deployment enables it (./notices.ts), counted on the day's run
 *     of its kind, which exists before its bundles are published;
 *  4. the bundles published first, the records written after, each conditionally (a stored record of
 *     this event is a duplicate, a newer one makes it stale): a crash in between publishes again on the
 *     retry, and delivery's ledger and receipts keep each notice at most once per person;
 *  5. the answer, event by event.
 */
import {
  type DriverEvent,
  DriverEventSchema,
  type DriverSettings,
  type EventResult,
  type IngestAnswer,
  MAX_DRIVER_BATCH,
} from '../../../schemas/drivers.ts';
import type { DeliveryMessage } from '../../../schemas/pushes.ts';
import type { DeliveryQueue } from '../delivery/ports.ts';
import { ValidationError } from '../errors.ts';
import type { SegmentCursors } from '../pushes/expansion.ts';
import type { NewRun, RunRecorder } from '../pushes/runs.ts';
import { PlateError, parsePlate } from '../restrictions/plates.ts';
import { maskPhone, normalisePhone } from '../sms/numbers.ts';
import { type Clock, civilDate } from '../time.ts';
import {
  type DriverNotice,
  driverRunKey,
  noticeBundles,
  pageExpiry,
  pointsNotice,
  violationNotice,
} from './notices.ts';
import { type DriverRecord, type DriverRecords, type PointsRecord, recordId } from './ports.ts';
import { DAY_SEGMENT } from './reminders.ts';
import { licenceKey, maskLicence, opaque, sealProof, vehicleKey } from './subjects.ts';

export interface IngestDeps {
  records: DriverRecords;
  deliveries: DeliveryQueue;
  runs: RunRecorder<NewRun<'driver', 'transactional', null>> & SegmentCursors;
  clock: Clock;
  keys: { pepper: Buffer; pageKey: Buffer };
  /** The registered phone's SMS identity (keyed hash) and its sealed form. */
  phones: { id(e164: string): string; seal(e164: string, id: string): string };
  settings: Pick<
    DriverSettings,
    'city' | 'retentionDays' | 'pageDays' | 'smsToRegistered' | 'pointsNoticeAt'
  >;
  /** How many record writes run at once. */
  concurrency?: number;
}

/** Bundles a recorded page holds: a driver bundle is under 1 KB, a DynamoDB item at most 400 KB. */
export const MANIFEST_BUNDLES = 100;

const reasonOf = (issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>) =>
  issues.map((i) => `${i.path.map(String).join('.') || 'event'}: ${i.message}`).join('; ');

/** A validated event as the record it keeps; throws ValidationError (the reason) for a bad plate or phone. */
export function recordOf(e: DriverEvent, deps: Pick<IngestDeps, 'keys' | 'phones'>): DriverRecord {
  const { pepper } = deps.keys;
  const v = { asOf: e.occurredAt, eventId: e.eventId };
  const plate = (text: string) => {
    try {
      return parsePlate(text).canonical;
    } catch (error) {
      if (error instanceof PlateError) throw new ValidationError(`plate: ${error.message}`);
      throw error;
    }
  };
  const phone = (raw: string | undefined) => {
    if (raw === undefined) return null;
    let e164: string;
    try {
      e164 = normalisePhone(raw);
    } catch {
      throw new ValidationError('phone: not a mainland China mobile number');
    }
    const id = deps.phones.id(e164);
    return { id, sealed: deps.phones.seal(e164, id), masked: maskPhone(e164) };
  };
  switch (e.kind) {
    case 'vehicle-registry': {
      const p = plate(e.plate);
      return {
        ...v,
        type: 'vehicle',
        subject: vehicleKey(pepper, p),
        plate: p,
        plateType: e.plateType,
        vin: sealProof(pepper, e.vinLast6),
        phone: phone(e.phone),
      };
    }
    case 'licence-registry':
      return {
        ...v,
        type: 'licence',
        subject: licenceKey(pepper, e.licenceNumber),
        masked: maskLicence(e.licenceNumber),
        file: sealProof(pepper, e.fileNumber),
        phone: phone(e.phone),
      };
    case 'violation': {
      const p = plate(e.plate);
      return {
        ...v,
        type: 'violation',
        subject: vehicleKey(pepper, p),
        violationId: e.violationId,
        plate: p,
        plateType: e.plateType,
        time: e.time,
        place: e.place,
        act: e.act,
        fineYuan: e.fineYuan,
        points: e.points,
        photos: e.photos,
        state: e.state,
      };
    }
    case 'points':
      return {
        ...v,
        type: 'points',
        subject: licenceKey(pepper, e.licenceNumber),
        masked: maskLicence(e.licenceNumber),
        points: e.points,
        cycleEnd: e.cycleEnd ?? null,
      };
    case 'inspection-due':
    case 'insurance-expiry': {
      const p = plate(e.plate);
      return {
        ...v,
        type: 'due',
        kind: e.kind,
        subject: vehicleKey(pepper, p),
        display: p,
        dueDate: e.dueDate,
      };
    }
    case 'licence-renewal':
      return {
        ...v,
        type: 'due',
        kind: 'licence-renewal',
        subject: licenceKey(pepper, e.licenceNumber),
        display: maskLicence(e.licenceNumber),
        dueDate: e.dueDate,
      };
  }
}

/** Whether a record is news that people get a notice of, given what was stored before it. */
export function noticeOf(
  r: DriverRecord,
  before: DriverRecord | undefined,
  page: { key: Buffer; expiresAt: number },
  pointsNoticeAt: number,
): DriverNotice | null {
  if (before && Date.parse(before.asOf) >= Date.parse(r.asOf)) return null;
  if (r.type === 'violation') return !before && r.state === 'unprocessed' ? violationNotice(r, page) : null;
  if (r.type === 'points') {
    const was = (before as PointsRecord | undefined)?.points ?? -1;
    return r.points >= pointsNoticeAt && r.points > was ? pointsNotice(r, page) : null;
  }
  return null;
}

/** Runs `work` over `items`, `n` at a time, keeping their order in the result. */
async function inTurn<T, R>(items: readonly T[], n: number, work: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await work(items[i]!);
    }),
  );
  return out;
}

export async function ingestEvents(raw: readonly unknown[], deps: IngestDeps): Promise<IngestAnswer> {
  const now = deps.clock.now();
  const nowS = Math.floor(now.getTime() / 1000);
  const day = civilDate(now);
  const at = now.toISOString();
  const results: EventResult[] = [];
  const valid: Array<{ index: number; record: DriverRecord }> = [];
  const seen = new Set<string>();
  raw.forEach((item, index) => {
    const parsed = DriverEventSchema.safeParse(item);
    const id =
      typeof (item as { eventId?: unknown })?.eventId === 'string'
        ? (item as { eventId: string }).eventId
        : null;
    if (!parsed.success) {
      results[index] = { index, eventId: id, status: 'invalid', reason: reasonOf(parsed.error.issues) };
      return;
    }
    if (seen.has(parsed.data.eventId)) {
      results[index] = {
        index,
        eventId: id,
        status: 'duplicate',
        reason: 'the same event id earlier in this batch',
      };
      return;
    }
    seen.add(parsed.data.eventId);
    try {
      valid.push({ index, record: recordOf(parsed.data, deps) });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      results[index] = { index, eventId: id, status: 'invalid', reason: error.message };
    }
  });

  // Notices: new violations, points reaching the threshold — to their holders.
  const candidates = valid.map((v) => v.record).filter((r) => r.type === 'violation' || r.type === 'points');
  const stored = candidates.length ? await deps.records.current(candidates) : new Map<string, DriverRecord>();
  const page = { key: deps.keys.pageKey, expiresAt: pageExpiry(now.getTime(), deps.settings.pageDays) };
  const notices = new Map<number, DriverNotice>();
  for (const v of valid) {
    const n = noticeOf(v.record, stored.get(recordId(v.record)), page, deps.settings.pointsNoticeAt);
    if (n) notices.set(v.index, n);
  }
  const holders = notices.size
    ? await deps.records.holders([...notices.values()].map((n) => n.subject))
    : new Map();
  const bundles = new Map<number, DeliveryMessage[]>();
  for (const [index, n] of notices) {
    const h = holders.get(n.subject.key);
    if (!h) continue;
    const ctx = {
      runKey: driverRunKey(n.kind, day),
      city: deps.settings.city,
      date: day,
      smsToRegistered: deps.settings.smsToRegistered,
    };
    const b = noticeBundles(n, h, ctx);
    if (b.length) bundles.set(index, b);
  }
  const all = [...bundles.values()].flat();
  // The day's runs exist before their bundles can be delivered (a bundle of no run is not sent).
  for (const runKey of new Set(all.map((b) => b.runKey)))
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
        // One segment, the day: done when the next morning's planner closes it (./reminders.ts).
        segmentsTotal: 1,
        startedAt: at,
        lastActivityAt: at,
      },
      // No segment messages: the day's one segment is expanded by no one; a resume re-emits the
      // bundles each batch recorded below that have no receipt.
      [],
    );

  // Each batch's bundles are recorded on their day run before they are published (pages of
  // MANIFEST_BUNDLES, within DynamoDB's 400 KB an item), so a bundle lost after this point — a worker
  // that died with it, a dead letter — is emitted again by a resume (core/pushes/resume.ts). A retried
  // batch finds its pages recorded (the same pages, in the same order) and counts its notices once.
  const byRun = new Map<string, { ids: string[]; bundles: DeliveryMessage[] }>();
  for (const [index, list] of bundles)
    for (const b of list) {
      const entry = byRun.get(b.runKey) ?? { ids: [], bundles: [] };
      entry.ids.push(`${index}:${b.bundle}`);
      entry.bundles.push(b);
      byRun.set(b.runKey, entry);
    }
  for (const [runKey, { ids, bundles: list }] of byRun) {
    const segment = `batch#${opaque([...ids].sort().join(','))}`;
    for (let page = 0; page * MANIFEST_BUNDLES < list.length; page++) {
      const chunk = list.slice(page * MANIFEST_BUNDLES, (page + 1) * MANIFEST_BUNDLES);
      const people = chunk.reduce((n, b) => n + b.recipients.length, 0);
      // false: this page was recorded by an earlier try of the same batch.
      await deps.runs.advanceSegment(
        runKey,
        segment,
        page,
        { batch: DAY_SEGMENT },
        people,
        at,
        {},
        { bundles: chunk, settled: [] },
      );
    }
  }
  // Published on every try: a bundle already delivered is not sent again (the ledger's reservation).
  await deps.deliveries.publish(all);

  const outcomes = await inTurn(valid, deps.concurrency ?? 16, (v) => {
    const expires =
      v.record.type === 'due'
        ? Math.max(nowS, Date.parse(`${v.record.dueDate}T00:00:00+08:00`) / 1000 + 31 * 86_400)
        : nowS;
    return deps.records.apply(v.record, Math.floor(expires + deps.settings.retentionDays * 86_400));
  });
  valid.forEach((v, i) => {
    const outcome = outcomes[i]!;
    const people = (bundles.get(v.index) ?? []).reduce((n, b) => n + b.recipients.length, 0);
    results[v.index] = {
      index: v.index,
      eventId: v.record.eventId,
      ...(outcome === 'applied'
        ? { status: 'accepted' as const, ...(notices.has(v.index) ? { notices: people } : {}) }
        : outcome === 'duplicate'
          ? { status: 'duplicate' as const, reason: 'this event was applied before' }
          : { status: 'stale' as const, reason: 'a newer event of this record was applied' }),
    };
  });

  const count = (s: EventResult['status']) => results.filter((r) => r.status === s).length;
  return {
    results,
    accepted: count('accepted'),
    duplicate: count('duplicate'),
    stale: count('stale'),
    invalid: count('invalid'),
  };
}

/**
 * A JSON Lines drop (the nightly S3 file): each line one event, ingested 500 at a time through the
 * same use case; a line that is not JSON is refused alone. Results are by line (index 0 = line 1).
 */
export async function ingestJsonLines(text: string, deps: IngestDeps): Promise<IngestAnswer> {
  const lines = text.split(/\r?\n/).map((line, index) => ({ line: line.trim(), index }));
  const results: EventResult[] = [];
  const events: Array<{ index: number; event: unknown }> = [];
  for (const { line, index } of lines) {
    if (line === '') continue;
    try {
      events.push({ index, event: JSON.parse(line) });
    } catch {
      results.push({ index, eventId: null, status: 'invalid', reason: 'line: not JSON' });
    }
  }
  for (let i = 0; i < events.length; i += MAX_DRIVER_BATCH) {
    const chunk = events.slice(i, i + MAX_DRIVER_BATCH);
    const answer = await ingestEvents(
      chunk.map((c) => c.event),
      deps,
    );
    for (const r of answer.results) results.push({ ...r, index: chunk[r.index]!.index });
  }
  results.sort((a, b) => a.index - b.index);
  const count = (s: EventResult['status']) => results.filter((r) => r.status === s).length;
  return {
    results,
    accepted: count('accepted'),
    duplicate: count('duplicate'),
    stale: count('stale'),
    invalid: count('invalid'),
  };
}
