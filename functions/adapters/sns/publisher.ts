/** Publishing to SNS topics (message attributes drive the queues' filter policies). */
import { PublishBatchCommand, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { DeliveryQueue } from '../../core/delivery/ports.ts';

const attributesOf = (attributes: Record<string, string>) =>
  Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]));

/** The topics a function publishes to, over one SNS client. */
export function snsTopics(client: SNSClient) {
  async function publish(topicArn: string, message: unknown, attributes: Record<string, string> = {}) {
    await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: JSON.stringify(message),
        MessageAttributes: attributesOf(attributes),
      }),
    );
  }

  /** Publishes many messages, 10 per PublishBatch call; throws if any entry failed. */
  async function publishAll(
    topicArn: string,
    messages: Array<{ body: unknown; attributes?: Record<string, string> }>,
  ): Promise<number> {
    let calls = 0;
    for (let i = 0; i < messages.length; i += 10) {
      const res = await client.send(
        new PublishBatchCommand({
          TopicArn: topicArn,
          PublishBatchRequestEntries: messages.slice(i, i + 10).map((m, j) => ({
            Id: String(j),
            Message: JSON.stringify(m.body),
            MessageAttributes: attributesOf(m.attributes ?? {}),
          })),
        }),
      );
      calls++;
      if (res.Failed?.length)
        throw new Error(`SNS PublishBatch: ${res.Failed.length} entries failed (${res.Failed[0]?.Code})`);
    }
    return calls;
  }

  /** The deliveries topic as the domain's DeliveryQueue: attributes `channel` and `category` route each bundle. */
  const deliveryQueue = (topicArn: string): DeliveryQueue => ({
    publish: async (bundles) => {
      await publishAll(
        topicArn,
        bundles.map((m) => ({ body: m, attributes: { channel: m.channel, category: m.category } })),
      );
    },
  });

  return { publish, publishAll, deliveryQueue };
}
