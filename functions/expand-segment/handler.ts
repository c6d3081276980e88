/**
 * The `push-segments` queue: expands a segment of a push run page by page into delivery bundles
 * (functions/core/pushes/expansion.ts), reading its audience through the subscribers adapter
 * (functions/adapters/dynamodb/audience.ts) and publishing the bundles to the deliveries topic.
 */
import { SegmentMessageSchema } from '../../schemas/pushes.ts';
import { ExpandSettingsSchema } from '../../schemas/settings.ts';
import { DynamoAudience } from '../adapters/dynamodb/audience.ts';
import { expandSegment } from '../core/pushes/expansion.ts';
import { documentClient } from '../shared/clients/dynamodb.ts';
import { topics } from '../shared/clients/sns.ts';
import { clock } from '../shared/clock.ts';
import { settings, tableName, topicArn } from '../shared/config.ts';
import { queueHandler } from '../shared/queue.ts';
import { telemetry } from '../shared/telemetry.ts';
import { restrictions } from '../shared/wiring/delivery.ts';
import { pushRuns } from '../shared/wiring/pushes.ts';

const deps = {
  runs: pushRuns,
  restrictions,
  audience: new DynamoAudience(documentClient, { subscribers: tableName('subscribers') }, (reason) => {
    telemetry.log('warn', 'audience item skipped', { reason });
    telemetry.metric('AudienceItemsSkipped');
  }),
  deliveries: topics.deliveryQueue(topicArn('push-deliveries')),
  clock,
  settings: settings(ExpandSettingsSchema),
};

export const handler = queueHandler({
  schema: SegmentMessageSchema,
  retrying: 'segment expansion will be retried',
  record: (segment) => expandSegment(segment, deps),
});
