import { describe, expect, it } from 'vitest';
import { attributableSend } from '../../../functions/core/pushes/attribution.ts';
import { capRequest, parseReservation, reservationValue } from '../../../functions/core/pushes/cap.ts';
import { restrictionReminder, templateValue } from '../../../functions/core/pushes/messages.ts';
import { restrictionSegments } from '../../../functions/core/pushes/planning.ts';
import { quietUntil } from '../../../functions/core/pushes/quiet-hours.ts';
import { openBook, restrictionOn } from '../../../functions/core/restrictions/engine.ts';
import { isoWeek } from '../../../functions/core/time.ts';
import { shippedRestrictionData } from '../../../schemas/data/index.ts';
import { DEFAULT_POLICY, FrequencyPolicySchema } from '../../../schemas/pushes.ts';

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

  it('the 20:00 restriction slot is outside the window; the morning reminder may go from 06:30 (restrictionFrom)', () => {
    expect(quietUntil(DEFAULT_POLICY, 'wechat', 'restriction', new Date('2026-11-16T12:00:00Z'))).toBeNull();
    expect(quietUntil(DEFAULT_POLICY, 'wechat', 'restriction', new Date('2026-11-16T22:30:00Z'))).toBeNull(); // 06:30
    expect(quietUntil(DEFAULT_POLICY, 'wechat', 'restriction', new Date('2026-11-16T22:59:00Z'))).toBeNull(); // 06:59
    // Before 06:30 it waits like anything else, and other categories wait until 07:00 as before.
    expect(
      quietUntil(DEFAULT_POLICY, 'wechat', 'restriction', new Date('2026-11-16T22:29:00Z'))?.toISOString(),
    ).toBe('2026-11-16T23:00:00.000Z');
    expect(
      quietUntil(DEFAULT_POLICY, 'wechat', 'notice', new Date('2026-11-16T22:45:00Z'))?.toISOString(),
    ).toBe('2026-11-16T23:00:00.000Z');
  });

  it('refuses a restrictionFrom outside the window’s morning end', () => {
    const wechat = DEFAULT_POLICY.channels.wechat;
    const with_ = (restrictionFrom: string) => ({
      ...DEFAULT_POLICY,
      channels: {
        ...DEFAULT_POLICY.channels,
        wechat: { ...wechat, quietHours: { from: '21:30', to: '07:00', restrictionFrom } },
      },
    });
    expect(FrequencyPolicySchema.safeParse(with_('06:30')).success).toBe(true);
    const late = FrequencyPolicySchema.safeParse(with_('07:30'));
    expect(late.success).toBe(false);
    expect(late.error?.issues[0]?.path.join('.')).toBe('channels.wechat.quietHours.restrictionFrom');
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

describe('unfollow attribution', () => {
  it('charges the most recent push sent within 24 hours before the unfollow', () => {
    const sends = [
      { at: '2026-11-15T23:00:00.000Z', category: 'restriction' },
      { at: '2026-11-16T08:00:00.000Z', category: 'notice' },
      { at: '2026-11-16T12:00:00.000Z', category: 'emergency' },
    ];
    expect(attributableSend(sends, new Date('2026-11-16T10:00:00Z'))?.category).toBe('notice');
    expect(attributableSend(sends, new Date('2026-11-17T11:00:00Z'))?.category).toBe('emergency');
    expect(attributableSend(sends, new Date('2026-11-18T13:00:00Z'))).toBeNull();
  });

  it('writes and reads a reservation', () => {
    const meta = {
      category: 'restriction',
      runKey: 'restriction#beijing#2026-11-16#morning',
      bundle: 'restriction#beijing#2026-11-16#morning#5#3#0#wechat#dev#1',
    };
    expect(parseReservation(reservationValue(meta, 1_763_251_201_000))).toEqual({
      reservedAt: 1_763_251_201_000,
      ...meta,
    });
    expect(parseReservation(1_763_251_201_000)).toEqual({
      reservedAt: 1_763_251_201_000,
      category: '',
      runKey: '',
      bundle: '',
    });
    expect(parseReservation('')).toBeNull();
    expect(parseReservation('x|notice')).toBeNull();
    expect(parseReservation(undefined)).toBeNull();
  });

  it('numbers ISO weeks', () => {
    expect(isoWeek('2026-11-16')).toBe('2026-W47');
    expect(isoWeek('2026-01-01')).toBe('2026-W01');
    expect(isoWeek('2027-01-01')).toBe('2026-W53');
  });
});
