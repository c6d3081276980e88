/** Publishing to SNS topics (message attributes drive the queues' filter policies). */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
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
