/** Wiring: planning a published notice's push run (functions/core/notices/planning.ts) for plan-notice-push. */

import type * as z from 'zod';
import type { NoticePlanningSettingsSchema } from '../../../schemas/settings.ts';
import { DynamoNoticeStore } from '../../adapters/dynamodb/notices.ts';
import { accountDirectory } from '../../adapters/wechat/accounts.ts';
import type { NoticePlanningDeps } from '../../core/notices/planning.ts';
import { bookOf } from '../../core/restrictions/engine.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { topics } from '../clients/sns.ts';
import { clock } from '../clock.ts';
import { env, tableName, topicArn } from '../config.ts';
import { pushRuns } from './pushes.ts';
import { restrictionData } from './restriction-data.ts';

export function noticePlanningDeps(
  settings: z.output<typeof NoticePlanningSettingsSchema>,
): NoticePlanningDeps {
  const store = new DynamoNoticeStore(documentClient, {
    content: tableName('content'),
    operations: tableName('operations'),
  });
  const accounts = accountDirectory(env());
  const segmentsTopic = topicArn('push-segments');
  const massSendsTopic = topicArn('wechat-mass-sends');
  return {
    ...settings,
    clock,
    notice: (id) => store.get(id),
    accounts: () => accounts.all(),
    runs: pushRuns,
    publishSegments: async (segments) => {
      await topics.publishAll(
        segmentsTopic,
        segments.map((body) => ({ body })),
      );
    },
    publishMassSends: async (jobs) => {
      await topics.publishAll(
        massSendsTopic,
        jobs.map((body) => ({ body })),
      );
    },
    cityName: async (city) => bookOf(await restrictionData.load()).cities.get(city)?.name ?? city,
  };
}
