import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import WXBizMsgCrypt from 'wechat-crypto';
import {
  aesKeyOf,
  decrypt,
  encrypt,
  signature,
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
