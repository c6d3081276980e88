/** Wiring: the officers' desk (manage-desk) — the desk's dependencies and the attachments bucket. */
import { S3AttachmentStorage } from '../../adapters/s3/attachments.ts';
import { s3Client } from '../clients/s3.ts';
import { bucketName } from '../config.ts';
import { deskDeps } from './desk.ts';
import { sealPhone } from './desk-phones.ts';
import { deskQueues } from './desk-queues.ts';

export const deskAdminDeps = {
  ...deskDeps({ sealPhone, queues: deskQueues }),
  storage: new S3AttachmentStorage(s3Client(), bucketName('desk-attachments')),
};
