/**
 * Every 15 minutes (lib/blueprint.ts): open cases past a deadline are escalated (督办) to their unit's
 * supervisors once per deadline, and DeskCasesOverdue counts them (functions/core/desk/escalation.ts).
 */
import { EscalationRequestSchema } from '../../schemas/desk.ts';
import { escalateOverdue } from '../core/desk/escalation.ts';
import { scheduleHandler } from '../shared/schedule.ts';
import { deskDeps } from '../shared/wiring/desk.ts';

const deps = deskDeps();

export const handler = scheduleHandler(EscalationRequestSchema, () => escalateOverdue(deps));
