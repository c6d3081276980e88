/**
 * Keys built from input are length-checked (issue #19): a key DynamoDB would refuse — a partition
 * key over 2,048 bytes, a sort key over 1,024 — is a ValidationError (a 400 on a route) before any
 * call, whichever builder made it; keys within the limits come out as built.
 */
import { describe, expect, it } from 'vitest';
import { checkKey, keys } from '../../functions/adapters/dynamodb/keys.ts';
import { ValidationError } from '../../functions/core/errors.ts';

describe('every key keys.ts builds', () => {
  it('comes out as built within DynamoDB’s limits', () => {
    const openid = `o${'x'.repeat(63)}`;
    expect(keys.subscriber({ channel: 'wechat', id: openid })).toEqual({
      pk: `SUB#wechat#${openid}`,
      sk: 'PROFILE',
    });
    expect(keys.binding({ channel: 'wechat', id: openid }, '京A12345')).toMatchObject({
      sk: 'BIND#京A12345',
    });
  });

  it('is refused past them, as what the router answers 400 for, naming the builder', () => {
    const long = `o${'x'.repeat(2099)}`; // the 2,100-character FromUserName the issue found
    expect(() => keys.subscriber({ channel: 'wechat', id: long })).toThrow(ValidationError);
    // A sort key holds 1,024 bytes: BIND# and 340 three-byte characters are 1,025.
    expect(() => keys.binding({ channel: 'wechat', id: 'o1' }, '京'.repeat(340))).toThrow(
      /would be 1025 bytes; at most 1024/,
    );
    try {
      keys.auditByActor('a'.repeat(1019)); // ACTOR# and 1,019: 1,025 bytes
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([
        { path: 'key', message: 'auditByActor: key of 1025 bytes (at most 1024)' },
      ]);
    }
    expect.assertions(3);
  });

  it('holds partition keys to 2,048 bytes and sort keys to 1,024', () => {
    expect(checkKey('t', { pk: 'p'.repeat(2048), sk: 's'.repeat(1024) })).toBeTruthy();
    expect(() => checkKey('t', { pk: 'p'.repeat(2049), sk: 's' })).toThrow(/at most 2048/);
    expect(() => checkKey('t', { gsi1pk: 'p', gsi1sk: 's'.repeat(1025) })).toThrow(/at most 1024/);
  });
});
