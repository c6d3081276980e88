/**
 * The blueprint's buckets on one machine: a folder each under the data directory, the S3 object API
 * the functions' SDK calls (GET/PUT `/_aws/s3/<bucket>/<key>`, path style), and a drop — `PUT
 * /_local/buckets/<id>/<name>` — that stores the object under drops/ and sends its object-created
 * notification, shaped as S3 sends it, to the queue the bucket notifies (as on AWS).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { BucketDef } from '../../schemas/blueprint.ts';
import type { LocalQueue } from './queues.ts';

export const localBucketName = (service: string, bucketId: string) => `${service}-${bucketId}`;

export class LocalBuckets {
  private readonly byName = new Map<string, { id: string; def: BucketDef; dir: string }>();
  private readonly queues: ReadonlyMap<string, LocalQueue>;

  constructor(
    service: string,
    buckets: Record<string, BucketDef>,
    dataDir: string,
    queues: ReadonlyMap<string, LocalQueue>,
  ) {
    for (const [id, def] of Object.entries(buckets))
      this.byName.set(localBucketName(service, id), { id, def, dir: join(dataDir, 'buckets', id) });
    this.queues = queues;
  }

  names(): string[] {
    return [...this.byName.values()].map((b) => b.id).sort();
  }

  private path(bucket: string, key: string): string | null {
    const b = this.byName.get(bucket);
    if (!b || key === '' || key.includes('\0')) return null;
    const file = normalize(join(b.dir, key));
    return file.startsWith(`${b.dir}/`) ? file : null;
  }

  get(bucket: string, key: string): Buffer | null {
    const file = this.path(bucket, key);
    try {
      return file ? readFileSync(file) : null;
    } catch {
      return null;
    }
  }

  put(bucket: string, key: string, body: Buffer): boolean {
    const file = this.path(bucket, key);
    if (!file) return false;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, body);
    return true;
  }

  list(bucketId: string): string[] {
    const b = [...this.byName.values()].find((x) => x.id === bucketId);
    if (!b) return [];
    const walk = (dir: string, prefix: string): string[] => {
      try {
        return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? walk(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
        );
      } catch {
        return [];
      }
    };
    return walk(b.dir, '').sort();
  }

  /** Drops `name` into bucket `bucketId` (under drops/) and notifies its queue; the key, or null. */
  drop(bucketId: string, name: string, body: Buffer): string | null {
    const entry = [...this.byName.entries()].find(([, b]) => b.id === bucketId);
    if (!entry) return null;
    const [bucket, b] = entry;
    const key = `drops/${name}`;
    if (!this.put(bucket, key, body)) return null;
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
                bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
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
