/**
 * The Official Account message crypto (消息加解密), strictly: SHA-1 signatures over the sorted
 * parts compared in constant time; AES-256-CBC with IV = key[0:16], PKCS#7 to 32-byte blocks,
 * plaintext = random(16) ‖ len(4, BE) ‖ msg ‖ appId. Decryption validates every field (pad byte
 * range and content, length bounds, UTF-8, appId trailer) and fails with one typed error that
 * never carries plaintext.
 */
import {
  type Cipheriv,
  createCipheriv,
  createDecipheriv,
  type Decipheriv,
  hash,
  randomFillSync,
  timingSafeEqual,
} from 'node:crypto';

export type CryptoFailure = 'key' | 'base64' | 'cipher' | 'padding' | 'length' | 'appid' | 'utf8';

export class WeChatCryptoError extends Error {
  override name = 'WeChatCryptoError';
  readonly failure: CryptoFailure;
  constructor(failure: CryptoFailure, message: string) {
    super(message);
    this.failure = failure;
  }
}

/** The parts in UTF-16 code-unit order (what Array.prototype.sort does with strings), joined. */
function sortedJoin(parts: string[]): string {
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]!;
    let j = i - 1;
    for (; j >= 0 && parts[j]! > p; j--) parts[j + 1] = parts[j]!;
    parts[j + 1] = p;
  }
  return parts.join('');
}

/** hex(sha1(sorted parts joined)), the signature WeChat uses everywhere. */
export function signature(...parts: string[]): string {
  return hash('sha1', sortedJoin(parts), 'hex');
}

const SIGNATURE = /^[0-9a-f]{40}$/i;

/** Constant-time comparison of two lowercase-hex SHA-1 signatures; any length mismatch is false. */
export function signaturesEqual(expected: string, given: string | undefined): boolean {
  if (typeof given !== 'string' || !SIGNATURE.test(given)) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(given, 'hex'));
}

/**
 * Whether `given` is the signature of `parts`, compared in constant time; anything that is not 40
 * hex digits is false. (signaturesEqual(signature(...parts), given) without the hex round trip.)
 */
export function signatureMatches(given: string | undefined, ...parts: string[]): boolean {
  if (typeof given !== 'string' || !SIGNATURE.test(given)) return false;
  return timingSafeEqual(hash('sha1', sortedJoin(parts), 'buffer'), Buffer.from(given, 'hex'));
}

const keys = new Map<string, Buffer>();

/**
 * EncodingAESKey (43 alphanumerics; real keys are often non-canonical base64, so decode leniently).
 * Decoded once per key: the Buffer is shared, so callers must not modify it.
 */
export function aesKeyOf(encodingAesKey: string): Buffer {
  const cached = keys.get(encodingAesKey);
  if (cached) return cached;
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) {
    throw new WeChatCryptoError('key', 'EncodingAESKey must be 43 letters and digits');
  }
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new WeChatCryptoError('key', 'EncodingAESKey does not decode to 32 bytes');
  if (keys.size >= 64) keys.clear(); // a handful of accounts, two keys each: never reached in practice
  keys.set(encodingAesKey, key);
  return key;
}

const BLOCK = 32;
const AES_BLOCK = 16;

/**
 * AES-256-CBC with IV = key[0:16], one cipher and one decipher per key for the life of the
 * container: creating one costs Node 24 more than the AES itself (~40 µs against ~2 µs for a
 * message). Padding is off, so `update` transforms every whole block it is given and keeps only the
 * CBC chaining value, the last ciphertext block. A message must start from the IV instead, so the
 * first block is corrected by (chain ⊕ IV): before encryption on the plaintext (C1 = E(P1 ⊕ IV)),
 * after decryption on the output (P1 = D(C1) ⊕ IV). The result is exactly that of a fresh context
 * (the interop and sequence tests compare with wechat-crypto, which creates one every time).
 */
export class CbcContext {
  private readonly key: Buffer;
  private readonly iv: Buffer;
  private cipher: Cipheriv | null = null;
  private decipher: Decipheriv | null = null;
  private readonly encChain = Buffer.alloc(AES_BLOCK);
  private readonly decChain = Buffer.alloc(AES_BLOCK);

  constructor(key: Buffer) {
    this.key = Buffer.from(key); // a private copy: the contexts map is checked against it
    this.iv = this.key.subarray(0, AES_BLOCK);
  }

  matches(key: Buffer): boolean {
    return this.key.equals(key);
  }

  /** Encrypts whole blocks in place of a fresh CBC context; `plain` is modified. */
  encrypt(plain: Buffer): Buffer {
    if (!this.cipher) {
      this.cipher = createCipheriv('aes-256-cbc', this.key, this.iv);
      this.cipher.setAutoPadding(false);
      this.iv.copy(this.encChain);
    }
    for (let i = 0; i < AES_BLOCK; i++) plain[i]! ^= this.encChain[i]! ^ this.iv[i]!;
    let out: Buffer;
    try {
      out = this.cipher.update(plain);
    } catch (e) {
      this.cipher = null; // its chaining value is unknown now
      throw e;
    }
    if (out.length !== plain.length) {
      this.cipher = null;
      throw new WeChatCryptoError('cipher', 'AES encryption returned a partial block');
    }
    out.copy(this.encChain, 0, out.length - AES_BLOCK);
    return out;
  }

  /**
   * Decrypts whole blocks (length a non-zero multiple of 16) as a fresh CBC context would. (In this
   * protocol the first block is the random prefix, which nobody reads; it is corrected anyway, so
   * the context stays a plain AES-CBC that its own tests can compare with Node's.)
   */
  decrypt(data: Buffer): Buffer {
    if (!this.decipher) {
      this.decipher = createDecipheriv('aes-256-cbc', this.key, this.iv);
      this.decipher.setAutoPadding(false);
      this.iv.copy(this.decChain);
    }
    let out: Buffer;
    try {
      out = this.decipher.update(data);
    } catch {
      this.decipher = null;
      throw new WeChatCryptoError('cipher', 'AES decryption failed');
    }
    if (out.length !== data.length) {
      this.decipher = null;
      throw new WeChatCryptoError('cipher', 'AES decryption returned a partial block');
    }
    for (let i = 0; i < AES_BLOCK; i++) out[i]! ^= this.decChain[i]! ^ this.iv[i]!;
    data.copy(this.decChain, 0, data.length - AES_BLOCK);
    return out;
  }
}

const contexts = new WeakMap<Buffer, CbcContext>();
/** The context of a key (created on first use, and again if the Buffer's bytes changed). */
export function contextOf(key: Buffer): CbcContext {
  const known = contexts.get(key);
  if (known?.matches(key)) return known;
  if (key.length !== 32) throw new WeChatCryptoError('key', 'the AES key must be 32 bytes');
  const created = new CbcContext(key);
  contexts.set(key, created);
  return created;
}

/** CSPRNG output drawn in 4 KiB refills instead of one native call per 16 bytes; each byte is used once. */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function randomInto(target: Buffer, at: number, length: number): void {
  if (poolOffset + length > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  pool.copy(target, at, poolOffset, poolOffset + length);
  pool.fill(0, poolOffset, poolOffset + length);
  poolOffset += length;
}

/** A random nonce of `bytes` bytes as lowercase hex (for reply envelopes). */
export function randomNonce(bytes = 8): string {
  const b = Buffer.allocUnsafe(bytes);
  randomInto(b, 0, bytes);
  return b.toString('hex');
}

export function encrypt(message: string, key: Buffer, appId: string, random?: Buffer): string {
  if (random && random.length !== 16) throw new RangeError('the random prefix is 16 bytes');
  const msgLength = Buffer.byteLength(message, 'utf8');
  const idLength = Buffer.byteLength(appId, 'utf8');
  const plainLength = 20 + msgLength + idLength;
  const pad = BLOCK - (plainLength % BLOCK);
  // Every byte is written below: the prefix, the length, the message, the appId and the padding.
  const plain = Buffer.allocUnsafe(plainLength + pad);
  if (random) random.copy(plain, 0);
  else randomInto(plain, 0, 16);
  plain.writeUInt32BE(msgLength, 16);
  plain.write(message, 20, msgLength, 'utf8');
  plain.write(appId, 20 + msgLength, idLength, 'utf8');
  plain.fill(pad, plainLength);
  const out = contextOf(key).encrypt(plain).toString('base64');
  plain.fill(0);
  return out;
}

/** The value of a base64 character (A–Z a–z 0–9 + /), or -1. */
function sextet(c: number): number {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c === 43) return 62;
  if (c === 47) return 63;
  return -1;
}

/**
 * The bytes of `s` if it matches `^[A-Za-z0-9+/]+={0,2}$` with a length that is a multiple of 4
 * (the spare low bits of the last character may be set, as the regex allowed), else null. Decoded
 * natively and re-encoded instead of a character loop: Node's decoder skips what it does not know,
 * so every character except the last before the padding must come back as it was (only the
 * alphabet does), the byte count must be what the length and padding say, and the last character
 * must agree in the bits that carry data.
 */
function decodeBase64(s: string): Buffer | null {
  const n = s.length;
  if (n === 0 || n % 4 !== 0) return null;
  const pads = s.charCodeAt(n - 1) === 61 ? (s.charCodeAt(n - 2) === 61 ? 2 : 1) : 0;
  const data = Buffer.from(s, 'base64');
  if (data.length !== (n / 4) * 3 - pads) return null;
  const again = data.toString('base64');
  if (pads === 0) return again === s ? data : null;
  const last = n - pads - 1;
  if (!s.startsWith(again.slice(0, last))) return null;
  const given = sextet(s.charCodeAt(last));
  const mask = pads === 2 ? 0b110000 : 0b111100;
  return given >= 0 && (given & mask) === sextet(again.charCodeAt(last)) ? data : null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decrypt(encrypted: string, key: Buffer, appId: string): string {
  const data = decodeBase64(encrypted);
  if (!data) throw new WeChatCryptoError('base64', 'Encrypt is not canonical base64');
  if (data.length === 0 || data.length % 16 !== 0) {
    throw new WeChatCryptoError('cipher', 'ciphertext length is not a multiple of the AES block');
  }
  const plain = contextOf(key).decrypt(data);
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
