/** The service desk's domain: deadlines in working time, routing, the case's moves, follow-ups, escalation. */
import { describe, expect, it } from 'vitest';
import {
  acknowledgementText,
  assignTo,
  citizenWrote,
  closeCase,
  escalate,
  openCase,
  overdueDeadline,
  replyTo,
  takesFollowUp,
  transferTo,
} from '../../../functions/core/desk/cases.ts';
import { routeCase } from '../../../functions/core/desk/routing.ts';
import { addWorkingDays, addWorkingHours, isWorkingDay } from '../../../functions/core/desk/working-time.ts';
import { ConflictError, ValidationError } from '../../../functions/core/errors.ts';
import { calendar, shippedDeskConfig as config } from '../../fixtures/memory/cases.ts';

const hours = config.workingHours;
const at = (local: string) => new Date(`${local}+08:00`);
const iso = (local: string) => at(local).toISOString();
const ctx = { config, calendar, retentionDays: 365 };
const olga = { sub: 'olga', roles: ['officer'] };

const open = (local: string, category: 'complaint' | 'consultation' = 'complaint', text = '某路口违停严重') =>
  openCase(
    {
      channel: 'wechat',
      category,
      text,
      citizen: { channel: 'wechat', id: 'o-1', account: 'dev', sealedPhone: null },
      area: null,
      externalId: null,
    },
    ctx,
    at(local),
    '2611200001',
    'm1',
  ).case;

describe('working time (the restriction engine’s holiday calendar)', () => {
  it('knows weekends, statutory holidays and make-up workdays', () => {
    expect(isWorkingDay(calendar, '2026-11-21')).toBe(false); // Saturday
    expect(isWorkingDay(calendar, '2026-10-05')).toBe(false); // 国庆节
    expect(isWorkingDay(calendar, '2026-10-10')).toBe(true); // Saturday, 调休上班
  });

  it('counts working hours across a weekend', () => {
    // Friday 16:30 + 4 h: half an hour on Friday, 3.5 h from Monday 09:00.
    expect(addWorkingHours(calendar, hours, at('2026-11-20T16:30:00'), 4).toISOString()).toBe(
      iso('2026-11-23T12:30:00'),
    );
    // Written on a Saturday: from Monday 09:00.
    expect(addWorkingHours(calendar, hours, at('2026-11-21T10:00:00'), 4).toISOString()).toBe(
      iso('2026-11-23T13:00:00'),
    );
    // Before opening: from 09:00 the same day.
    expect(addWorkingHours(calendar, hours, at('2026-11-23T07:00:00'), 2).toISOString()).toBe(
      iso('2026-11-23T11:00:00'),
    );
  });

  it('counts working hours and days across a statutory holiday and its make-up workday', () => {
    // 9/30 16:00 + 8 h: 1 h on 9/30, National Day 10/1–10/7, then 7 h on 10/8.
    expect(addWorkingHours(calendar, hours, at('2026-09-30T16:00:00'), 8).toISOString()).toBe(
      iso('2026-10-08T16:00:00'),
    );
    // 10 working days after 9/30: 10/8, 10/9, 10/10 (Saturday, 调休), 10/12 … 10/16, 10/19, 10/20.
    expect(addWorkingDays(calendar, hours, at('2026-09-30T16:00:00'), 10).toISOString()).toBe(
      iso('2026-10-20T17:00:00'),
    );
  });

  it('gives every case both deadlines when it opens', () => {
    const c = open('2026-11-20T16:30:00', 'consultation', '驾照到期怎么换');
    expect(c.firstAnswerDue).toBe(iso('2026-11-23T12:30:00'));
    expect(c.resolutionDue).toBe(iso('2026-11-25T17:00:00'));
    expect(acknowledgementText(c)).toContain('11月23日 12:30 前答复');
    expect(c.expiresAt).toBe(Math.floor(at('2026-11-20T16:30:00').getTime() / 1000) + 365 * 86_400);
  });
});

describe('routing rules as data', () => {
  it('sends a case to the first unit whose rule matches, else the public-relations office', () => {
    expect(routeCase(config, { category: 'report', text: '幸福路口违停严重', area: null })).toBe(
      'traffic-order',
    );
    expect(routeCase(config, { category: 'praise', text: '违停处理及时', area: null })).toBe(
      'public-relations',
    );
    expect(routeCase(config, { category: 'consultation', text: '驾驶证怎么换', area: null })).toBe(
      'vehicle-admin',
    );
    expect(routeCase(config, { category: 'help', text: '追尾了怎么办', area: null })).toBe('accidents');
    expect(routeCase(config, { category: 'consultation', text: '你们几点上班', area: null })).toBe(
      'public-relations',
    );
  });
});

describe('a case’s moves', () => {
  it('new → assigned → replied → closed; the first answer is timed', () => {
    const c = open('2026-11-23T10:00:00');
    expect(c.unit).toBe('traffic-order');
    const assigned = assignTo(c, 'tom', config, at('2026-11-23T10:05:00'));
    expect(assigned).toMatchObject({ status: 'assigned', assignee: 'tom', version: 2 });
    const replied = replyTo(assigned, { sub: 'tom', roles: ['officer'] }, at('2026-11-23T11:00:00'));
    expect(replied).toMatchObject({ status: 'replied', firstAnsweredAt: iso('2026-11-23T11:00:00') });
    const closed = closeCase(replied, at('2026-11-24T09:00:00'), undefined);
    expect(closed.status).toBe('closed');
    expect(() => replyTo(closed, olga, at('2026-11-24T09:01:00'))).toThrow(ConflictError);
  });

  it('refuses assigning outside the unit and closing unanswered without a reason', () => {
    const c = open('2026-11-23T10:00:00');
    expect(() => assignTo(c, 'olga', config, at('2026-11-23T10:00:00'))).toThrow(ValidationError);
    expect(() => closeCase(c, at('2026-11-23T10:00:00'), undefined)).toThrow(/give a reason/);
    expect(closeCase(c, at('2026-11-23T10:00:00'), '重复留言').status).toBe('closed');
  });

  it('a transfer clears the assignee and hands the case to the other unit', () => {
    const c = assignTo(open('2026-11-23T10:00:00'), 'tom', config, at('2026-11-23T10:00:00'));
    const moved = transferTo(c, 'public-relations', config, at('2026-11-23T10:10:00'));
    expect(moved).toMatchObject({ unit: 'public-relations', assignee: null, status: 'new' });
    expect(() => transferTo(moved, 'public-relations', config, at('2026-11-23T10:11:00'))).toThrow(
      ConflictError,
    );
  });

  it('a citizen’s reply reopens a closed case within the reopen window, not after', () => {
    const replied = replyTo(open('2026-11-23T10:00:00'), olga, at('2026-11-23T11:00:00'));
    const closed = closeCase(replied, at('2026-11-23T12:00:00'), undefined);
    expect(takesFollowUp(closed, config, at('2026-11-26T12:00:00'))).toBe(true);
    expect(citizenWrote(closed, at('2026-11-26T12:00:00'))).toMatchObject({
      status: 'assigned',
      closedAt: null,
    });
    expect(takesFollowUp(closed, config, at('2026-12-01T12:00:01'))).toBe(false);
  });

  it('a case being worked takes follow-ups only within minutes of the last exchange (SMS: while open)', () => {
    const c = open('2026-11-23T10:00:00');
    expect(takesFollowUp(c, config, at('2026-11-23T10:29:00'))).toBe(true);
    expect(takesFollowUp(c, config, at('2026-11-23T10:31:00'))).toBe(false);
    expect(takesFollowUp(c, config, at('2026-11-25T10:31:00'), 'sms')).toBe(true);
  });

  it('is overdue past a deadline and escalated once per deadline', () => {
    const c = open('2026-11-23T10:00:00'); // complaint: 8 working hours → 11-24 10:00
    expect(overdueDeadline(c, at('2026-11-24T09:59:00'))).toBeNull();
    expect(overdueDeadline(c, at('2026-11-24T10:01:00'))).toBe('first-answer');
    const escalated = escalate(c, 'first-answer', at('2026-11-24T10:05:00'))!;
    expect(escalated).toMatchObject({ escalation: 'first-answer', escalatedAt: iso('2026-11-24T10:05:00') });
    expect(escalate(escalated, 'first-answer', at('2026-11-24T10:20:00'))).toBeNull();
    const answered = replyTo(escalated, { sub: 'tom', roles: ['officer'] }, at('2026-11-24T11:00:00'));
    expect(overdueDeadline(answered, at('2026-11-24T11:00:00'))).toBeNull();
    expect(overdueDeadline(answered, at('2026-12-08T17:01:00'))).toBe('resolution');
  });
});
