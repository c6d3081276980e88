/**
 * One traced AWS SDK client per service per container, built at module load, handed to the adapters
 * (which take their client as a parameter and know nothing of tracing).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { snsTopics } from '../adapters/sns/publisher.ts';
import { env } from './config.ts';
import { tracer } from './powertools.ts';

export const documentClient = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
  marshallOptions: { removeUndefinedValues: true },
});

export const topics = snsTopics(tracer.captureAWSv3Client(new SNSClient({})));

/** Path-style addressing where an endpoint override points S3 elsewhere (the local stack's buckets). */
export const s3Client = tracer.captureAWSv3Client(
  new S3Client({ forcePathStyle: Boolean(env().AWS_ENDPOINT_URL_S3) }),
);
