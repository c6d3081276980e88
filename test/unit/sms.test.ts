/** The SMS core (numbers, parts, templates) and the callback protocol's authentication, pure. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gatewayFor } from '../../functions/adapters/sms/gateways.ts';
import { type SmsSecret, smsSettings } from '../../functions/adapters/sms/settings.ts';
import { PhoneVault } from '../../functions/adapters/sms/vault.ts';
import { ipAllowed, receiveSmsCallback, type SmsCallbackDeps } from '../../functions/adapters/sms/webhook.ts';
import {
  billableParts,
  renderSms,
  restrictionReminderValues,
  SmsTooLongError,
  smsLength,
} from '../../functions/core/sms/messages.ts';
import { maskPhone, normalisePhone, PhoneNumberError, phoneId } from '../../functions/core/sms/numbers.ts';
import { SMS_ENVIRONMENT } from '../../lib/blueprint.ts';
import { MemoryInboundLog } from '../fixtures/memory/inbound-log.ts';
import { catalogue } from '../fixtures/sms.ts';

describe('phone numbers', () => {
  it.each([
    ['13800138000', '+8613800138000'],
    ['+86 138 0013 8000', '+8613800138000'],
    ['0086-138-0013-8000', '+8613800138000'],
    ['8613800138000', '+8613800138000'],
    ['１３８００１３８０００', '+8613800138000'],
    ['(+86) 199.0000.1111', '+8619900001111'],
  ])('%s → %s', (raw, e164) => expect(normalisePhone(raw)).toBe(e164));

  it.each(['010-12345678', '+12025550123', '12800138000', '1380013800', '138001380001', '', 'TD'])(
    'refuses %s with a clear error',
    (raw) => {
      expect(() => normalisePhone(raw)).toThrow(PhoneNumberError);
      expect(() => normalisePhone(raw)).toThrow(/mainland China mobile/);
    },
  );

  it('masks as +86 138****1234 and keys by HMAC, never the number', () => {
    expect(maskPhone('+8613812341234')).toBe('+86 138****1234');
    const id = phoneId(Buffer.alloc(32, 1), '+8613812341234');
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(id).not.toContain('13812341234');
    expect(phoneId(Buffer.alloc(32, 2), '+8613812341234')).not.toBe(id);
  });

  it('encrypts with AES-256-GCM bound to the subscriber', () => {
    const vault = new PhoneVault(Buffer.alloc(32, 3));
    const sealed = vault.encrypt('+8613800138000', 'sub-a');
    expect(sealed).not.toContain('13800138000');
    expect(vault.decrypt(sealed, 'sub-a')).toBe('+8613800138000');
    expect(() => vault.decrypt(sealed, 'sub-b')).toThrow();
    expect(() => new PhoneVault(Buffer.alloc(32, 4)).decrypt(sealed, 'sub-a')).toThrow();
  });
});

describe('billing parts', () => {
  it.each([
    [1, 1],
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
    [201, 3],
    [202, 4],
  ])('%i characters → %i parts', (n, parts) => expect(billableParts('字'.repeat(n))).toBe(parts));

  it('counts UTF-16 code units: a character outside the BMP is two', () => {
    expect(billableParts(`${'字'.repeat(69)}😀`)).toBe(2);
    expect(billableParts(`${'字'.repeat(68)}😀`)).toBe(1);
  });

  it('renders a template with the sign, strips 【】 from values, refuses above the part limit', () => {
    const r = renderSms(catalogue, 'bind-confirmation', { answer: '已绑定 京A【12345】。' }, 1);
    expect(r.text).toBe('【城市交警】车牌绑定：已绑定 京A12345。回TD退订');
    expect(r.params).toEqual(['已绑定 京A12345。']);
    expect(r.parts).toBe(1);
    expect(() => renderSms(catalogue, 'notice', { title: 't', summary: '长'.repeat(300) }, 3)).toThrow(
      SmsTooLongError,
    );
    expect(() => renderSms(catalogue, 'notice', { title: 't' }, 3)).toThrow(/summary/);
  });

  // The shipped templates' billing parts, sign included (what a department pays per message).
  const reminder = (plates: string[]) =>
    restrictionReminderValues({ date: '2026-11-16', tails: [5, 0] }, plates);
  it.each([
    ['restriction reminder, one plate', 'restriction-reminder', reminder(['京A12345']), 51, 1],
    [
      'restriction reminder, three NEV plates',
      'restriction-reminder',
      reminder(['京AD12345', '京AF54320', '京AD00005']),
      70,
      1,
    ],
    [
      'notice, 10-character title, 20-character summary',
      'notice',
      { title: '标'.repeat(10), summary: '要'.repeat(20) },
      42,
      1,
    ],
    [
      'notice, 20-character title, 60-character summary',
      'notice',
      { title: '标'.repeat(20), summary: '要'.repeat(60) },
      92,
      2,
    ],
    ['opt-out confirmation', 'opt-out-confirmation', {}, 40, 1],
    ['bind confirmation of 50 characters', 'bind-confirmation', { answer: '答'.repeat(50) }, 66, 1],
    ['fallback-linked confirmation', 'fallback-linked', {}, 62, 1],
    ['限行 answer of 59 characters', 'restriction-answer', { answer: '答'.repeat(59) }, 70, 1],
  ] as const)('%s: %i characters, %i part(s)', (_label, kind, values, characters, parts) => {
    const r = renderSms(catalogue, kind, values, 3);
    expect(smsLength(r.text)).toBe(characters);
    expect(r.parts).toBe(parts);
  });
});

describe('settings', () => {
  it('keeps the per-number cap below the gateway’s own', () => {
    expect(smsSettings({ ...SMS_ENVIRONMENT, SMS_PROVIDER: 'tencent' }).numberDailyCap).toBe(1);
    expect(smsSettings({ ...SMS_ENVIRONMENT, SMS_PROVIDER: 'aliyun' }).numberDailyCap).toBe(3);
    expect(() =>
      smsSettings({ ...SMS_ENVIRONMENT, SMS_PROVIDER: 'tencent', SMS_NUMBER_DAILY_CAP: '2' }),
    ).toThrow(/below/);
    expect(
      smsSettings({
        ...SMS_ENVIRONMENT,
        SMS_PROVIDER: 'tencent',
        SMS_NUMBER_DAILY_CAP: '4',
        SMS_GATEWAY_NUMBER_DAILY_CAP: '10',
      }).numberDailyCap,
    ).toBe(4);
  });
});

describe('the gateway a bundle was built with', () => {
  const secret: SmsSecret = {
    pepper: Buffer.alloc(32),
    dataKey: Buffer.alloc(32),
    callbackSecrets: {},
    tencent: { secretId: 'id', secretKey: 'key', sdkAppId: '1400000000', region: 'ap-guangzhou' },
  };
  it('refuses a provider the bundle does not hold, saying how to change it', async () => {
    // In a deployed bundle the build fixes this (lib/aws/bundling.ts); from source it is read at run time.
    process.env.SMS_BUNDLED_PROVIDER = 'aliyun';
    try {
      await expect(gatewayFor('tencent', secret)).rejects.toThrow(
        'SMS_PROVIDER=tencent, but this function was built with the aliyun gateway only: deploy again with -c smsProvider=tencent',
      );
    } finally {
      delete process.env.SMS_BUNDLED_PROVIDER;
    }
  });
  it('gives the bundled provider its gateway', async () => {
    process.env.SMS_BUNDLED_PROVIDER = 'tencent';
    try {
      expect((await gatewayFor('tencent', secret)).constructor.name).toBe('TencentSmsGateway');
    } finally {
      delete process.env.SMS_BUNDLED_PROVIDER;
    }
  });
});

describe('callback authentication', () => {
  const secret = 'a-callback-secret-of-some-length';
  const body = JSON.stringify({
    extend: '',
    mobile: '13800138000',
    nationcode: '86',
    sign: 's',
    text: 'TD',
    time: 1,
  });
  const deps = (over: Partial<SmsCallbackDeps> = {}): SmsCallbackDeps & { replies: string[] } => {
    const replies: string[] = [];
    return {
      secret: async () => secret,
      auth: 'hmac',
      allowedIps: [],
      inbound: new MemoryInboundLog(),
      numberKey: (raw) => `k${raw.length}`,
      reply: async (r) => {
        replies.push(r.text);
        return 'ok';
      },
      receipt: async () => 'unknown',
      now: () => 1_795_300_000_000,
      log: () => {},
      replies,
      ...over,
    };
  };
  const req = (headers: Record<string, string>, sourceIp = '203.0.113.7') => ({
    provider: 'tencent',
    kind: 'replies' as const,
    query: {},
    headers,
    sourceIp,
    body,
  });
  const sign = (ts: string, b = body) => createHmac('sha256', secret).update(`${ts}.${b}`).digest('hex');

  it('accepts a fresh, correct HMAC header', async () => {
    const d = deps();
    const res = await receiveSmsCallback(
      req({ 'x-sms-timestamp': '1795300000', 'x-sms-signature': sign('1795300000') }),
      d,
    );
    expect(res.status).toBe(200);
    expect(d.replies).toEqual(['TD']);
  });

  it.each([
    ['a wrong signature', { 'x-sms-timestamp': '1795300000', 'x-sms-signature': sign('1795300001') }],
    ['a stale timestamp', { 'x-sms-timestamp': '1795290000', 'x-sms-signature': sign('1795290000') }],
    ['no headers', {}],
  ])('refuses %s before parsing', async (_, headers) => {
    const d = deps();
    expect((await receiveSmsCallback(req(headers), d)).status).toBe(401);
    expect(d.replies).toEqual([]);
  });

  it('refuses callers outside the allow-list', async () => {
    const d = deps({ allowedIps: ['198.51.100.0/24', '203.0.113.9'] });
    const headers = { 'x-sms-timestamp': '1795300000', 'x-sms-signature': sign('1795300000') };
    expect((await receiveSmsCallback(req(headers), d)).status).toBe(403);
    expect((await receiveSmsCallback(req(headers, '198.51.100.20'), d)).status).toBe(200);
  });

  it('matches IPv4 CIDRs', () => {
    expect(ipAllowed('10.1.2.3', [])).toBe(true);
    expect(ipAllowed('10.1.2.3', ['10.0.0.0/8'])).toBe(true);
    expect(ipAllowed('11.1.2.3', ['10.0.0.0/8'])).toBe(false);
    expect(ipAllowed('::ffff:10.1.2.3', ['10.1.2.3'])).toBe(true);
    expect(ipAllowed('2001:db8::1', ['10.0.0.0/8'])).toBe(false);
  });
});
