import { describe, expect, it } from 'vitest';
import {
  findDate,
  MAX_DAYS_AHEAD,
  numberOf,
  resolveDate,
  type When,
} from '../../../functions/core/conversation/dates.ts';

const MON = '2026-11-16'; // a Monday
const at = (text: string, today = MON) => {
  const found = findDate(text);
  if (!found) return null;
  const r = resolveDate(found.when, today);
  return r.ok ? r.date : r.reason;
};

describe('findDate + resolveDate', () => {
  it.each([
    ['今天', '2026-11-16'],
    ['今日限行', '2026-11-16'],
    ['明天', '2026-11-17'],
    ['后天', '2026-11-18'],
    ['大后天', '2026-11-19'],
    ['周一', '2026-11-16'], // the coming Monday is today
    ['周五', '2026-11-20'],
    ['星期日', '2026-11-22'],
    ['礼拜天', '2026-11-22'],
    ['周5', '2026-11-20'],
    ['下周一', '2026-11-23'],
    ['下个星期五', '2026-11-27'],
    ['本周五', '2026-11-20'],
    ['这周日', '2026-11-22'],
    ['周末', '2026-11-21'],
    ['12月5日', '2026-12-05'],
    ['12月5号', '2026-12-05'],
    ['十二月五日', '2026-12-05'],
    ['十一月二十一号', '2026-11-21'],
    ['2026-12-05', '2026-12-05'],
    ['2026年12月5日', '2026-12-05'],
    ['2026/12/5', '2026-12-05'],
    ['12-5', '2026-12-05'],
    ['12/5', '2026-12-05'],
    ['20号', '2026-11-20'],
    ['16日', '2026-11-16'],
  ])('%s → %s', (text, date) => {
    expect(at(text)).toBe(date);
  });

  it('refuses days that passed, lie beyond the window, or do not exist', () => {
    expect(at('上周五')).toBe('past');
    expect(at('上个星期一')).toBe('past');
    expect(at('这周一', '2026-11-18')).toBe('past');
    expect(at('11月15日')).toBe('past');
    expect(at('6月1日')).toBe('past'); // next year's 6月1日 is far beyond the window
    expect(at('2025-12-05')).toBe('past');
    expect(at('12月16日')).toBe('2026-12-16'); // today + 30
    expect(at('12月17日')).toBe('too-far');
    expect(at('2027-11-16')).toBe('too-far');
    expect(at('2月30日')).toBe('invalid');
    expect(at('13月1日')).toBe('invalid');
    expect(at('2026-02-29')).toBe('invalid');
    expect(MAX_DAYS_AHEAD).toBe(30);
  });

  it('reads a date without a year as next year’s when this year’s has passed and next year’s is near', () => {
    expect(at('1月5日', '2026-12-20')).toBe('2027-01-05');
    expect(at('1/5', '2026-12-20')).toBe('2027-01-05');
    expect(at('12月19日', '2026-12-20')).toBe('past');
    expect(at('2月29日', '2027-02-10')).toBe('invalid'); // 2027 is not a leap year, 2028 is too far
  });

  it('reads a day without a month as this month’s, or next month’s once it has passed', () => {
    expect(at('5号', '2026-11-16')).toBe('2026-12-05');
    expect(at('31号', '2026-11-16')).toBe('too-far'); // 11月 has no 31日; 12-31 is 45 days away
    expect(at('3号', '2026-12-20')).toBe('2027-01-03');
  });

  it('leaves plates, tails and menu numbers alone', () => {
    for (const text of ['京A12345', '京A-12345', '尾号3', '3', '京A12345D', '12122'])
      expect(findDate(text)).toBeNull();
  });

  it('returns the text without the date, so the rest can be read', () => {
    expect(findDate('12月5日京A12345')?.rest.trim()).toBe('京A12345');
    expect(findDate('京A12345 明天限行')?.rest.replace(/\s+/g, ' ')).toBe('京A12345 限行');
  });

  it('reads Chinese numerals up to 99', () => {
    expect([numberOf('五'), numberOf('十'), numberOf('十二'), numberOf('二十'), numberOf('三十一')]).toEqual([
      5, 10, 12, 20, 31,
    ]);
    expect(numberOf('十十')).toBeNaN();
    expect(numberOf('')).toBeNaN();
  });

  it('resolves a weekday of this week, next week or the coming one', () => {
    const fri = (week: 'coming' | 'this' | 'next' | 'last'): When => ({ kind: 'weekday', weekday: 5, week });
    const sat = '2026-11-21';
    expect(resolveDate(fri('coming'), sat)).toEqual({ ok: true, date: '2026-11-27', offset: 6 });
    expect(resolveDate(fri('this'), sat)).toEqual({ ok: false, reason: 'past', date: '2026-11-20' });
    expect(resolveDate(fri('next'), sat)).toEqual({ ok: true, date: '2026-11-27', offset: 6 });
    expect(resolveDate(fri('last'), sat)).toEqual({ ok: false, reason: 'past', date: '2026-11-13' });
  });
});
