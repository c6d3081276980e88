/**
 * The tables the local builder creates from the blueprint behave like the DynamoDB the design
 * relies on: conditional writes, transactions, GSI queries, TTL configured.
 */
import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defineBlueprint } from '../../lib/blueprint.ts';
import { ensureTables, localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { fixtureBlueprintInput } from '../fixtures/blueprint.ts';

const bp = defineBlueprint({ ...fixtureBlueprintInput, service: `it-${randomUUID().slice(0, 8)}` });
const client = localClient(inject('dynamodbEndpoint'));
const doc = DynamoDBDocumentClient.from(client);
const things = localTableName(bp.service, 'things');

beforeAll(async () => {
  await ensureTables(client, bp);
});
afterAll(() => client.destroy());

describe('ensureTables against DynamoDB Local', () => {
  it('creates each table with its keys, GSI and TTL, and is idempotent', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: things }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: 'gsi1',
      Projection: { ProjectionType: 'KEYS_ONLY' },
    });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: things }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: 'expiresAt',
      TimeToLiveStatus: 'ENABLED',
    });
    expect(await ensureTables(client, bp)).toEqual([]);
  });

  it('rejects a conditional write whose condition fails', async () => {
    const item = { pk: 'k#1', sk: 'v', n: 1 };
    await doc.send(
      new PutCommand({ TableName: things, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    await expect(
      doc.send(
        new PutCommand({ TableName: things, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      ),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('cancels a whole transaction when one condition fails', async () => {
    const audit = localTableName(bp.service, 'audit');
    await expect(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: audit, Item: { pk: 'a#1' } } },
            {
              Put: {
                TableName: things,
                Item: { pk: 'k#1', sk: 'v' },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(TransactionCanceledException);
    const written = await doc.send(
      new QueryCommand({
        TableName: audit,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': 'a#1' },
      }),
    );
    expect(written.Items).toEqual([]);
  });

  it('queries the GSI (sparse: only items that carry the index keys)', async () => {
    await doc.send(
      new PutCommand({ TableName: things, Item: { pk: 'g#1', sk: 'x', gsi1pk: 'city#1', gsi1sk: 'a' } }),
    );
    await doc.send(new PutCommand({ TableName: things, Item: { pk: 'g#2', sk: 'x' } }));
    const res = await doc.send(
      new QueryCommand({
        TableName: things,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'city#1' },
      }),
    );
    expect(res.Items?.map((i) => i.pk)).toEqual(['g#1']);
  });
});
