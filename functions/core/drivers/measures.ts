/**
 * What operators read about driver notices (GET /v1/admin/drivers/…): notices by kind and outcome
 * per ISO week (summed from the day runs `driver#<kind>#<day>`), the verification rate per week, the
 * verified ownerships now; a vehicle's and a follower's records — masked unless the caller is admin
 * (plates 京A***45, ids 4+4 characters; never a hash, a VIN or a file number).
 */
import { DRIVER_NOTICE_KINDS } from '../../../schemas/drivers.ts';
import { ValidationError } from '../errors.ts';
import { maskId, maskPlate } from '../privacy.ts';
import { PlateError, parsePlate } from '../restrictions/plates.ts';
import { addDays, type Clock, isoWeek, isoWeekday, today } from '../time.ts';
import type { Channel } from '../vocabulary.ts';
import { driverRunKey } from './notices.ts';
import type { DriverRecords, Ownerships } from './ports.ts';
import { vehicleKey } from './subjects.ts';

export interface MeasureDeps {
  /** Outcome counts of runs by key (absent: no such run). */
  runCounts(keys: readonly string[]): Promise<Map<string, Record<string, number>>>;
  tally: {
    weeks(weeks: readonly string[]): Promise<{
      weeks: Array<{ week: string; attempts: number; verified: number; wrong: number; locked: number }>;
      owners: number;
    }>;
  };
  clock: Clock;
}

/** The last `n` ISO weeks up to this one, newest first, each with its seven days. */
export function lastWeeks(day: string, n: number): Array<{ week: string; days: string[] }> {
  const monday = addDays(day, 1 - isoWeekday(day));
  return Array.from({ length: n }, (_, i) => {
    const start = addDays(monday, -7 * i);
    return { week: isoWeek(start), days: Array.from({ length: 7 }, (_, d) => addDays(start, d)) };
  });
}

export async function driverStats(weeks: number, deps: MeasureDeps) {
  const list = lastWeeks(today(deps.clock), weeks);
  const runKeys = list.flatMap((w) =>
    w.days.flatMap((d) => DRIVER_NOTICE_KINDS.map((k) => driverRunKey(k, d))),
  );
  const counts = await deps.runCounts(runKeys);
  const tallies = await deps.tally.weeks(list.map((w) => w.week));
  return {
    weeks: list.map((w, i) => {
      const notices: Record<string, Record<string, number>> = {};
      for (const kind of DRIVER_NOTICE_KINDS) {
        const sum: Record<string, number> = {};
        for (const d of w.days)
          for (const [outcome, n] of Object.entries(counts.get(driverRunKey(kind, d)) ?? {}))
            sum[outcome] = (sum[outcome] ?? 0) + n;
        notices[kind] = sum;
      }
      const t = tallies.weeks[i]!;
      return {
        week: w.week,
        notices,
        verification: {
          attempts: t.attempts,
          verified: t.verified,
          wrong: t.wrong,
          locked: t.locked,
          rate: t.attempts ? Math.round((t.verified / t.attempts) * 1000) / 1000 : null,
        },
      };
    }),
    verifiedOwners: tallies.owners,
  };
}

export interface ViewDeps {
  records: Pick<DriverRecords, 'vehicle' | 'holders' | 'violations' | 'due'>;
  ownerships: Pick<Ownerships, 'verified'>;
  pepper: Buffer;
}

/** One vehicle as operators see it (masked unless `admin`). */
export async function vehicleView(plateText: string, admin: boolean, deps: ViewDeps) {
  let plate: string;
  try {
    plate = parsePlate(plateText).canonical;
  } catch (error) {
    if (error instanceof PlateError)
      throw new ValidationError(error.message, [{ path: 'path.plate', message: error.message }]);
    throw error;
  }
  const subject = vehicleKey(deps.pepper, plate);
  const [registry, holders, violations, due] = await Promise.all([
    deps.records.vehicle(subject),
    deps.records.holders([subject]),
    deps.records.violations(subject),
    deps.records.due(subject),
  ]);
  const phone = registry.find((r) => r.phone)?.phone ?? null;
  return {
    plate: admin ? plate : maskPlate(plate),
    registered: registry.length > 0,
    plateTypes: registry.map((r) => r.plateType),
    registeredPhone: phone ? (admin ? phone.masked : '已登记') : null,
    owners: (holders.get(subject.key)?.owners ?? []).map((o) => ({
      channel: o.channel,
      id: admin ? o.id : maskId(o.id),
      verifiedAt: o.verifiedAt,
      method: o.method,
    })),
    violations: violations.map((v) => ({
      time: v.time,
      place: v.place,
      act: v.act,
      fineYuan: v.fineYuan,
      points: v.points,
      state: v.state,
      photos: v.photos.length,
    })),
    due: due.map((d) => ({ kind: d.kind, dueDate: d.dueDate })),
    masked: !admin,
  };
}

/** What one follower proved they own (masked unless `admin`). */
export async function followerView(ref: { channel: Channel; id: string }, admin: boolean, deps: ViewDeps) {
  const verified = await deps.ownerships.verified(ref);
  return {
    channel: ref.channel,
    id: admin ? ref.id : maskId(ref.id),
    verified: verified.map((v) => ({
      kind: v.subject.type,
      subject: admin || v.subject.type === 'licence' ? v.display : maskPlate(v.display),
      verifiedAt: v.verifiedAt,
    })),
    masked: !admin,
  };
}
