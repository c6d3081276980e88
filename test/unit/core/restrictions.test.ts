import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../functions/core/errors.ts';
import {
  openBook,
  pairIndex,
  plateRestrictionOn,
  type RestrictionBook,
  restrictionOn,
  ruleOn,
} from '../../../functions/core/restrictions/engine.ts';
import { addDays, isoWeekday } from '../../../functions/core/time.ts';
import { shippedRestrictionData } from '../../../schemas/data/index.ts';
import { expandRange, type HolidayCalendar } from '../../../schemas/restrictions.ts';

const book = openBook(shippedRestrictionData);
const tails = (s: string) =>
  s === '不限行'
    ? []
    : s
        .split('和')
        .map(Number)
        .sort((a, b) => a - b);

describe('Beijing golden vectors (reference §1.2)', () => {
  it.each([
    ['2025-01-26', '不限行', 'makeup-workday'],
    ['2025-02-03', '不限行', 'holiday'],
    ['2025-02-05', '4和9', 'rule'],
    ['2025-03-28', '1和6', 'rule'],
    ['2025-03-31', '1和6', 'rule'],
    ['2025-09-28', '不限行', 'makeup-workday'],
    ['2025-10-09', '2和7', 'rule'],
    ['2025-10-11', '不限行', 'makeup-workday'],
    ['2026-01-02', '不限行', 'holiday'],
    ['2026-01-04', '不限行', 'makeup-workday'],
    ['2026-02-13', '2和7', 'rule'],
    ['2026-02-14', '不限行', 'makeup-workday'],
    ['2026-02-16', '不限行', 'holiday'],
    ['2026-02-24', '4和9', 'rule'],
    ['2026-03-30', '2和7', 'rule'],
    ['2026-05-09', '不限行', 'makeup-workday'],
    ['2026-06-29', '1和6', 'rule'],
    ['2026-09-20', '不限行', 'makeup-workday'],
    ['2026-09-28', '5和0', 'rule'],
    ['2026-10-09', '4和9', 'rule'],
    ['2026-10-10', '不限行', 'makeup-workday'],
    // Historical API samples quoted in the reference (before the shipped rule window → no-rule is honest;
    // the formula itself is checked against them below).
  ])('%s → %s (%s)', (date, expected, reason) => {
    const a = restrictionOn(book, 'beijing', date);
    expect(a.tails).toEqual(tails(expected));
    expect(a.reason).toBe(reason);
    expect(a.status).toBe(expected === '不限行' ? 'unrestricted' : 'restricted');
    if (a.status === 'restricted') {
      expect(a.windows).toEqual([{ from: '07:00', to: '20:00' }]);
      expect(a.area).toBe('五环路以内道路（不含五环路）');
      expect(a.ruleId).toBe('beijing-2023');
    }
  });

  it('the rotation formula reproduces the 2017–2019 API samples (continuous since 2017)', () => {
    const rule = ruleOn(book, 'beijing', '2025-03-31')!;
    const formulaOnly = { ...rule, rotation: { ...rule.rotation!, periods: [] } };
    const pair = (date: string) => [...rule.pairs[pairIndex(formulaOnly, date, isoWeekday(date))]!].sort();
    expect(pair('2017-07-10')).toEqual([2, 7]);
    expect(pair('2018-06-13')).toEqual([1, 6]);
    expect(pair('2018-06-14')).toEqual([2, 7]);
    expect(pair('2018-06-15')).toEqual([3, 8]);
    expect(pair('2018-08-15')).toEqual([0, 5]);
    expect(pair('2019-03-29')).toEqual([0, 5]);
  });
});

describe('Beijing rotation boundaries 2023 → 2027-03', () => {
  const rule = ruleOn(book, 'beijing', '2025-03-31')!;
  const periods = rule.rotation!.periods;

  it('the published period table and the formula agree on every day of every period', () => {
    const formulaOnly = { ...rule, rotation: { ...rule.rotation!, periods: [] } };
    let checked = 0;
    for (const p of periods) {
      for (const date of expandRange(p.from, p.to)) {
        const wd = isoWeekday(date);
        if (wd > 5) continue;
        expect(pairIndex(rule, date, wd), date).toBe(pairIndex(formulaOnly, date, wd));
        checked++;
      }
    }
    expect(checked).toBe(17 * 65);
  });

  it('periods are contiguous 91-day blocks starting on Mondays, through 2027-03-28', () => {
    expect(periods[0]!.from).toBe('2023-01-02');
    expect(periods.at(-1)!.to).toBe('2027-03-28');
    periods.forEach((p, i) => {
      expect(isoWeekday(p.from)).toBe(1);
      expect(addDays(p.from, 90)).toBe(p.to);
      if (i > 0) expect(p.from).toBe(addDays(periods[i - 1]!.to, 1));
    });
  });

  it.each(periods.slice(1).map((p, i) => [periods[i]!.to, p.from] as const))(
    'across %s | %s every weekday takes the previous weekday’s pair',
    (lastDay, firstDay) => {
      const before = periods.find((p) => p.to === lastDay)!.weekdayMap;
      const after = periods.find((p) => p.from === firstDay)!.weekdayMap;
      expect(after).toEqual([before[4], before[0], before[1], before[2], before[3]]);
      // And the engine says so on the first Monday of the new period (unless it is a holiday).
      const a = restrictionOn(book, 'beijing', firstDay);
      if (a.reason === 'rule') expect(a.tails).toEqual([...rule.pairs[after[0]]!].sort((x, y) => x - y));
    },
  );

  it('after the last published period (2027-03-29) Beijing has no rule: unknown, never a guess', () => {
    expect(restrictionOn(book, 'beijing', '2027-03-29')).toMatchObject({
      status: 'unknown',
      reason: 'no-rule',
    });
  });
});

describe('Tianjin', () => {
  it('follows Beijing’s rotation with 07:00–19:00 and letter tail 0', () => {
    for (const date of ['2025-02-05', '2026-03-30', '2026-09-28', '2026-11-20']) {
      const tj = restrictionOn(book, 'tianjin', date);
      expect(tj.tails).toEqual(restrictionOn(book, 'beijing', date).tails);
      expect(tj.windows).toEqual([{ from: '07:00', to: '19:00' }]);
      expect(tj.area).toBe('外环线以内道路（不含外环线）');
    }
    const p = plateRestrictionOn(book, '津AB123C', 'tianjin', '2026-11-20'); // Fri: 4和9 → tail 0 not restricted
    expect(p).toMatchObject({ tail: 0, restricted: false });
    expect(plateRestrictionOn(book, '津A1234Q', 'tianjin', '2026-11-17')).toMatchObject({
      tails: [1, 6],
      tail: 0,
      restricted: false,
    });
    expect(plateRestrictionOn(book, '津A1234Q', 'tianjin', '2026-11-20')).toMatchObject({
      tails: [4, 9],
      tail: 0,
      restricted: false,
    });
    expect(plateRestrictionOn(book, '津A12340', 'tianjin', '2026-11-19')).toMatchObject({ tails: [3, 8] });
    expect(plateRestrictionOn(book, '津A1234Q', 'tianjin', '2026-11-16')).toMatchObject({
      tails: [0, 5],
      tail: 0,
      restricted: true,
    });
  });
});

describe('Xi’an: fixed map, suspension edges, the 2023 notice window', () => {
  it.each([
    ['2022-12-20', 'restricted', 'rule', [2, 7]], // Tue, last restricted day
    ['2022-12-21', 'unrestricted', 'suspended', []], // Wed, first suspended day
    ['2023-01-04', 'unrestricted', 'suspended', []],
    ['2023-01-20', 'unrestricted', 'suspended', []], // Fri before 春节
    ['2023-01-28', 'unrestricted', 'makeup-workday', []], // Sat 调休: make-up weekends are never restricted
    ['2023-01-30', 'restricted', 'rule', [1, 6]], // Mon: 2023 notice starts, resumption
    ['2023-11-10', 'restricted', 'rule', [0, 5]], // Fri: last day of the 2023 notice
  ])('%s → %s (%s)', (date, status, reason, t) => {
    expect(restrictionOn(book, 'xian', date)).toMatchObject({ status, reason, tails: t });
  });

  it('names the suspension notice', () => {
    expect(restrictionOn(book, 'xian', '2023-01-04').notice).toEqual({
      id: null,
      reason: '暂停执行工作日机动车尾号限行交通管理措施',
    });
  });

  it('answers from the 2023 notice (verified) inside its window', () => {
    expect(restrictionOn(book, 'xian', '2023-06-01').ruleId).toBe('xian-2023');
  });

  it('uses the last digit for letter tails and exempts every new-energy plate', () => {
    // Thu 2023-06-01: 4和9
    expect(plateRestrictionOn(book, '陕A1234Q', 'xian', '2023-06-01')).toMatchObject({
      tail: 4,
      restricted: true,
    });
    expect(plateRestrictionOn(book, '陕AD12344', 'xian', '2023-06-01')).toMatchObject({
      tail: 4,
      restricted: false,
      exemption: { reason: expect.stringContaining('new-energy') },
    });
    expect(plateRestrictionOn(book, '京AF12344', 'xian', '2023-06-01')).toMatchObject({ restricted: false });
  });

  it('says unknown after the last known notice ended (2026-11-06), the case of today', () => {
    expect(restrictionOn(book, 'xian', '2026-11-23')).toMatchObject({ status: 'unknown', reason: 'no-rule' });
  });
});

describe('plates against Beijing', () => {
  it('exempts Beijing-registered pure-electric cars only', () => {
    // Mon 2026-11-16: 5和0
    expect(plateRestrictionOn(book, '京AD12345', 'beijing', '2026-11-16')).toMatchObject({
      tail: 5,
      restricted: false,
      exemption: { reason: expect.stringContaining('pure-electric') },
    });
    expect(plateRestrictionOn(book, '京AF12345', 'beijing', '2026-11-16')).toMatchObject({
      exemption: null,
      restricted: true,
    });
    expect(plateRestrictionOn(book, '津AD12345', 'beijing', '2026-11-16')).toMatchObject({
      exemption: null,
      restricted: true,
    });
    expect(plateRestrictionOn(book, '京A12345D', 'beijing', '2026-11-16')).toMatchObject({
      tail: 0,
      restricted: false,
    });
  });

  it('counts a letter tail as 0 and exempts police and emergency plates', () => {
    expect(plateRestrictionOn(book, '京AB123C', 'beijing', '2026-11-16')).toMatchObject({
      tail: 0,
      restricted: true,
    });
    expect(plateRestrictionOn(book, '京A1230警', 'beijing', '2026-11-16')).toMatchObject({
      restricted: false,
    });
    expect(plateRestrictionOn(book, '京X2345应急', 'beijing', '2026-11-16')).toMatchObject({
      restricted: false,
    });
  });

  it('is never restricted on a day without restriction', () => {
    expect(plateRestrictionOn(book, '京A12345', 'beijing', '2026-11-21')).toMatchObject({
      status: 'unrestricted',
      reason: 'weekend',
      restricted: false,
    });
  });
});

describe('unknown years and cities', () => {
  it('answers unknown / no-calendar for 2027 until a 2027 calendar is uploaded', () => {
    for (const date of ['2027-01-04', '2027-02-10', '2027-03-26']) {
      expect(restrictionOn(book, 'beijing', date)).toMatchObject({
        status: 'unknown',
        reason: 'no-calendar',
        tails: [],
      });
    }
    const cal2027: HolidayCalendar = {
      year: 2027,
      notice: 'test',
      source: 'https://example.gov.cn/2027',
      holidays: [{ name: '春节', nameEn: 'Spring Festival', from: '2027-02-05', to: '2027-02-11' }],
      makeUpWorkdays: [],
    };
    const withUpload = openBook({
      ...shippedRestrictionData,
      calendars: [...shippedRestrictionData.calendars, cal2027],
    });
    expect(restrictionOn(withUpload, 'beijing', '2027-01-04')).toMatchObject({
      status: 'restricted',
      tails: [4, 9],
    });
    expect(restrictionOn(withUpload, 'beijing', '2027-02-10')).toMatchObject({
      status: 'unrestricted',
      reason: 'holiday',
    });
  });

  it('refuses a city it has no data for', () => {
    expect(() => restrictionOn(book, 'shanghai', '2026-11-20')).toThrow(NotFoundError);
  });
});

describe('properties over every date of the known years', () => {
  const knownDate = fc
    .date({
      min: new Date('2023-01-02T00:00:00Z'),
      max: new Date('2026-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10));

  const kindOf = (b: RestrictionBook, date: string) => b.calendar.dayKind(date).kind;

  it('a weekday that is neither holiday nor make-up workday restricts exactly two tails in a rotating city', () => {
    fc.assert(
      fc.property(knownDate, fc.constantFrom('beijing', 'tianjin'), (date, city) => {
        if (kindOf(book, date) !== 'workday') return;
        const a = restrictionOn(book, city, date);
        expect(a.status).toBe('restricted');
        expect(new Set(a.tails).size).toBe(2);
      }),
      { numRuns: 2000 },
    );
  });

  it('weekends, holidays and make-up weekends never restrict', () => {
    fc.assert(
      fc.property(knownDate, fc.constantFrom('beijing', 'tianjin', 'xian'), (date, city) => {
        const kind = kindOf(book, date);
        if (kind === 'workday') return;
        const a = restrictionOn(book, city, date);
        expect(a.status).not.toBe('restricted');
        expect(a.tails).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('every date of 2023–2026 (exhaustively): restricted ⇔ workday, not suspended', () => {
    for (const date of expandRange('2023-01-02', '2026-12-31')) {
      const a = restrictionOn(book, 'beijing', date);
      expect(a.status === 'restricted', date).toBe(kindOf(book, date) === 'workday');
    }
  });

  it('over one 91-day Beijing period each tail pair appears on exactly 13 days, all in one weekday slot', () => {
    const rule = ruleOn(book, 'beijing', '2025-03-31')!;
    fc.assert(
      fc.property(fc.integer({ min: -8, max: 7 }), (k) => {
        const from = addDays(rule.rotation!.anchorMonday, 91 * k);
        const seen = new Map<number, { days: number; slots: Set<number> }>();
        for (let i = 0; i < 91; i++) {
          const date = addDays(from, i);
          const wd = isoWeekday(date);
          if (wd > 5) continue;
          const idx = pairIndex(rule, date, wd);
          const s = seen.get(idx) ?? { days: 0, slots: new Set<number>() };
          s.days++;
          s.slots.add(wd);
          seen.set(idx, s);
        }
        expect(seen.size).toBe(5);
        for (const s of seen.values()) {
          expect(s.days).toBe(13);
          expect(s.slots.size).toBe(1);
        }
      }),
    );
  });
});
