/**
 * The function's one traced DynamoDB document client, built at module load and handed to the
 * adapters (which take their client as a parameter and know nothing of tracing). Each AWS client has
 * a module of its own, so a function bundles and builds only the clients it calls.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traced } from '../powertools.ts';

export const documentClient = DynamoDBDocumentClient.from(traced(new DynamoDBClient({})), {
  marshallOptions: { removeUndefinedValues: true },
});
