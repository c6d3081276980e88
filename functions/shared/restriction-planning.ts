/** What planning a restriction push needs, for the scheduled planner and the operators' trigger alike. */
import { publishAll } from '../adapters/sns/publisher.ts';
import type { PlanningDeps } from '../core/pushes/planning.ts';
import { bookOf } from '../core/restrictions/engine.ts';
import { clock } from './clock.ts';
import { topicArn } from './config.ts';
import { pushRuns } from './pushes.ts';
import { restrictionData } from './restriction-data.ts';

const segmentsTopic = topicArn('push-segments');

export async function restrictionPlanningDeps(unknownDay: PlanningDeps['unknownDay']): Promise<PlanningDeps> {
  return {
    book: bookOf(await restrictionData.load()),
    clock,
    runs: pushRuns,
    publishSegments: async (segments) => {
      await publishAll(
        segmentsTopic,
        segments.map((s) => ({ body: s })),
      );
    },
    unknownDay,
  };
}
