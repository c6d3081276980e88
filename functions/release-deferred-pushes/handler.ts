/**
 * Every five minutes: hands routine pushes deferred by quiet hours back to the deliveries topic once
 * their release time (the window's end when they were deferred) has come. Delivery then applies the
 * cap and the dedupe as for any push.
 */

import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoDeferredPushes } from '../adapters/dynamodb/deferred-pushes.ts';
import { publishAll } from '../adapters/sns/publisher.ts';
import { clock } from '../shared/clock.ts';
import { tableName, topicArn } from '../shared/config.ts';
import { logger } from '../shared/powertools.ts';

const deferred = new DynamoDeferredPushes(documentClient, tableName('ledger'));
const deliveries = topicArn('push-deliveries');

export const handler = async () => {
  const released = await deferred.release(clock.now(), async (messages) => {
    await publishAll(
      deliveries,
      messages.map((m) => ({ body: m, attributes: { channel: m.channel, category: m.category } })),
    );
  });
  if (released) logger.info('deferred pushes released', { released });
  return { released };
};
