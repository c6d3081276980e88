/**
 * Drops into the blueprint's drop buckets (`notifies`) on one machine. The objects themselves are
 * kept by the S3 emulation (`s3-emulation.ts`, which serves every bucket's object API to the
 * functions' SDK, path style, under `/_aws/s3/<bucket>/<key>`); a drop — `PUT
 * /_local/buckets/<id>/<name>` — stores the object under drops/ there and sends its object-created
 * notification, shaped as S3 sends it, to the queue the bucket notifies (as on AWS).
 */
import type { BucketDef } from '../../schemas/blueprint.ts';
import type { LocalQueue } from './queues.ts';
import type { LocalS3 } from './s3-emulation.ts';

export const localBucketName = (service: string, bucketId: string) => `${service}-${bucketId}`;

export class LocalBuckets {
  private readonly byId = new Map<string, { name: string; def: BucketDef }>();
  private readonly s3: LocalS3;
  private readonly queues: ReadonlyMap<string, LocalQueue>;

  constructor(
    service: string,
    buckets: Record<string, BucketDef>,
    s3: LocalS3,
    queues: ReadonlyMap<string, LocalQueue>,
  ) {
    this.s3 = s3;
    this.queues = queues;
    for (const [id, def] of Object.entries(buckets))
      this.byId.set(id, { name: localBucketName(service, id), def });
  }

  /** Every bucket's id (the parity test's surface). */
  names(): string[] {
    return [...this.byId.keys()].sort();
  }

  get(bucketId: string, key: string): Buffer | null {
    const b = this.byId.get(bucketId);
    return b ? this.s3.get(b.name, key) : null;
  }

  list(bucketId: string): string[] {
    const b = this.byId.get(bucketId);
    return b ? this.s3.list(b.name) : [];
  }

  /** Drops `name` into drop bucket `bucketId` (under drops/) and notifies its queue; the key, or null. */
  drop(bucketId: string, name: string, body: Buffer): string | null {
    const b = this.byId.get(bucketId);
    if (!b?.def.notifies) return null;
    const key = `drops/${name}`;
    if (!this.s3.put(b.name, key, body)) return null;
    if (!b.def.suffix || key.endsWith(b.def.suffix))
      this.queues.get(b.def.notifies)?.send(
        JSON.stringify({
          Records: [
            {
              eventVersion: '2.1',
              eventSource: 'aws:s3',
              eventName: 'ObjectCreated:Put',
              eventTime: new Date().toISOString(),
              s3: {
                bucket: { name: b.name, arn: `arn:aws:s3:::${b.name}` },
                object: {
                  key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+'),
                  size: body.length,
                },
              },
            },
          ],
        }),
      );
    return key;
  }
}
