/**
 * One traced AWS SDK client per service per container, built at module load, handed to the adapters
 * (which take their client as a parameter and know nothing of tracing).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { snsTopics } from '../adapters/sns/publisher.ts';
import { tracer } from './powertools.ts';

export const documentClient = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
  marshallOptions: { removeUndefinedValues: true },
});

export const topics = snsTopics(tracer.captureAWSv3Client(new SNSClient({})));

/**
 * S3, built on first use (only the functions with a bucket need it). Path-style addressing and
 * checksums only where required, so the local stack's emulation (AWS_ENDPOINT_URL_S3) serves it.
 */
let s3: S3Client | undefined;
export const s3Client = () =>
  (s3 ??= tracer.captureAWSv3Client(
    new S3Client({
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  ));
