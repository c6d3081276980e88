/**
 * Administrators keep the restriction data current: upload next year's holiday calendar when the
 * State Council publishes it, add or close a city rule record, add or lift a suspension. Every
 * change is written together with an audit entry (who, when, before, after) in one transaction,
 * and guarded by the version the administrator's change was based on, so two concurrent edits
 * cannot silently overwrite each other. Who may call these is the role matrix (schemas/roles.ts),
 * checked at the HTTP edge before the call.
 */
import type { HolidayCalendar, RestrictionRule, Suspension } from '../../../schemas/restrictions.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Clock } from '../time.ts';
import { today } from '../time.ts';
import type { Actor, AuditEntry } from '../vocabulary.ts';
import type { RestrictionDataset } from './engine.ts';

export type DataKind = 'calendar' | 'rule' | 'suspension';

export interface VersionedDataset extends RestrictionDataset {
  /** Stored version per `${kind}#${id}`; absent = only shipped (or new). */
  versions: ReadonlyMap<string, number>;
}

export interface RestrictionDataRepository {
  load(): Promise<VersionedDataset>;
  /** Writes the record and its audit entry atomically; ConflictError if the stored version moved. */
  save(
    kind: DataKind,
    id: string,
    value: HolidayCalendar | RestrictionRule | Suspension,
    expectedVersion: number,
    audit: AuditEntry,
  ): Promise<void>;
}

export interface AdminDeps {
  data: RestrictionDataRepository;
  clock: Clock;
  newId: () => string;
}

async function write<T extends HolidayCalendar | RestrictionRule | Suspension>(
  deps: AdminDeps,
  actor: Actor,
  kind: DataKind,
  id: string,
  action: string,
  before: T | null,
  after: T,
  dataset: VersionedDataset,
): Promise<T> {
  const audit: AuditEntry = {
    id: deps.newId(),
    actor: actor.sub,
    at: deps.clock.now().toISOString(),
    action,
    entity: `${kind}:${id}`,
    before,
    after,
  };
  await deps.data.save(kind, id, after, dataset.versions.get(`${kind}#${id}`) ?? 0, audit);
  return after;
}

/** Uploads (or replaces) a year's holiday calendar. */
export async function uploadCalendar(cal: HolidayCalendar, year: number, actor: Actor, deps: AdminDeps) {
  if (cal.year !== year)
    throw new ValidationError(`The body is the ${cal.year} calendar but the path says ${year}.`);
  const data = await deps.data.load();
  const before = data.calendars.find((c) => c.year === year) ?? null;
  return write(
    deps,
    actor,
    'calendar',
    String(year),
    before ? 'calendar.replace' : 'calendar.upload',
    before,
    cal,
    data,
  );
}

/** Adds a new rule record for a city. */
export async function addRule(city: string, rule: RestrictionRule, actor: Actor, deps: AdminDeps) {
  if (rule.city !== city)
    throw new ValidationError(`The rule is for '${rule.city}' but the path says '${city}'.`);
  const data = await deps.data.load();
  if (data.rules.some((r) => r.id === rule.id))
    throw new ConflictError(`A rule with id '${rule.id}' already exists.`);
  return write(deps, actor, 'rule', rule.id, 'rule.add', null, rule, data);
}

/** Closes a rule record: it stops applying after `validTo` (it may only end earlier than before). */
export async function closeRule(
  city: string,
  ruleId: string,
  validTo: string,
  actor: Actor,
  deps: AdminDeps,
) {
  const data = await deps.data.load();
  const rule = data.rules.find((r) => r.id === ruleId && r.city === city);
  if (!rule) throw new NotFoundError(`No rule '${ruleId}' for city '${city}'.`);
  if (validTo < rule.validFrom) {
    throw new ValidationError(`validTo ${validTo} is before the rule starts (${rule.validFrom}).`, [
      { path: 'body.validTo', message: 'before the rule starts' },
    ]);
  }
  if (rule.validTo !== null && validTo > rule.validTo) {
    throw new ConflictError(`Rule '${ruleId}' already ends on ${rule.validTo}; closing cannot extend it.`);
  }
  return write(deps, actor, 'rule', ruleId, 'rule.close', rule, { ...rule, validTo }, data);
}

/** Adds a suspension (restriction not enforced from..to). */
export async function addSuspension(city: string, s: Suspension, actor: Actor, deps: AdminDeps) {
  if (s.city !== city)
    throw new ValidationError(`The suspension is for '${s.city}' but the path says '${city}'.`);
  const data = await deps.data.load();
  if (!data.rules.some((r) => r.city === city))
    throw new NotFoundError(`No restriction data for city '${city}'.`);
  if (data.suspensions.some((x) => x.id === s.id))
    throw new ConflictError(`A suspension with id '${s.id}' already exists.`);
  return write(deps, actor, 'suspension', s.id, 'suspension.add', null, s, data);
}

/** Lifts a suspension early: restrictions apply again from `liftedOn` (default: today). */
export async function liftSuspension(
  city: string,
  id: string,
  liftedOn: string | undefined,
  actor: Actor,
  deps: AdminDeps,
) {
  const data = await deps.data.load();
  const s = data.suspensions.find((x) => x.id === id && x.city === city);
  if (!s) throw new NotFoundError(`No suspension '${id}' for city '${city}'.`);
  if (s.liftedOn !== null) throw new ConflictError(`Suspension '${id}' was already lifted on ${s.liftedOn}.`);
  const on = liftedOn ?? today(deps.clock);
  if (on < s.from) throw new ValidationError(`liftedOn ${on} is before the suspension starts (${s.from}).`);
  return write(deps, actor, 'suspension', id, 'suspension.lift', s, { ...s, liftedOn: on }, data);
}
