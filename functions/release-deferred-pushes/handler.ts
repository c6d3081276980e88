/**
 * Every five minutes: hands routine pushes deferred by quiet hours back to the deliveries topic once
 * their window has ended (today's or yesterday's window end, per channel policy). Delivery then
 * applies the cap and the dedupe as for any push.
 */

import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoDeferredPushes } from '../adapters/dynamodb/deferred-pushes.ts';
import { publishAll } from '../adapters/sns/publisher.ts';
import { addDays, civilDate } from '../core/calendar.ts';
import { clock } from '../shared/clock.ts';
import { tableName, topicArn } from '../shared/config.ts';
import { logger } from '../shared/powertools.ts';
import { policyStore } from '../shared/pushes.ts';

const deferred = new DynamoDeferredPushes(documentClient, tableName('ledger'));
const deliveries = topicArn('push-deliveries');

export const handler = async () => {
  const now = clock.now();
  const { policy } = await policyStore.get();
  const ends = new Set<string>();
  for (const channel of Object.values(policy.channels))
    if (channel.quietHours) ends.add(channel.quietHours.to);
  const today = civilDate(now, policy.timeZone);
  const instants = [...ends]
    .flatMap((to) => [addDays(today, -1), today].map((d) => new Date(`${d}T${to}:00+08:00`)))
    .filter((at) => at.getTime() <= now.getTime());
  const released = await deferred.release(instants, async (messages) => {
    await publishAll(
      deliveries,
      messages.map((m) => ({ body: m, attributes: { channel: m.channel, category: m.category } })),
    );
  });
  if (released) logger.info('deferred pushes released', { released });
  return { released };
};
