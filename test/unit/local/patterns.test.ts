import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../../lib/local/patterns.ts';

describe('matchesPattern (SNS filter policies and EventBridge patterns)', () => {
  it.each([
    [{ channel: 'wechat' }, { channel: ['wechat'] }, true],
    [{ channel: 'sms' }, { channel: ['wechat'] }, false],
    [{ channel: 'sms' }, { channel: ['wechat', 'sms'] }, true],
    [{}, { channel: ['wechat'] }, false],
    [{ city: 'beijing' }, { city: [{ prefix: 'bei' }] }, true],
    [{ city: 'xian' }, { city: [{ 'anything-but': ['beijing'] }] }, true],
    [{ city: 'beijing' }, { city: [{ 'anything-but': 'beijing' }] }, false],
    [{}, { city: [{ exists: false }] }, true],
    [{ city: 'x' }, { city: [{ exists: true }] }, true],
    [{ channel: 'wechat', category: 'notice' }, { channel: ['wechat'], category: ['restriction'] }, false],
    [{ source: 'a', detail: { kind: 'x' } }, { source: ['a'], detail: { kind: ['x'] } }, true],
    [{ source: 'a', detail: { kind: 'y' } }, { source: ['a'], detail: { kind: ['x'] } }, false],
    [{ source: 'a' }, { detail: { kind: ['x'] } }, false],
  ])('%j against %j → %s', (subject, pattern, expected) => {
    expect(matchesPattern(subject, pattern)).toBe(expected);
  });
});
