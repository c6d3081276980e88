import { describe, expect, it } from 'vitest';
import {
  capRequest,
  quietUntil,
  restrictionReminder,
  restrictionSegments,
  templateValue,
} from '../../../functions/core/pushes.ts';
import { openBook, restrictionOn } from '../../../functions/core/restrictions.ts';
import { shippedRestrictionData } from '../../../schemas/data/index.ts';
import { DEFAULT_POLICY } from '../../../schemas/pushes.ts';

const book = openBook(shippedRestrictionData);

describe('quiet hours (21:30–07:00 Asia/Shanghai)', () => {
  it.each([
    ['2026-11-16T15:00:00Z', 'notice', '2026-11-16T23:00:00.000Z'], // 23:00 → 07:00 next day
    ['2026-11-16T13:29:00Z', 'notice', null], // 21:29: not yet quiet
    ['2026-11-16T13:30:00Z', 'notice', '2026-11-16T23:00:00.000Z'], // 21:30: quiet
    ['2026-11-16T22:59:00Z', 'notice', '2026-11-16T23:00:00.000Z'], // 06:59
    ['2026-11-16T23:00:00Z', 'notice', null], // 07:00: the window has ended
    ['2026-11-16T15:00:00Z', 'emergency', null], // emergencies are never deferred
  ])('at %s a %s waits until %s', (now, category, until) => {
    const result = quietUntil(DEFAULT_POLICY, 'wechat', category as 'notice', new Date(now));
    expect(result?.toISOString() ?? null).toBe(until);
  });

  it('the 07:00 and 20:00 restriction slots are outside the window', () => {
    expect(quietUntil(DEFAULT_POLICY, 'wechat', 'restriction', new Date('2026-11-16T23:00:00Z'))).toBeNull();
    expect(quietUntil(DEFAULT_POLICY, 'wechat', 'restriction', new Date('2026-11-16T12:00:00Z'))).toBeNull();
  });
});

describe('capRequest', () => {
  it('puts categories in their cap class with the policy’s limits', () => {
    const now = new Date('2026-11-16T02:00:00Z');
    expect(capRequest(DEFAULT_POLICY, 'wechat', 'restriction', now)).toEqual({
      date: '2026-11-16',
      klass: 'restriction',
      dayLimit: 1,
      weekLimit: null,
    });
    expect(capRequest(DEFAULT_POLICY, 'wechat', 'notice', now)).toEqual({
      date: '2026-11-16',
      klass: 'routine',
      dayLimit: 1,
      weekLimit: 4,
    });
    expect(capRequest(DEFAULT_POLICY, 'sms', 'restriction', now)).toMatchObject({
      klass: 'routine',
      dayLimit: 1,
    });
    expect(capRequest(DEFAULT_POLICY, 'wechat', 'emergency', now)).toMatchObject({
      klass: 'emergency',
      dayLimit: 3,
      weekLimit: null,
    });
  });
});

describe('restriction run shape', () => {
  it('has one segment per restricted tail and shard, none on a day without restriction', () => {
    expect(restrictionSegments(restrictionOn(book, 'beijing', '2026-11-16'))).toHaveLength(32);
    expect(restrictionSegments(restrictionOn(book, 'beijing', '2026-11-21'))).toEqual([]);
  });

  it('cuts template values to WeChat’s 20-character display', () => {
    expect(templateValue('一二三四五六七八九十一二三四五六七八九十一')).toBe(
      '一二三四五六七八九十一二三四五六七八九…',
    );
    expect(templateValue('short')).toBe('short');
    const values = restrictionReminder(restrictionOn(book, 'beijing', '2026-11-16'), '北京', [
      '京A12345',
      '京B22225',
    ]);
    expect(values.keyword1).toBe('北京尾号0和5限行');
    expect(values.keyword2).toBe('11月16日周一 07:00-20:00');
    for (const v of Object.values(values)) expect([...v].length).toBeLessThanOrEqual(20);
  });
});
