import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import WXBizMsgCrypt from 'wechat-crypto';
import {
  aesKeyOf,
  CbcContext,
  decrypt,
  encrypt,
  randomNonce,
  signature,
  signatureMatches,
  signaturesEqual,
  WeChatCryptoError,
} from '../../../functions/adapters/wechat/crypto.ts';
import { V1 } from '../../fixtures/wechat.ts';

const key = aesKeyOf(V1.aesKey);

describe('the official Tencent sample (V1)', () => {
  it('computes the URL signature and the msg_signature', () => {
    expect(signature(V1.token, V1.timestamp, V1.nonce)).toBe(V1.signature);
    expect(signature(V1.token, V1.timestamp, V1.nonce, V1.encrypt)).toBe(V1.msgSignature);
  });

  it('decrypts byte for byte', () => {
    expect(decrypt(V1.encrypt, key, V1.appId)).toBe(V1.decrypted);
  });

  it('re-encrypts to the same ciphertext given the same random prefix', () => {
    expect(encrypt(V1.decrypted, key, V1.appId, Buffer.from(V1.randomPrefixHex, 'utf8'))).toBe(V1.encrypt);
  });
});

describe('strict decryption', () => {
  const failure = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(WeChatCryptoError);
      expect((e as Error).message).not.toContain('abcdteT'); // never leaks plaintext
      return (e as WeChatCryptoError).failure;
    }
    return 'no error';
  };

  it.each([
    ['a wrong appId trailer', () => decrypt(V1.encrypt, key, 'wx2c2769f8efd9abc3'), 'appid'],
    ['base64 garbage', () => decrypt('%%%notbase64%%%', key, V1.appId), 'base64'],
    ['truncated base64', () => decrypt(V1.encrypt.slice(0, -5), key, V1.appId), 'base64'],
    [
      'a length that is not a whole block',
      () => decrypt(Buffer.alloc(20).toString('base64'), key, V1.appId),
      'cipher',
    ],
    [
      'a wrong key',
      () => decrypt(V1.encrypt, aesKeyOf('0123456789abcdefghijklmnopqrstuvwxyzABCDEFG'), V1.appId),
      'padding',
    ],
    [
      'a tampered last block (invalid padding)',
      () => {
        const b = Buffer.from(V1.encrypt, 'base64');
        b[b.length - 1]! ^= 0xff;
        return decrypt(b.toString('base64'), key, V1.appId);
      },
      'padding',
    ],
  ])('rejects %s', (_name, fn, expected) => {
    expect(failure(fn)).toBe(expected);
  });

  it('rejects a length field that points past the plaintext', () => {
    // A valid-padded plaintext whose 4-byte length claims more than is there.
    const plain = Buffer.concat([Buffer.alloc(16), Buffer.from([0, 0, 1, 0]), Buffer.from('x')]);
    const pad = 32 - (plain.length % 32);
    const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
    const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
    c.setAutoPadding(false);
    const ct = Buffer.concat([c.update(padded), c.final()]).toString('base64');
    expect(failure(() => decrypt(ct, key, V1.appId))).toBe('length');
  });

  it('rejects keys that are not 43 letters and digits, and accepts non-canonical base64 keys', () => {
    expect(() => aesKeyOf('short')).toThrow(WeChatCryptoError);
    expect(() => aesKeyOf(`${V1.aesKey.slice(0, 42)}+`)).toThrow(WeChatCryptoError);
    expect(aesKeyOf(V1.aesKey)).toHaveLength(32); // this key is non-canonical base64
  });
});

describe('signaturesEqual', () => {
  it('compares in constant time and rejects anything malformed', () => {
    expect(signaturesEqual(V1.signature, V1.signature)).toBe(true);
    expect(signaturesEqual(V1.signature, V1.signature.toUpperCase())).toBe(true);
    expect(signaturesEqual(V1.signature, `${V1.signature.slice(0, -1)}b`)).toBe(false);
    expect(signaturesEqual(V1.signature, V1.signature.slice(0, -2))).toBe(false);
    expect(signaturesEqual(V1.signature, undefined)).toBe(false);
    expect(signaturesEqual(V1.signature, `${V1.signature},${V1.signature}`)).toBe(false);
  });
});

describe('interop with the independent wechat-crypto package', () => {
  const keyArb = fc.string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
    minLength: 43,
    maxLength: 43,
  });
  const appIdArb = fc
    .string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 16, maxLength: 16 })
    .map((s) => `wx${s}`);

  it('decrypts what wechat-crypto encrypts, and wechat-crypto decrypts what we encrypt', () => {
    fc.assert(
      fc.property(keyArb, appIdArb, fc.string({ maxLength: 2000 }), (aesKey, appId, message) => {
        const theirs = new WXBizMsgCrypt('token', aesKey, appId);
        const ours = aesKeyOf(aesKey);
        expect(decrypt(theirs.encrypt(message), ours, appId)).toBe(message);
        expect(theirs.decrypt(encrypt(message, ours, appId))).toEqual({ message, id: appId });
        const sig = theirs.getSignature('1', '2', 'abc');
        expect(signature('token', '1', '2', 'abc')).toBe(sig);
      }),
      { numRuns: 300 },
    );
  });
});

describe('one AES context per key, reused across messages', () => {
  // encrypt/decrypt keep a cipher per key and correct each message's first block for the chaining
  // value the previous message left; a wrong correction breaks every message after the first.
  const aesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
  const appId = 'wx5823bf96d3bd56c7';
  const theirs = new WXBizMsgCrypt('token', aesKey, appId);
  const op = fc.oneof(
    fc.record({
      kind: fc.constant('encrypt' as const),
      message: fc.string({ unit: 'binary', maxLength: 300 }),
    }),
    fc.record({
      kind: fc.constant('decrypt' as const),
      message: fc.string({ unit: 'binary', maxLength: 300 }),
    }),
    fc.record({ kind: fc.constant('tampered' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('wrong-appid' as const) }),
  );

  it('gives what a fresh context gives, for any sequence of messages and failures', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) => {
        const key = aesKeyOf(aesKey); // the same Buffer every time: the context carries over
        for (const o of ops) {
          if (o.kind === 'encrypt') {
            expect(theirs.decrypt(encrypt(o.message, key, appId))).toEqual({ message: o.message, id: appId });
          } else if (o.kind === 'decrypt') {
            expect(decrypt(theirs.encrypt(o.message), key, appId)).toBe(o.message);
          } else if (o.kind === 'tampered') {
            const b = Buffer.from(theirs.encrypt('<xml>tampered</xml>'), 'base64');
            b[o.at % b.length]! ^= 0x80;
            expect(() => decrypt(b.toString('base64'), key, appId)).toThrow(WeChatCryptoError);
          } else {
            expect(() => decrypt(theirs.encrypt('x'), key, 'wx0000000000000000')).toThrow(/appId/);
          }
        }
        // and the official vector still reproduces bit for bit after all of that
        expect(
          encrypt(V1.decrypted, aesKeyOf(V1.aesKey), V1.appId, Buffer.from(V1.randomPrefixHex, 'utf8')),
        ).toBe(V1.encrypt);
        expect(decrypt(V1.encrypt, aesKeyOf(V1.aesKey), V1.appId)).toBe(V1.decrypted);
      }),
      { numRuns: 200 },
    );
  });

  it('decodes a key once and hands back the same Buffer', () => {
    expect(aesKeyOf(V1.aesKey)).toBe(aesKeyOf(V1.aesKey));
    expect(aesKeyOf(V1.aesKey)).toEqual(Buffer.from(`${V1.aesKey}=`, 'base64'));
  });

  it('follows a key Buffer whose bytes changed instead of using the old cipher', () => {
    const key = Buffer.from(aesKeyOf(aesKey));
    const before = encrypt('x', key, appId);
    expect(theirs.decrypt(before).message).toBe('x');
    key.set(aesKeyOf(V1.aesKey));
    expect(decrypt(encrypt('y', key, V1.appId), aesKeyOf(V1.aesKey), V1.appId)).toBe('y');
    expect(() => decrypt(before, key, appId)).toThrow(WeChatCryptoError);
  });

  it('refuses a random prefix that is not 16 bytes', () => {
    expect(() => encrypt('x', key, V1.appId, Buffer.alloc(15))).toThrow(RangeError);
  });
});

describe('base64 and signatures, as the previous implementation decided them', () => {
  const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
  it('refuses as base64 exactly what /^[A-Za-z0-9+/]+={0,2}$/ with a length multiple of 4 refuses', () => {
    const unit = fc.constantFrom(...'AZaz09+/==', '-', '_', ' ', '\n', 'é', '%');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 24 }), (s) => {
        const canonical = BASE64.test(s) && s.length % 4 === 0;
        let failure = 'none';
        try {
          decrypt(s, key, V1.appId);
        } catch (e) {
          failure = (e as WeChatCryptoError).failure;
        }
        expect(failure === 'base64').toBe(!canonical);
      }),
      { numRuns: 3000 },
    );
  });

  it('signs as sha1 over the parts sorted by Array.prototype.sort, for any strings', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 6 }), (parts) => {
        const expected = createHash('sha1')
          .update([...parts].sort().join(''))
          .digest('hex');
        expect(signature(...parts)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('matches a signature exactly when signaturesEqual(signature(…)) does', () => {
    const given = fc.oneof(
      fc.constant('right'),
      fc.constant('upper'),
      fc.constant(undefined),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFg'), maxLength: 42 }),
    );
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), given, (parts, g) => {
        const right = signature(...parts);
        const candidate = g === 'right' ? right : g === 'upper' ? right.toUpperCase() : g;
        expect(signatureMatches(candidate, ...parts)).toBe(signaturesEqual(right, candidate));
      }),
      { numRuns: 2000 },
    );
    expect(signatureMatches(V1.msgSignature, V1.token, V1.timestamp, V1.nonce, V1.encrypt)).toBe(true);
    expect(
      signatureMatches(`${V1.msgSignature.slice(0, -1)}0`, V1.token, V1.timestamp, V1.nonce, V1.encrypt),
    ).toBe(false);
  });

  it('draws nonces from the CSPRNG, never the same one twice', () => {
    const nonces = Array.from({ length: 2000 }, () => randomNonce());
    expect(nonces.every((n) => /^[0-9a-f]{16}$/.test(n))).toBe(true);
    expect(new Set(nonces).size).toBe(nonces.length);
  });
});

describe('CbcContext', () => {
  it('encrypts and decrypts every block as a fresh AES-256-CBC context with IV = key[0:16] does', () => {
    const keyBytes = aesKeyOf('jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C');
    const ctx = new CbcContext(keyBytes);
    const fresh = (decipher: boolean, data: Buffer) => {
      const c = (decipher ? createDecipheriv : createCipheriv)(
        'aes-256-cbc',
        keyBytes,
        keyBytes.subarray(0, 16),
      );
      c.setAutoPadding(false);
      return Buffer.concat([c.update(data), c.final()]);
    };
    const blocks = fc
      .integer({ min: 1, max: 8 })
      .chain((n) => fc.uint8Array({ minLength: n * 16, maxLength: n * 16 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), blocks), { minLength: 1, maxLength: 20 }), (ops) => {
        for (const [decipher, bytes] of ops) {
          const data = Buffer.from(bytes);
          const expected = fresh(decipher, data);
          expect(decipher ? ctx.decrypt(Buffer.from(data)) : ctx.encrypt(Buffer.from(data))).toEqual(
            expected,
          );
        }
      }),
      { numRuns: 200 },
    );
  });
});
