/**
 * S3, built on first use (only the functions with a bucket need it). Path-style addressing and
 * checksums only where required, so the local stack's emulation (AWS_ENDPOINT_URL_S3) serves it.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { traced } from '../powertools.ts';

let s3: S3Client | undefined;
export const s3Client = () =>
  (s3 ??= traced(
    new S3Client({
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  ));
