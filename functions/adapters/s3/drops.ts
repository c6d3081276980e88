/**
 * Objects others drop into a blueprint bucket (the platform's nightly JSON Lines): S3's
 * object-created notification as SQS carries it, reading the object, and writing its per-event
 * results next to it (`results/<name>.json`). The client comes from functions/shared/aws-clients.ts
 * (the local stack points it at its bucket emulation).
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';

/** S3's notification: the records of created objects; S3's test event on configuration has none. */
export const S3NotificationSchema = z.union([
  z.object({
    Records: z.array(
      z.object({
        eventName: z.string(),
        s3: z.object({
          bucket: z.object({ name: z.string() }),
          object: z.object({ key: z.string(), size: z.number().optional() }),
        }),
      }),
    ),
  }),
  z.object({ Event: z.literal('s3:TestEvent') }),
]);
export type S3Notification = z.infer<typeof S3NotificationSchema>;

/** The objects a notification names (keys URL-decoded as S3 encodes them, + for a space). */
export function createdObjects(n: S3Notification): Array<{ bucket: string; key: string }> {
  if (!('Records' in n)) return [];
  return n.Records.filter((r) => r.eventName.startsWith('ObjectCreated')).map((r) => ({
    bucket: r.s3.bucket.name,
    key: decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')),
  }));
}

/** Where the results of a dropped object go: drops/a.jsonl → results/a.json. */
export const resultsKey = (key: string) =>
  `results/${key.replace(/^drops\//, '').replace(/\.jsonl$/, '')}.json`;

export class S3Drops {
  private readonly s3: S3Client;
  constructor(s3: S3Client) {
    this.s3 = s3;
  }
  async read(bucket: string, key: string): Promise<string> {
    const res = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await res.Body?.transformToString('utf-8')) ?? '';
  }
  async writeResults(bucket: string, key: string, results: unknown): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: resultsKey(key),
        Body: JSON.stringify(results),
        ContentType: 'application/json',
      }),
    );
  }
}
