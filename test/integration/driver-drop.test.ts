/**
 * The nightly JSON Lines drop on the local stack (real blueprint, DynamoDB Local): the bucket
 * emulation answers the S3 object API as the SDK calls it, a file put under drops/ with the bucket's
 * suffix is an object-created notification on the `driver-drops` queue, and ingest-driver-drop
 * reads it through the SDK, ingests it with the same use case as the signed route and writes the
 * per-line results to results/<name>.json. Dropped again, every event is a duplicate.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDriverRecords } from '../../functions/adapters/dynamodb/drivers.ts';
import { DEV_DRIVER_DEFAULTS } from '../../functions/adapters/integrations/secret.ts';
import { vehicleKey } from '../../functions/core/drivers/subjects.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { localBucketName } from '../../lib/local/buckets.ts';
import { localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import type { IngestAnswer } from '../../schemas/drivers.ts';

const bp = defineBlueprint({ ...blueprintInput, service: `drop-${Date.now().toString(36)}` });
process.env.STAGE = 'local';
const endpoint = inject('dynamodbEndpoint');
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'driver-drop-')),
  dynamodbEndpoint: endpoint,
  timeScale: 0.02,
});
const pepper = Buffer.from(DEV_DRIVER_DEFAULTS.DRIVER_PEPPER, 'base64');
const records = new DynamoDriverRecords(
  DynamoDBDocumentClient.from(localClient(endpoint)),
  localTableName(bp.service, 'drivers'),
);
const bucket = localBucketName(bp.service, 'driver-drops');

const at = '2026-11-16T10:00:00+08:00';
const lines = [
  JSON.stringify({
    eventId: 'drop-veh-1',
    kind: 'vehicle-registry',
    occurredAt: at,
    plate: '京A12345',
    plateType: '02',
    vinLast6: '184952',
  }),
  '',
  '{"eventId": "drop-broken", "kind": ', // not JSON
  JSON.stringify({
    eventId: 'drop-vio-1',
    kind: 'violation',
    occurredAt: at,
    violationId: 'V-DROP-1',
    plate: '京A12345',
    plateType: '02',
    time: '2026-11-15T23:00:00+08:00',
    place: '长安街西单路口',
    act: '闯红灯',
    fineYuan: 200,
    points: 6,
    photos: ['https://platform.example.gov.cn/p/1.jpg'],
    state: 'unprocessed',
  }),
  JSON.stringify({
    eventId: 'drop-bad-plate',
    kind: 'inspection-due',
    occurredAt: at,
    plate: '火星A1',
    plateType: '02',
    dueDate: '2026-12-01',
  }),
].join('\n');

const drop = (name: string, body: string) =>
  fetch(`${stack.endpoint}/_local/buckets/driver-drops/${encodeURIComponent(name)}`, { method: 'PUT', body });
const object = (key: string) => fetch(`${stack.endpoint}/_local/buckets/driver-drops/${key}`);

async function resultsOf(name: string): Promise<IngestAnswer> {
  await stack.queues.get('driver-drops')!.drained(60_000);
  const res = await object(`results/${name}.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as IngestAnswer;
}

beforeAll(async () => {
  await stack.start();
});
afterAll(() => stack.stop());

describe('the local bucket emulation', () => {
  it('answers the S3 object API as the SDK calls it (path style), and refuses keys outside the bucket', async () => {
    const s3 = new S3Client({
      endpoint: `${stack.endpoint}/_aws/s3`,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'results/by-sdk.json', Body: '{"a":1}' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'results/by-sdk.json' }));
    expect(await got.Body?.transformToString()).toBe('{"a":1}');
    await expect(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'drops/none.jsonl' })),
    ).rejects.toBeInstanceOf(NoSuchKey);
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'another-bucket', Key: 'results/by-sdk.json' })),
    ).rejects.toThrow();
    const outside = await fetch(`${stack.endpoint}/_aws/s3/${bucket}/..%2F..%2Fsecret`, {
      method: 'PUT',
      body: 'x',
    });
    expect(outside.status).toBe(404);
    expect((await fetch(`${stack.endpoint}/_local/buckets/driver-drops`)).status).toBe(200);
    expect(await (await fetch(`${stack.endpoint}/_local/buckets/driver-drops`)).json()).toContain(
      'results/by-sdk.json',
    );
    expect(
      (await fetch(`${stack.endpoint}/_local/buckets/nope/x.jsonl`, { method: 'PUT', body: '' })).status,
    ).toBe(404);
  });
});

describe('a nightly drop', () => {
  it('is ingested line by line through the same use case, its results written next to it', async () => {
    const put = await drop('night-1.jsonl', lines);
    expect(await put.json()).toEqual({ dropped: 'drops/night-1.jsonl' });
    // The file itself is kept under drops/ as dropped.
    expect(await (await object('drops/night-1.jsonl')).text()).toBe(lines);

    const answer = await resultsOf('night-1');
    expect(answer).toMatchObject({ accepted: 2, duplicate: 0, stale: 0, invalid: 2 });
    // By line (index 0 = line 1); the blank line has no result.
    expect(answer.results.map((r) => [r.index, r.eventId, r.status])).toEqual([
      [0, 'drop-veh-1', 'accepted'],
      [2, null, 'invalid'],
      [3, 'drop-vio-1', 'accepted'],
      [4, 'drop-bad-plate', 'invalid'],
    ]);
    expect(answer.results[1]!.reason).toBe('line: not JSON');
    expect(answer.results[3]!.reason).toMatch(/^plate: /);

    const subject = vehicleKey(pepper, '京A12345');
    expect((await records.vehicle(subject)).map((r) => r.eventId)).toEqual(['drop-veh-1']);
    expect((await records.violations(subject)).map((v) => [v.violationId, v.photos])).toEqual([
      ['V-DROP-1', ['https://platform.example.gov.cn/p/1.jpg']],
    ]);
  });

  it('dropped again, is all duplicates (idempotent by event id)', async () => {
    await drop('night-1-again.jsonl', lines);
    const answer = await resultsOf('night-1-again');
    expect(answer).toMatchObject({ accepted: 0, duplicate: 2, invalid: 2 });
  });

  it('ingests more than one request’s worth (500) of lines in chunks', async () => {
    const many = Array.from({ length: 1_203 }, (_, i) =>
      JSON.stringify({
        eventId: `drop-due-${i}`,
        kind: 'insurance-expiry',
        occurredAt: at,
        plate: `京B${String(10_000 + i)}`,
        plateType: '02',
        dueDate: '2027-01-10',
      }),
    ).join('\n');
    await drop('night-2.jsonl', many);
    const answer = await resultsOf('night-2');
    expect(answer.accepted).toBe(1_203);
    expect(answer.results.map((r) => r.index)).toEqual(Array.from({ length: 1_203 }, (_, i) => i));
    expect((await records.due(vehicleKey(pepper, '京B11202'))).map((d) => d.dueDate)).toEqual(['2027-01-10']);
  });

  it('is not read when it lacks the bucket’s suffix (S3 would not notify)', async () => {
    const before = stack.functions.get('ingest-driver-drop')!.invocations;
    await drop('night-3.csv', lines.replaceAll('drop-', 'csv-'));
    await stack.queues.get('driver-drops')!.drained();
    expect(stack.functions.get('ingest-driver-drop')!.invocations).toBe(before);
    expect((await object('results/night-3.csv.json')).status).toBe(404);
    expect(await records.vehicle(vehicleKey(pepper, '京A12345'))).toHaveLength(1);
  });
});
