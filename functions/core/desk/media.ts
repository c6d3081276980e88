/**
 * A citizen's photo or voice message, copied from WeChat's temporary media (kept 3 days there) into
 * storage the project owns (the `desk-media` queue → fetch-desk-media), with checks: the type is
 * read from the bytes themselves (JPEG, PNG, GIF for photos; AMR, MP3, Speex/Ogg for voice), never
 * from what the sender says, and the size is bounded. Anything else is refused, with the reason
 * recorded on the attachment (staff see it); expired media too. Retried while WeChat is busy.
 */
import type { Attachment, DeskMediaJob } from '../../../schemas/desk.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { RetryLater } from '../delivery/async-reply.ts';
import type { AttachmentStorage, CaseStore } from './ports.ts';

const SIGNATURES: Array<{
  type: string;
  ext: string;
  kind: 'image' | 'voice';
  test: (b: Uint8Array) => boolean;
}> = [
  {
    type: 'image/jpeg',
    ext: 'jpg',
    kind: 'image',
    test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  },
  {
    type: 'image/png',
    ext: 'png',
    kind: 'image',
    test: (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((x, i) => b[i] === x),
  },
  {
    type: 'image/gif',
    ext: 'gif',
    kind: 'image',
    test: (b) => String.fromCharCode(...b.slice(0, 4)) === 'GIF8',
  },
  {
    type: 'audio/amr',
    ext: 'amr',
    kind: 'voice',
    test: (b) => String.fromCharCode(...b.slice(0, 6)) === '#!AMR\n',
  },
  {
    type: 'audio/mpeg',
    ext: 'mp3',
    kind: 'voice',
    test: (b) =>
      String.fromCharCode(...b.slice(0, 3)) === 'ID3' || (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0),
  },
  {
    type: 'audio/ogg',
    ext: 'ogg',
    kind: 'voice',
    test: (b) => String.fromCharCode(...b.slice(0, 4)) === 'OggS',
  },
];

/** What the bytes are, if they are a kind of file we keep. */
export function sniff(bytes: Uint8Array): (typeof SIGNATURES)[number] | undefined {
  return SIGNATURES.find((s) => s.test(bytes));
}

export type MediaDownload = { bytes: Uint8Array; contentType: string } | 'too-large' | { gone: string };

export interface MediaDeps {
  store: Pick<CaseStore, 'get' | 'thread' | 'updateMessage'>;
  storage: AttachmentStorage;
  account(id: string): Promise<WeChatAccount | undefined>;
  /** WeChat's temporary media; `gone` when WeChat no longer has it (40007); throws RetryLater when busy. */
  download(account: WeChatAccount, mediaId: string, maxBytes: number): Promise<MediaDownload>;
  limits: { maxImageBytes: number; maxVoiceBytes: number };
  log(level: 'info' | 'warn', message: string, details?: Record<string, unknown>): void;
  metric(name: string, n?: number): void;
}

export async function keepMedia(job: DeskMediaJob, deps: MediaDeps): Promise<Attachment['state'] | 'gone'> {
  const c = await deps.store.get(job.caseNumber);
  const m = c
    ? (await deps.store.thread(job.caseNumber)).messages.find((x) => x.id === job.messageId)
    : undefined;
  const a = m?.attachment;
  if (!c || !m || !a) return 'gone';
  if (a.state !== 'pending') return a.state;
  const account = await deps.account(job.accountId);
  if (!account) throw new RetryLater(`unknown account ${job.accountId}`);
  const max = job.type === 'image' ? deps.limits.maxImageBytes : deps.limits.maxVoiceBytes;
  const refuse = async (reason: string) => {
    await deps.store.updateMessage(c.number, {
      ...m,
      attachment: { ...a, state: 'refused', reason, mediaId: null },
    });
    deps.metric('DeskMediaRefused');
    deps.log('info', 'attachment refused', { caseNumber: c.number, type: job.type, reason });
    return 'refused' as const;
  };
  const got = await deps.download(account, job.mediaId, max);
  if (got === 'too-large') return refuse(`larger than ${max} bytes`);
  if ('gone' in got) return refuse(`WeChat no longer has it: ${got.gone}`);
  const kind = sniff(got.bytes);
  if (!kind || kind.kind !== job.type)
    return refuse(`not a ${job.type === 'image' ? 'JPEG, PNG or GIF image' : 'AMR, MP3 or Speex recording'}`);
  const objectKey = `cases/${c.number}/${a.id}.${kind.ext}`;
  await deps.storage.put(objectKey, got.bytes, kind.type);
  await deps.store.updateMessage(c.number, {
    ...m,
    attachment: {
      ...a,
      state: 'stored',
      objectKey,
      contentType: kind.type,
      bytes: got.bytes.length,
      mediaId: null,
    },
  });
  deps.metric('DeskMediaStored');
  return 'stored';
}
