/**
 * The frequency policy operators edit (PUT /v1/admin/policies/frequency): replaced whole, based on
 * the version the operator read (a concurrent change is a conflict), with an audit entry of before
 * and after in the same write.
 */
import type { FrequencyPolicy } from '../../../schemas/pushes.ts';
import type { Clock } from '../time.ts';
import type { Actor, AuditEntry } from '../vocabulary.ts';

export interface PolicyStore {
  get(): Promise<{ policy: FrequencyPolicy; version: number }>;
  /** Saves with its audit entry; ConflictError when the stored version is not `expectedVersion`. */
  save(policy: FrequencyPolicy, expectedVersion: number, audit: AuditEntry): Promise<void>;
}

export async function replaceFrequencyPolicy(
  change: { version: number; policy: FrequencyPolicy },
  actor: Actor,
  deps: { policies: PolicyStore; clock: Clock; newId: () => string },
): Promise<{ policy: FrequencyPolicy; version: number }> {
  const before = await deps.policies.get();
  await deps.policies.save(change.policy, change.version, {
    id: deps.newId(),
    actor: actor.sub,
    at: deps.clock.now().toISOString(),
    action: 'policy.frequency.update',
    entity: 'policy:frequency',
    before: before.policy,
    after: change.policy,
  });
  return deps.policies.get();
}
