/**
 * The calendar upload's before-save diff: the API's changes (computed here by the same core function
 * the endpoint runs) shown date by date, each city's answer before → after.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { calendarChanges } from '../../functions/core/restrictions/report.ts';
import { shippedRestrictionData } from '../../schemas/data/index.ts';
import { answerText, CalendarChanges } from '../src/components/CalendarChanges.tsx';

const data = { ...shippedRestrictionData, versions: new Map<string, number>() };
const text = (report: Parameters<typeof CalendarChanges>[0]['report']) =>
  renderToStaticMarkup(createElement(CalendarChanges, { report })).replace(/<[^>]+>/g, ' ');

describe('the calendar upload diff', () => {
  it('a new year: every date turns from “no calendar” to an answer, 2027-01-01 a holiday', () => {
    const report = calendarChanges(
      data,
      {
        year: 2027,
        notice: '国务院办公厅关于2027年部分节假日安排的通知',
        source: 'https://www.gov.cn/',
        holidays: [{ name: '元旦', nameEn: "New Year's Day", from: '2027-01-01', to: '2027-01-03' }],
        makeUpWorkdays: [],
      },
      2027,
    );
    const shown = text(report);
    expect(shown).toContain('新增 2027 年日历');
    expect(shown).toContain(`${report.changedDates} 天的答复会改变`);
    expect(shown).toContain('2027-01-01');
    expect(shown).toContain('无节假日数据');
    expect(shown).toContain('节假日不限行（元旦）');
    expect(shown).toContain('北京');
  });

  it('a replacement that moves one holiday: only that date, with the tails it restricted before', () => {
    const cal = shippedRestrictionData.calendars.find((c) => c.year === 2026)!;
    const moved = {
      ...cal,
      holidays: cal.holidays.map((h) => (h.name === '清明节' ? { ...h, to: '2026-04-07' } : h)),
    };
    const report = calendarChanges(data, moved, 2026);
    const shown = text(report);
    expect(shown).toContain('替换现有的 2026 年日历');
    expect(shown).toContain('2026-04-07');
    expect(shown).not.toContain('2026-04-08');
    const beijing = report.changes.find((c) => c.city === 'beijing')!;
    expect(shown).toContain(answerText(beijing.before));
    expect(answerText(beijing.before)).toMatch(/^限行 \d、\d$/);
    expect(answerText(beijing.after)).toBe('节假日不限行（清明节）');
  });
});
