/**
 * The reads the staff console added to the API: a calendar upload's dry run, the restriction data
 * with its sources and gaps, the audit action filter, the approved version of a notice, and finding
 * a subscriber by plate or phone (masked unless admin).
 */
import { describe, expect, it } from 'vitest';
import { approvedVersion } from '../../../functions/core/notices/history.ts';
import { matchesAction } from '../../../functions/core/operations/reports.ts';
import { findSubscribers, type SupportDeps } from '../../../functions/core/operations/support.ts';
import type { VersionedDataset } from '../../../functions/core/restrictions/admin.ts';
import { calendarChanges, restrictionDataReport } from '../../../functions/core/restrictions/report.ts';
import { phoneId } from '../../../functions/core/sms/numbers.ts';
import { newSubscriber, type Subscriber } from '../../../functions/core/subscribers/subscriber.ts';
import { fixedClock } from '../../../functions/core/time.ts';
import { shippedRestrictionData } from '../../../schemas/data/index.ts';
import type { HolidayCalendar } from '../../../schemas/restrictions.ts';

const dataset = (stored: string[] = []): VersionedDataset => ({
  ...shippedRestrictionData,
  versions: new Map(stored.map((k) => [k, 1])),
});

const CAL_2027: HolidayCalendar = {
  year: 2027,
  notice: '国务院办公厅关于2027年部分节假日安排的通知',
  source: 'https://www.gov.cn/',
  holidays: [{ name: '元旦', nameEn: "New Year's Day", from: '2027-01-01', to: '2027-01-03' }],
  makeUpWorkdays: [],
};

describe('a calendar upload’s dry run', () => {
  it('lists every date whose answer changes: a year without a calendar turns from unknown to answered', () => {
    const r = calendarChanges(dataset(), CAL_2027, 2027);
    expect(r.replaces).toBe(false);
    const newYear = r.changes.filter((c) => c.date === '2027-01-01');
    // Cities with a rule on that day change; one whose rule has run out (no-rule) stays unknown.
    expect(newYear.map((c) => c.city)).toContain('beijing');
    expect(r.changes.every((c) => c.before.status === 'unknown' && c.after.status !== 'unknown')).toBe(true);
    expect(newYear[0]!.before).toMatchObject({ status: 'unknown', reason: 'no-calendar' });
    expect(newYear[0]!.after).toMatchObject({ status: 'unrestricted', reason: 'holiday', holiday: '元旦' });
    expect(r.changedDates).toBe(365);
  });

  it('replacing a calendar with itself changes nothing; moving one holiday changes exactly its dates', () => {
    const cal2026 = shippedRestrictionData.calendars.find((c) => c.year === 2026)!;
    expect(calendarChanges(dataset(), cal2026, 2026)).toMatchObject({ replaces: true, changes: [] });
    const moved = {
      ...cal2026,
      holidays: cal2026.holidays.map((h) => (h.name === '清明节' ? { ...h, to: '2026-04-07' } : h)),
    };
    const r = calendarChanges(dataset(), moved, 2026);
    expect([...new Set(r.changes.map((c) => c.date))]).toEqual(['2026-04-07']);
    expect(r.changes.find((c) => c.city === 'beijing')!.after.reason).toBe('holiday');
  });

  it('refuses a body for another year, naming the field', () => {
    expect(() => calendarChanges(dataset(), CAL_2027, 2028)).toThrow(/2027 calendar but the path says 2028/);
  });
});

describe('the restriction data report', () => {
  it('says where each record comes from, and finds the served cities’ gaps', () => {
    const r = restrictionDataReport(dataset(['calendar#2026']), ['beijing', 'xian'], '2026-12-20', 30);
    expect(r.calendars.find((c) => c.calendar.year === 2026)!.source).toBe('stored');
    expect(r.calendars.find((c) => c.calendar.year === 2025)!.source).toBe('shipped');
    // No 2027 calendar: every served city runs out on 2027-01-01.
    expect(r.coverage.gaps).toContainEqual(
      expect.objectContaining({ city: 'beijing', firstMissingDay: '2027-01-01', reason: 'no-calendar' }),
    );
    expect(r.answers.date).toBe('2026-12-20');
    expect(r.answers.cities.map((a) => a.city)).toContain('beijing');
  });
});

describe('the audit action filter', () => {
  it('matches an action exactly, or a prefix that ends in a dot', () => {
    expect(matchesAction('notice.approve', undefined)).toBe(true);
    expect(matchesAction('notice.approve', 'notice.approve')).toBe(true);
    expect(matchesAction('notice.approved', 'notice.approve')).toBe(false);
    expect(matchesAction('notice.edit', 'notice.')).toBe(true);
    expect(matchesAction('calendar.upload', 'notice.')).toBe(false);
  });
});

describe('the approved version of a notice', () => {
  const notice = { id: 'n1', createdAt: '2026-11-20T01:00:00.000Z' } as never;
  it('is the after of the latest approval in the audit trail, searched from the notice’s creation', async () => {
    const approved = { ...(notice as object), title: 'v2' };
    const days: string[][] = [];
    const r = await approvedVersion('n1', {
      notice: async () => notice,
      auditOf: async (_entity, d) => {
        days.push([...d]);
        return [
          {
            id: 'a',
            actor: 'rex',
            at: '2026-11-20T02:00:00Z',
            action: 'notice.approve',
            entity: 'notice:n1',
            before: null,
            after: { title: 'v1' },
          },
          {
            id: 'b',
            actor: 'rex',
            at: '2026-11-21T02:00:00Z',
            action: 'notice.approve',
            entity: 'notice:n1',
            before: null,
            after: approved,
          },
          {
            id: 'c',
            actor: 'edna',
            at: '2026-11-21T03:00:00Z',
            action: 'notice.edit',
            entity: 'notice:n1',
            before: approved,
            after: {},
          },
        ];
      },
      clock: fixedClock('2026-11-22T00:00:00Z'),
    });
    expect(days[0]).toEqual(['2026-11-20', '2026-11-21', '2026-11-22']);
    expect(r).toMatchObject({
      approvedBy: 'rex',
      approvedAt: '2026-11-21T02:00:00Z',
      searchedFrom: '2026-11-20',
    });
    // The stored `after` is checked against the notice schema; a fragment is not offered as a version.
    expect(r.notice).toBeNull();
  });
});

describe('finding subscribers', () => {
  const pepper = Buffer.alloc(32, 7);
  const withPlate: Subscriber = {
    ...newSubscriber({ channel: 'wechat', id: 'o-follower-0001' }, 'dev', '2026-11-01T00:00:00Z'),
    bindings: [
      {
        plate: '京A12345',
        city: 'beijing',
        tail: 5,
        nev: false,
        boundAt: '2026-11-01T00:00:00Z',
        verified: false,
      } as never,
    ],
  };
  const smsId = phoneId(pepper, '+8613800138000');
  const sms = newSubscriber({ channel: 'sms', id: smsId }, 'sms', '2026-11-01T00:00:00Z');
  const deps: SupportDeps = {
    get: async (r) => [withPlate, sms].find((s) => s.channel === r.channel && s.id === r.id),
    withPlate: async (p) => (p === '京A12345' ? [withPlate] : []),
    withFallbackNumber: async (id) => (id === smsId ? [withPlate] : []),
    phoneId: async (e164) => phoneId(pepper, e164),
    ledger: async () => [
      { date: '2026-11-02', key: 'restriction#beijing#2026-11-02#morning', outcome: null },
    ],
  };

  it('by plate in any spelling, masked for an operator and whole for an admin', async () => {
    const masked = await findSubscribers({ plate: '京a·12345' }, false, deps);
    expect(masked.searched).toEqual({ by: 'plate', value: '京A12345' });
    expect(masked.subscribers[0]).toMatchObject({ id: 'o-fo****0001', masked: true });
    expect(masked.subscribers[0]!.bindings[0]!.plate).toBe('京A***45');
    expect(masked.subscribers[0]!.recentPushes).toHaveLength(1);
    const whole = await findSubscribers({ plate: '京A12345' }, true, deps);
    expect(whole.subscribers[0]).toMatchObject({ id: 'o-follower-0001', masked: false });
  });

  it('by phone: the SMS subscriber and the WeChat follower who linked the number, never the number unmasked for an operator', async () => {
    const r = await findSubscribers({ phone: '138 0013 8000' }, false, deps);
    expect(r.searched.value).not.toContain('13800138000');
    expect(r.subscribers.map((s) => s.channel).sort()).toEqual(['sms', 'wechat']);
    await expect(findSubscribers({ phone: '12345' }, false, deps)).rejects.toThrow();
  });
});
