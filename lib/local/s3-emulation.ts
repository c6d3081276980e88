/**
 * The slice of S3 the handlers use, served by the local stack (AWS_ENDPOINT_URL_S3 points here,
 * path-style): PutObject, GetObject, HeadObject and DeleteObject on the blueprint's buckets, each
 * object a file under `<data folder>/s3/<bucket>/` with its content type beside it. A bucket's
 * lifecycle rule (`expireDays`) is applied when the stack starts and on every read, as S3 would have
 * expired the object by then.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

export interface LocalBucket {
  name: string;
  expireDays: number;
}

const xmlError = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

export class LocalS3 {
  private readonly root: string;
  private readonly buckets: Map<string, LocalBucket>;
  constructor(dataDir: string, buckets: readonly LocalBucket[]) {
    this.root = resolve(dataDir, 's3');
    this.buckets = new Map(buckets.map((b) => [b.name, b]));
    for (const b of buckets) mkdirSync(join(this.root, b.name), { recursive: true });
  }

  private file(bucket: string, key: string): string | null {
    const base = join(this.root, bucket);
    const path = resolve(base, key);
    return path.startsWith(base + sep) ? path : null;
  }

  private expired(bucket: LocalBucket, path: string): boolean {
    return Date.now() - statSync(path).mtimeMs > bucket.expireDays * 86_400_000;
  }

  /** Removes what the lifecycle rules would have expired; returns how many objects. */
  sweep(): number {
    let n = 0;
    const walk = (bucket: LocalBucket, dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(bucket, path);
        else if (!entry.name.endsWith('.type') && this.expired(bucket, path)) {
          rmSync(path, { force: true });
          rmSync(`${path}.type`, { force: true });
          n++;
        }
      }
    };
    for (const b of this.buckets.values()) walk(b, join(this.root, b.name));
    return n;
  }

  /** Stores an object (what PutObject does); false where the bucket or key is not one. */
  put(bucketName: string, key: string, body: Buffer, contentType = 'application/octet-stream'): boolean {
    const file = this.buckets.has(bucketName) && key ? this.file(bucketName, key) : null;
    if (!file) return false;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, body);
    writeFileSync(`${file}.type`, contentType);
    return true;
  }

  /** An object's bytes (unexpired), or null. */
  get(bucketName: string, key: string): Buffer | null {
    const bucket = this.buckets.get(bucketName);
    const file = bucket && key ? this.file(bucketName, key) : null;
    try {
      return file && statSync(file).isFile() && !this.expired(bucket!, file) ? readFileSync(file) : null;
    } catch {
      return null;
    }
  }

  /** A bucket's keys, sorted (the local operator's view; the functions never list). */
  list(bucketName: string): string[] {
    if (!this.buckets.has(bucketName)) return [];
    const walk = (dir: string, prefix: string): string[] => {
      try {
        return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
          e.isDirectory()
            ? walk(join(dir, e.name), `${prefix}${e.name}/`)
            : e.name.endsWith('.type')
              ? []
              : [`${prefix}${e.name}`],
        );
      } catch {
        return [];
      }
    };
    return walk(join(this.root, bucketName), '').sort();
  }

  /** One request under /_aws/s3: [status, headers, body]. */
  handle(method: string, path: string, body: Buffer, headers: Record<string, string | string[] | undefined>) {
    const [bucketName, ...rest] = path.replace(/^\/+/, '').split('/');
    const key = decodeURIComponent(rest.join('/'));
    const bucket = this.buckets.get(bucketName ?? '');
    const xml = { 'content-type': 'application/xml' };
    if (!bucket) return [404, xml, xmlError('NoSuchBucket', 'The specified bucket does not exist')] as const;
    const file = key ? this.file(bucket.name, key) : null;
    // A key that would leave the bucket's folder names no object there.
    if (!file) return [404, xml, xmlError('NoSuchKey', 'The specified key does not exist.')] as const;
    if (method === 'PUT') {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, body);
      writeFileSync(`${file}.type`, String(headers['content-type'] ?? 'application/octet-stream'));
      const etag = `"${createHash('md5').update(body).digest('hex')}"`;
      return [200, { etag }, ''] as const;
    }
    let exists = false;
    try {
      exists = statSync(file).isFile() && !this.expired(bucket, file);
    } catch {
      exists = false;
    }
    if (method === 'DELETE') {
      rmSync(file, { force: true });
      rmSync(`${file}.type`, { force: true });
      return [204, {}, ''] as const;
    }
    if (!exists) return [404, xml, xmlError('NoSuchKey', 'The specified key does not exist.')] as const;
    const bytes = readFileSync(file);
    const meta = {
      'content-type': readFileSync(`${file}.type`, 'utf8'),
      'content-length': String(bytes.length),
      etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
      'last-modified': statSync(file).mtime.toUTCString(),
    };
    if (method === 'HEAD') return [200, meta, ''] as const;
    if (method === 'GET') return [200, meta, bytes] as const;
    return [405, xml, xmlError('MethodNotAllowed', `${method} is not emulated locally`)] as const;
  }
}
