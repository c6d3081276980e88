/**
 * Driver notices, the pure parts: the platform's signature (forged, replayed, stale, off the
 * allow-list, good), the reminder days at each offset across month ends and holidays and their
 * inverse the planner queries by, the signed page links, and whom a notice's bundles address.
 */
import { describe, expect, it } from 'vitest';
import {
  authenticate,
  type SignatureDeps,
  type SignedRequest,
  signRequest,
} from '../../../functions/adapters/integrations/signature.ts';
import { noticeBundles, violationNotice } from '../../../functions/core/drivers/notices.ts';
import { signPageToken, verifyPageToken } from '../../../functions/core/drivers/page-token.ts';
import { plannedOn, reminderDay } from '../../../functions/core/drivers/reminders.ts';
import { vehicleKey } from '../../../functions/core/drivers/subjects.ts';
import { indexCalendars } from '../../../functions/core/restrictions/calendar.ts';
import { addDays } from '../../../functions/core/time.ts';
import { shippedRestrictionData } from '../../../schemas/data/index.ts';

const calendar = indexCalendars(shippedRestrictionData.calendars);

describe('the platform’s signature', () => {
  const integration = { id: 'platform', secret: 'an-integration-secret-of-32-characters!', allowedIps: [] };
  const nowS = Date.parse('2026-11-16T02:00:00Z') / 1000;
  const body = JSON.stringify({ events: [{ eventId: 'e1' }] });
  const path = '/v1/integrations/driver-events';
  function deps(over: Partial<SignatureDeps> = {}): SignatureDeps & { nonces: Set<string> } {
    const nonces = new Set<string>();
    return {
      nonces,
      integrations: async () => [
        integration,
        { id: 'fenced', secret: integration.secret, allowedIps: ['10.1.0.0/16'] },
      ],
      claimNonce: async (key) => {
        if (nonces.has(key)) return 'used';
        nonces.add(key);
        return 'claimed';
      },
      nowMs: () => nowS * 1000,
      maxSkewSeconds: 300,
      ...over,
    };
  }
  const signed = (
    o: { at?: number; nonce?: string; id?: string; secret?: string; body?: string; ip?: string } = {},
  ): SignedRequest => ({
    method: 'POST',
    path,
    headers: signRequest(
      { id: o.id ?? integration.id, secret: o.secret ?? integration.secret },
      { method: 'POST', path, body },
      { timestampS: o.at ?? nowS, nonce: o.nonce ?? 'nonce-0123456789abcdef' },
    ),
    sourceIp: o.ip ?? '203.0.113.9',
    body: o.body ?? body,
  });

  it('accepts a good request once, and refuses its replay', async () => {
    const d = deps();
    expect(await authenticate(signed(), d)).toEqual({ ok: true, integration });
    expect(await authenticate(signed(), d)).toEqual({
      ok: false,
      status: 401,
      reason: 'nonce used before (replay)',
    });
  });

  it('refuses a forged signature, a body changed after signing, an unknown integration, without using the nonce', async () => {
    const d = deps();
    expect(
      await authenticate(signed({ secret: 'another-secret-of-thirty-two-characters' }), d),
    ).toMatchObject({
      ok: false,
      status: 401,
      reason: 'signature does not verify',
    });
    expect(await authenticate(signed({ body: JSON.stringify({ events: [] }) }), d)).toMatchObject({
      reason: 'signature does not verify',
    });
    const wrongLength = signed();
    wrongLength.headers['x-signature'] = 'abc';
    expect(await authenticate(wrongLength, d)).toMatchObject({ reason: 'signature does not verify' });
    expect(await authenticate(signed({ id: 'nobody' }), d)).toMatchObject({
      status: 401,
      reason: 'unknown integration',
    });
    expect(d.nonces.size).toBe(0);
    // The nonce the forgeries carried is still good for the real request.
    expect(await authenticate(signed(), d)).toMatchObject({ ok: true });
  });

  it('refuses a timestamp outside the window and a malformed nonce', async () => {
    expect(await authenticate(signed({ at: nowS - 301 }), deps())).toMatchObject({
      reason: 'timestamp missing or outside the freshness window',
    });
    expect(await authenticate(signed({ at: nowS + 301 }), deps())).toMatchObject({ status: 401 });
    expect(await authenticate(signed({ at: nowS - 299 }), deps())).toMatchObject({ ok: true });
    expect(await authenticate(signed({ nonce: 'short' }), deps())).toMatchObject({
      reason: 'nonce missing or malformed',
    });
  });

  it('refuses a caller off the integration’s allow-list (403)', async () => {
    expect(await authenticate(signed({ id: 'fenced', ip: '203.0.113.9' }), deps())).toEqual({
      ok: false,
      status: 403,
      reason: 'caller not on the allow-list',
    });
    expect(await authenticate(signed({ id: 'fenced', ip: '10.1.2.3' }), deps())).toMatchObject({ ok: true });
  });
});

describe('reminder days', () => {
  const offsets = [30, 7, 0, -1];

  it('are the due date minus the offset across month and year ends', () => {
    expect(offsets.map((o) => reminderDay('2026-12-05', o, calendar))).toEqual([
      '2026-11-05',
      '2026-11-28',
      '2026-12-05',
      '2026-12-06',
    ]);
    expect(offsets.map((o) => reminderDay('2026-04-01', o, calendar))).toEqual([
      '2026-03-02',
      '2026-03-25',
      '2026-04-01',
      '2026-04-02',
    ]);
    expect(reminderDay('2026-12-31', -1, calendar)).toBe('2027-01-01');
  });

  it('move a reminder before the due date off a holiday to the last working day before it; on the day and overdue never move', () => {
    // 30 days before 31 October is 1 October (National Day, 1–7 October 2026): 30 September.
    expect(reminderDay('2026-10-31', 30, calendar)).toBe('2026-09-30');
    // 7 days before 8 October is 1 October too.
    expect(reminderDay('2026-10-08', 7, calendar)).toBe('2026-09-30');
    // Spring Festival 15–23 February 2026, after the make-up Saturday 14 February: moved to it.
    expect(reminderDay('2026-02-25', 7, calendar)).toBe('2026-02-14');
    // Due on a holiday: told on the day, and overdue the day after, as they fall.
    expect(reminderDay('2026-10-03', 0, calendar)).toBe('2026-10-03');
    expect(reminderDay('2026-10-03', -1, calendar)).toBe('2026-10-04');
  });

  it('are found again by the planner: each (due date, offset) is planned on exactly its reminder day', () => {
    const due = (from: string, n: number) => Array.from({ length: n }, (_, i) => addDays(from, i));
    const planned = new Map<string, string[]>();
    for (const day of due('2025-12-01', 460))
      for (const p of plannedOn(day, offsets, calendar)) {
        const key = `${p.dueDate}#${p.offset}`;
        planned.set(key, [...(planned.get(key) ?? []), day]);
      }
    for (const d of due('2026-01-15', 330))
      for (const o of offsets)
        expect(planned.get(`${d}#${o}`), `${d} ${o}`).toEqual([reminderDay(d, o, calendar)]);
  });
});

describe('the personal page link', () => {
  const key = Buffer.alloc(32, 1);
  const payload = { k: 'violation' as const, s: 'a'.repeat(32), r: 'V1', e: 1_800_000_000 };

  it('verifies until it expires, and not with another key or a changed payload', () => {
    const token = signPageToken(key, payload);
    expect(verifyPageToken(key, token, 1_799_999_999_000)).toEqual({ ok: true, payload });
    expect(verifyPageToken(key, token, 1_800_000_000_000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyPageToken(Buffer.alloc(32, 2), token, 0)).toEqual({ ok: false, reason: 'signature' });
    const [, sig] = token.split('.');
    const other = Buffer.from(JSON.stringify({ ...payload, r: 'V2' })).toString('base64url');
    expect(verifyPageToken(key, `${other}.${sig}`, 0)).toEqual({ ok: false, reason: 'signature' });
    expect(verifyPageToken(key, 'x', 0)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('a notice’s bundles', () => {
  const pepper = Buffer.alloc(32, 5);
  const notice = violationNotice(
    {
      type: 'violation',
      subject: vehicleKey(pepper, '京A12345'),
      asOf: '2026-11-16T08:00:00+08:00',
      eventId: 'e1',
      violationId: 'V1',
      plate: '京A12345',
      plateType: '02',
      time: '2026-11-15T23:00:00+08:00',
      place: '长安街',
      act: '闯红灯',
      fineYuan: 200,
      points: 6,
      photos: ['https://p.example/1.jpg'],
      state: 'unprocessed',
    },
    { key: Buffer.alloc(32, 6), expiresAt: 1_800_000_000 },
  );
  const ctx = {
    runKey: 'driver#violation#2026-11-16',
    city: 'beijing',
    date: '2026-11-16',
    smsToRegistered: true,
  };
  const owner = (channel: 'wechat' | 'sms', id: string, account = 'dev') => ({
    channel,
    id,
    account,
    verifiedAt: '2026-11-01T00:00:00Z',
    method: 'vin' as const,
  });

  it('address the verified owners per channel and account, with typed values and never the photo', () => {
    const bundles = noticeBundles(
      notice,
      {
        owners: [owner('wechat', 'o-1'), owner('wechat', 'o-2', 'other'), owner('sms', 's-1', 'sms')],
        phoneId: 'p-1',
      },
      ctx,
    );
    expect(bundles.map((b) => [b.channel, b.account, b.recipients.map((r) => r.id)])).toEqual([
      ['wechat', 'dev', ['o-1']],
      ['wechat', 'other', ['o-2']],
      ['sms', 'sms', ['s-1']],
    ]);
    expect(bundles[0]!.values).toMatchObject({
      plate: '京A12345',
      fine: '200元',
      points: '6',
      time: notice.values.time,
    });
    expect(bundles[2]!.values).toMatchObject({ template: 'driver-violation', fine: '200', points: '6' });
    expect(JSON.stringify(bundles)).not.toContain('p.example');
    expect(new Set(bundles.map((b) => b.pushKey)).size).toBe(1);
  });

  it('go to the registered phone only where no owner verified on WeChat and the deployment enables it', () => {
    expect(noticeBundles(notice, { owners: [], phoneId: 'p-1' }, ctx)).toEqual([
      expect.objectContaining({
        channel: 'sms',
        registeredPhone: true,
        recipients: [{ id: 'p-1', plates: ['京A12345'] }],
      }),
    ]);
    expect(noticeBundles(notice, { owners: [], phoneId: 'p-1' }, { ...ctx, smsToRegistered: false })).toEqual(
      [],
    );
    expect(noticeBundles(notice, { owners: [], phoneId: null }, ctx)).toEqual([]);
    expect(
      noticeBundles(notice, { owners: [owner('wechat', 'o-1')], phoneId: 'p-1' }, ctx).map((b) => b.channel),
    ).toEqual(['wechat']);
  });
});
