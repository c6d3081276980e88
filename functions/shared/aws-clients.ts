/**
 * One traced AWS SDK client per service per container, built at module load, handed to the adapters
 * (which take their client as a parameter and know nothing of tracing).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { snsTopics } from '../adapters/sns/publisher.ts';
import { tracer } from './powertools.ts';

export const documentClient = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
  marshallOptions: { removeUndefinedValues: true },
});

export const topics = snsTopics(tracer.captureAWSv3Client(new SNSClient({})));
