/**
 * The attachments' objects in S3 (the bucket is private, encrypted, TLS only, and expires objects
 * with the cases: lib/aws/stateful-stack.ts). The local stack serves the same S3 calls from files
 * under its data folder (lib/local/s3-emulation.ts), so this adapter is the only one.
 */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AttachmentStorage } from '../../core/desk/ports.ts';

export class S3AttachmentStorage implements AttachmentStorage {
  private readonly s3: S3Client;
  private readonly bucket: string;
  constructor(s3: S3Client, bucket: string) {
    this.s3 = s3;
    this.bucket = bucket;
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType }),
    );
  }

  async get(key: string): Promise<{ bytes: Uint8Array; contentType: string } | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!res.Body) return undefined;
      return {
        bytes: await res.Body.transformToByteArray(),
        contentType: res.ContentType ?? 'application/octet-stream',
      };
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}
