/**
 * An operator runs or previews a restriction push (POST /v1/admin/pushes/restriction).
 *
 * Primary course of triggerRestrictionPush:
 *  1. the day: given, or from the slot, the same rule the schedules use;
 *  2. a dry run previews it (audience, exemptions, what the cap would do, the pace from the slot's
 *     start to its deadline) and sends nothing, for any day;
 *  3. a day before today (Asia/Shanghai) is refused — a reminder for a day that is over tells people
 *     something untrue — unless the operator forces it, which is written to the audit trail first;
 *  4. otherwise the push is planned like a scheduled one (idempotent: the existing run comes back).
 */
import { ConflictError } from '../errors.ts';
import { type Clock, today } from '../time.ts';
import type { Actor, AuditEntry } from '../vocabulary.ts';
import { type PushPacing, plannedStart } from './deadline.ts';
import { type PlanningDeps, planRestrictionPush, reminderDate, restrictionRunKey } from './planning.ts';
import { type PreviewDeps, previewRestrictionPush } from './preview.ts';

export interface TriggerDeps {
  planning(): Promise<PlanningDeps>;
  preview(): Promise<PreviewDeps>;
  audit: { append(entry: AuditEntry): Promise<void> };
  clock: Clock;
  newId: () => string;
  /** When each slot's schedule starts its run (Asia/Shanghai, HH:MM). */
  starts: PushPacing['starts'];
}

export interface TriggerRequest {
  city: string;
  date?: string | undefined;
  slot: 'morning' | 'evening';
  dryRun: boolean;
  force: boolean;
}

export async function triggerRestrictionPush(req: TriggerRequest, actor: Actor, deps: TriggerDeps) {
  const date = reminderDate(req, deps.clock);
  if (req.dryRun) {
    // When the run would start: its schedule's time that day, or now if that has passed.
    const sendAt = plannedStart(date, req.slot, deps.starts, deps.clock.now());
    const preview = { city: req.city, date, slot: req.slot, sendAt };
    return { created: false, result: await previewRestrictionPush(preview, await deps.preview()) };
  }
  const now = today(deps.clock);
  if (date < now) {
    if (!req.force)
      throw new ConflictError(
        `${date} is before today (${now}, Asia/Shanghai): a reminder for a day that is over would tell people something that is no longer true. Send force: true to run it anyway; it is recorded in the audit trail.`,
        { today: now },
      );
    await deps.audit.append({
      id: deps.newId(),
      actor: actor.sub,
      at: deps.clock.now().toISOString(),
      action: 'push.restriction.force-past-date',
      entity: `run:${restrictionRunKey(req.city, date, req.slot)}`,
      before: null,
      after: { city: req.city, date, slot: req.slot, today: now },
    });
  }
  const run = await planRestrictionPush({ city: req.city, date, slot: req.slot }, await deps.planning());
  return { created: run.created, result: run };
}
