/** Publishing to SNS topics (message attributes drive the queues' filter policies). */
import { PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { DeliveryQueue } from '../../core/delivery/ports.ts';
import { tracer } from '../../shared/powertools.ts';

const client = tracer.captureAWSv3Client(new SNSClient({}));

export async function publish(
  topicArn: string,
  message: unknown,
  attributes: Record<string, string> = {},
): Promise<void> {
  await client.send(
    new PublishCommand({
      TopicArn: topicArn,
      Message: JSON.stringify(message),
      MessageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
      ),
    }),
  );
}

/** Publishes many messages, 10 per PublishBatch call; throws if any entry failed. */
export async function publishAll(
  topicArn: string,
  messages: Array<{ body: unknown; attributes?: Record<string, string> }>,
): Promise<number> {
  let calls = 0;
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    const res = await client.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: chunk.map((m, j) => ({
          Id: String(j),
          Message: JSON.stringify(m.body),
          MessageAttributes: Object.fromEntries(
            Object.entries(m.attributes ?? {}).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
          ),
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
export const deliveryQueue = (topicArn: string): DeliveryQueue => ({
  publish: async (messages) => {
    await publishAll(
      topicArn,
      messages.map((m) => ({ body: m, attributes: { channel: m.channel, category: m.category } })),
    );
  },
});
