/** Wiring: what planning (or previewing) a restriction push needs, for the scheduled planner and the operators' trigger alike. */
import { randomUUID } from 'node:crypto';
import { PushPlanningSettingsSchema } from '../../../schemas/settings.ts';
import { DynamoAudience } from '../../adapters/dynamodb/audience.ts';
import { appendAudit } from '../../adapters/dynamodb/audited-write.ts';
import type { PlanningDeps } from '../../core/pushes/planning.ts';
import type { PreviewDeps } from '../../core/pushes/preview.ts';
import type { TriggerDeps } from '../../core/pushes/trigger.ts';
import { bookOf } from '../../core/restrictions/engine.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { topics } from '../clients/sns.ts';
import { clock } from '../clock.ts';
import { settings, tableName, topicArn } from '../config.ts';
import { policyStore, pushRuns } from './pushes.ts';
import { restrictionData } from './restriction-data.ts';

const segmentsTopic = topicArn('push-segments');

const pacing = settings(PushPlanningSettingsSchema);
const audience = () => new DynamoAudience(documentClient, { subscribers: tableName('subscribers') });

export async function restrictionPlanningDeps(
  unknownDay: PlanningDeps['unknownDay'],
  lateRun: PlanningDeps['lateRun'] = () => {},
): Promise<PlanningDeps> {
  const fanout = audience();
  return {
    book: bookOf(await restrictionData.load()),
    clock,
    policy: (await policyStore.get()).policy,
    pacing,
    audienceOf: (city, slot, tails) => fanout.fanoutCount(city, slot, tails),
    lateRun,
    runs: pushRuns,
    publishSegments: async (segments) => {
      await topics.publishAll(
        segmentsTopic,
        segments.map((s) => ({ body: s })),
      );
    },
    unknownDay,
  };
}

/** What the restriction push's dry run reads: the engine, the policy, the fan-out index and the ledgers. */
export async function restrictionPreviewDeps(): Promise<PreviewDeps> {
  const audience = new DynamoAudience(documentClient, {
    subscribers: tableName('subscribers'),
    ledger: tableName('ledger'),
  });
  return {
    book: bookOf(await restrictionData.load()),
    policy: (await policyStore.get()).policy,
    pacing,
    segmentMembers: (segment) => audience.segmentMembers(segment),
    ledgerCounts: (members, date) => audience.ledgerCounts(members, date),
  };
}

/** What an operator's trigger needs (manage-pushes): planning, the dry run, the audit trail. */
export function restrictionTriggerDeps(): TriggerDeps {
  const operations = tableName('operations');
  return {
    planning: () => restrictionPlanningDeps(() => {}),
    preview: restrictionPreviewDeps,
    audit: { append: (entry) => appendAudit(documentClient, operations, entry) },
    clock,
    newId: randomUUID,
    starts: pacing.starts,
  };
}
