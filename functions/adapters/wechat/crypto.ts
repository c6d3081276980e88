/**
 * The Official Account message crypto (消息加解密), strictly: SHA-1 signatures over the sorted
 * parts compared in constant time; AES-256-CBC with IV = key[0:16], PKCS#7 to 32-byte blocks,
 * plaintext = random(16) ‖ len(4, BE) ‖ msg ‖ appId. Decryption validates every field (pad byte
 * range and content, length bounds, UTF-8, appId trailer) and fails with one typed error that
 * never carries plaintext.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type CryptoFailure = 'key' | 'base64' | 'cipher' | 'padding' | 'length' | 'appid' | 'utf8';

export class WeChatCryptoError extends Error {
  override name = 'WeChatCryptoError';
  readonly failure: CryptoFailure;
  constructor(failure: CryptoFailure, message: string) {
    super(message);
    this.failure = failure;
  }
}

/** hex(sha1(sorted parts joined)), the signature WeChat uses everywhere. */
export function signature(...parts: string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

/** Constant-time comparison of two lowercase-hex SHA-1 signatures; any length mismatch is false. */
export function signaturesEqual(expected: string, given: string | undefined): boolean {
  if (typeof given !== 'string' || !/^[0-9a-f]{40}$/i.test(given)) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(given.toLowerCase(), 'hex'));
}

/** EncodingAESKey (43 alphanumerics; real keys are often non-canonical base64, so decode leniently). */
export function aesKeyOf(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) {
    throw new WeChatCryptoError('key', 'EncodingAESKey must be 43 letters and digits');
  }
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new WeChatCryptoError('key', 'EncodingAESKey does not decode to 32 bytes');
  return key;
}

const BLOCK = 32;

export function encrypt(
  message: string,
  key: Buffer,
  appId: string,
  random: Buffer = randomBytes(16),
): string {
  const msg = Buffer.from(message, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length, 0);
  const plain = Buffer.concat([random, len, msg, Buffer.from(appId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decrypt(encrypted: string, key: Buffer, appId: string): string {
  if (!BASE64.test(encrypted) || encrypted.length % 4 !== 0) {
    throw new WeChatCryptoError('base64', 'Encrypt is not canonical base64');
  }
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) {
    throw new WeChatCryptoError('cipher', 'ciphertext length is not a multiple of the AES block');
  }
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw new WeChatCryptoError('cipher', 'AES decryption failed');
  }
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > BLOCK || pad > plain.length)
    throw new WeChatCryptoError('padding', 'invalid PKCS#7 pad byte');
  for (let i = plain.length - pad; i < plain.length; i++) {
    if (plain[i] !== pad) throw new WeChatCryptoError('padding', 'invalid PKCS#7 padding');
  }
  const body = plain.subarray(0, plain.length - pad);
  if (body.length < 20) throw new WeChatCryptoError('length', 'plaintext shorter than its header');
  const msgLength = body.readUInt32BE(16);
  if (20 + msgLength > body.length)
    throw new WeChatCryptoError('length', 'message length exceeds the plaintext');
  const trailer = body.subarray(20 + msgLength).toString('latin1');
  if (trailer !== appId) throw new WeChatCryptoError('appid', 'appId trailer does not match this account');
  try {
    return utf8.decode(body.subarray(20, 20 + msgLength));
  } catch {
    throw new WeChatCryptoError('utf8', 'message is not valid UTF-8');
  }
}
