/**
 * Supervision (督办), on a schedule: every open case past its first-answer or resolution deadline is
 * escalated to its unit's supervisors — recorded once per deadline in its history (who supervises,
 * which deadline), shown as overdue on the desk and in the 督办 list — and the number of overdue
 * cases is the `DeskCasesOverdue` metric (alarmed). A case an officer moves meanwhile is escalated by
 * the next run.
 */
import { ConflictError } from '../errors.ts';
import { escalate, overdueDeadline } from './cases.ts';
import { commit } from './changes.ts';
import type { DeskDeps } from './ports.ts';

export const ESCALATION_ACTOR = { sub: 'schedule:escalate-overdue-cases' };
const PAGE = 500;

export async function escalateOverdue(deps: DeskDeps): Promise<{ overdue: number; escalated: number }> {
  const config = await deps.config();
  const now = deps.clock.now();
  let overdue = 0;
  let escalated = 0;
  for (const unit of config.units) {
    for (const c of await deps.store.due(unit.id, now.toISOString(), PAGE)) {
      const which = overdueDeadline(c, now);
      if (!which) continue;
      overdue++;
      const next = escalate(c, which, now);
      if (!next) continue;
      try {
        await commit(
          c,
          next,
          {
            action: 'escalate',
            actor: ESCALATION_ACTOR,
            detail: { deadline: which, supervisors: unit.supervisors },
          },
          deps,
        );
        escalated++;
        deps.log('warn', 'case escalated (督办)', { number: c.number, unit: unit.id, deadline: which });
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
  }
  deps.metric('DeskCasesOverdue', overdue);
  if (escalated) deps.metric('DeskCasesEscalated', escalated);
  return { overdue, escalated };
}
