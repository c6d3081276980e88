/**
 * Every five minutes: hands routine pushes deferred by quiet hours back to the deliveries topic once
 * their release time (the window's end when they were deferred) has come. Delivery then applies the
 * cap and the dedupe as for any push.
 */
import * as z from 'zod';
import { DynamoDeferredPushes } from '../adapters/dynamodb/deferred-pushes.ts';
import { documentClient } from '../shared/clients/dynamodb.ts';
import { topics } from '../shared/clients/sns.ts';
import { clock } from '../shared/clock.ts';
import { tableName, topicArn } from '../shared/config.ts';
import { scheduleHandler } from '../shared/schedule.ts';
import { telemetry } from '../shared/telemetry.ts';

const deferred = new DynamoDeferredPushes(documentClient, tableName('ledger'));
const deliveries = topics.deliveryQueue(topicArn('push-deliveries'));
const unreadable = (sk: string) => {
  telemetry.log('error', 'deferred push that is not a delivery message left in place', { sk });
  telemetry.metric('DeferredPushesUnreadable');
};

export const handler = scheduleHandler(z.strictObject({}), async () => {
  const released = await deferred.release(
    clock.now(),
    (messages) => deliveries.publish(messages),
    unreadable,
  );
  if (released) telemetry.log('info', 'deferred pushes released', { released });
  return { released };
});
