/**
 * Timestamps compare as instants wherever the system compares them (#12: an effective window that
 * ended at 14:00+08:00 compared as text with 15:30Z looked open). The helpers, and the places that
 * sort or bound stored timestamps through them.
 */
import { describe, expect, it } from 'vitest';
import { gatewayInstant } from '../../../functions/adapters/sms/webhook.ts';
import { auditRange } from '../../../functions/core/operations/reports.ts';
import { attributableSend } from '../../../functions/core/pushes/attribution.ts';
import { byInstant, civilDayBounds } from '../../../functions/core/time.ts';

describe('instants', () => {
  it('orders by the instant, whatever the offset says', () => {
    // As text '2026-11-16T14:00:00+08:00' sorts after '2026-11-16T06:30:00Z'; it is an hour before it.
    expect(byInstant('2026-11-16T14:00:00+08:00', '2026-11-16T06:30:00Z')).toBeLessThan(0);
    expect(['2026-11-16T06:30:00Z', '2026-11-16T14:00:00+08:00'].sort(byInstant)).toEqual([
      '2026-11-16T14:00:00+08:00',
      '2026-11-16T06:30:00Z',
    ]);
  });

  it('a civil date is that day in Asia/Shanghai', () => {
    expect(civilDayBounds('2026-11-16')).toEqual({
      start: '2026-11-15T16:00:00.000Z',
      end: '2026-11-16T15:59:59.999Z',
    });
  });

  it('attribution picks the latest send by instant, not by text', () => {
    const sends = [
      { at: '2026-11-16T15:00:00+08:00', id: 'earlier' }, // 07:00Z
      { at: '2026-11-16T08:00:00Z', id: 'later' },
    ];
    expect(attributableSend(sends, new Date('2026-11-16T09:00:00Z'))?.id).toBe('later');
  });

  it('the audit trail reads a bare date as the duty officer’s day, kept under the UTC days it spans', () => {
    const r = auditRange({ from: '2026-11-16', to: '2026-11-16' }, new Date('2026-12-01T00:00:00Z'));
    expect(r).toEqual({
      from: '2026-11-15T16:00:00.000Z',
      to: '2026-11-16T15:59:59.999Z',
      days: ['2026-11-15', '2026-11-16'],
    });
    expect(auditRange({ from: '2026-11-16T09:00:00+08:00' }, new Date('2026-11-16T02:00:00Z'))).toMatchObject(
      {
        from: '2026-11-16T01:00:00.000Z',
        days: ['2026-11-16'],
      },
    );
  });

  it('gateway receipt times (Beijing wall clock, no zone) become UTC instants', () => {
    expect(gatewayInstant('2026-11-16 09:00:05')).toBe('2026-11-16T01:00:05.000Z');
    expect(gatewayInstant('2026-11-16T09:00:05')).toBe('2026-11-16T01:00:05.000Z');
    expect(gatewayInstant('yesterday')).toBeNull();
    expect(gatewayInstant('2026-13-40 09:00:05')).toBeNull();
  });
});
