/**
 * The domain's shared vocabulary, defined once: channels and push categories (their zod schemas are
 * in schemas/vocabulary.ts), who acts (an Actor) and what the audit trail records of it.
 */
export { CHANNELS, type Channel, PUSH_CATEGORIES, type PushCategory } from '../../schemas/vocabulary.ts';

/** Whoever changes something: a signed-in staff member (sub + roles) or a schedule. */
export interface Actor {
  sub: string;
  roles: readonly string[];
}

/** One entry of the append-only audit trail: who, when, what, and the state before and after. */
export interface AuditEntry {
  id: string;
  actor: string;
  at: string;
  action: string;
  entity: string;
  before: unknown;
  after: unknown;
}

/** ISO weekday (1 = Monday … 7 = Sunday) → how Chinese writes it; index 0 is unused. */
export const WEEKDAY_NAMES = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'] as const;
