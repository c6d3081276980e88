/**
 * The public restriction API and the admin data API over HTTP against the local stack (real
 * blueprint, DynamoDB Local), including every bad-input case the issue names.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { auditEntriesOf } from '../fixtures/audit.ts';

const bp = defineBlueprint({ ...blueprintInput, service: `api-${Date.now().toString(36)}` });
process.env.RESTRICTION_DATA_CACHE_SECONDS = '0';
/** A parsed JSON body (tests read it by path). */
type Json = ReturnType<typeof JSON.parse>;

const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'api-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
});
const doc = DynamoDBDocumentClient.from(localClient(inject('dynamodbEndpoint')));

beforeAll(() => stack.start());
afterAll(() => stack.stop());

const get = async (path: string) => {
  const res = await fetch(`${stack.endpoint}${path}`);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as Json,
  };
};
const send = async (method: string, path: string, body: unknown, token?: string) => {
  const res = await fetch(`${stack.endpoint}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
};

describe('public restriction API', () => {
  it('GET /v1/cities lists the six cities with their rule and today’s answer', async () => {
    const { status, body } = await get('/v1/cities');
    expect(status).toBe(200);
    expect(body.cities.map((c: { city: string }) => c.city)).toEqual([
      'beijing',
      'chengdu',
      'hangzhou',
      'lanzhou',
      'tianjin',
      'xian',
    ]);
    const beijing = body.cities[0];
    expect(beijing).toMatchObject({
      name: '北京',
      verified: true,
      rule: { id: 'beijing-2023', letterTail: 'zero' },
    });
    expect(beijing.today.date).toBe(body.date);
    expect(body.cities.find((c: { city: string }) => c.city === 'chengdu').verified).toBe(false);
  });

  it('answers a city on a date, and today by default', async () => {
    expect((await get('/v1/cities/beijing/restrictions?date=2026-02-24')).body).toMatchObject({
      status: 'restricted',
      reason: 'rule',
      tails: [4, 9],
      windows: [{ from: '07:00', to: '20:00' }],
    });
    const todays = await get('/v1/cities/beijing/restrictions');
    expect(todays.status).toBe(200);
    expect(todays.body.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('answers one day each over a range of at most 62 days', async () => {
    const { status, body } = await get('/v1/cities/beijing/restrictions?from=2026-02-13&to=2026-02-24');
    expect(status).toBe(200);
    expect(body.days).toHaveLength(12);
    expect(body.days.map((d: { reason: string }) => d.reason)).toEqual([
      'rule',
      'makeup-workday',
      'holiday',
      'holiday',
      'holiday',
      'holiday',
      'holiday',
      'holiday',
      'holiday',
      'holiday',
      'holiday',
      'rule',
    ]);
    expect((await get('/v1/cities/beijing/restrictions?from=2026-01-01&to=2026-03-03')).status).toBe(200); // 62 days
  });

  it('answers a plate given in any accepted input form, URL-encoded', async () => {
    for (const raw of ['京a·12345', '京Ａ１２３４５', ' 京 A 12345 ', '京A-12345']) {
      const { status, body } = await get(
        `/v1/plates/${encodeURIComponent(raw)}/restriction?city=beijing&date=2026-11-16`,
      );
      expect(status).toBe(200);
      expect(body).toMatchObject({ plate: '京A12345', tail: 5, tails: [0, 5], restricted: true });
    }
  });

  it('serves the OpenAPI 3.1 document with every public and admin route of the blueprint', async () => {
    const { status, body } = await get('/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    for (const r of bp.routes.filter((r) => !r.path.startsWith('/webhooks'))) {
      expect(body.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    }
    expect(body.paths['/v1/admin/calendars/{year}'].put.security).toEqual([{ adminJwt: [] }]);
  });

  describe('bad input: problem+json with an actionable detail, never a 500', () => {
    it.each([
      ['/v1/cities/shanghai/restrictions', 404, "No restriction data for city 'shanghai'"],
      ['/v1/cities/Beijing/restrictions', 400, 'city codes are lowercase pinyin'],
      ['/v1/cities/beijing/restrictions?date=2026-13-01', 400, 'query.date'],
      ['/v1/cities/beijing/restrictions?date=2026-02-30', 400, 'not a real calendar date'],
      ['/v1/cities/beijing/restrictions?date=tomorrow', 400, 'expected a date as YYYY-MM-DD'],
      [
        '/v1/cities/beijing/restrictions?from=2026-01-01&to=2026-03-04',
        400,
        'at most 62 days (this one has 63)',
      ],
      ['/v1/cities/beijing/restrictions?from=2026-03-01&to=2026-02-01', 400, 'to is before from'],
      ['/v1/cities/beijing/restrictions?from=2026-03-01', 400, 'from and to go together'],
      [
        '/v1/cities/beijing/restrictions?date=2026-03-01&from=2026-03-01&to=2026-03-02',
        400,
        'either date, or from and to',
      ],
      [
        `/v1/plates/${encodeURIComponent('京AI2345')}/restriction?city=beijing`,
        400,
        'never contain the letters I or O',
      ],
      [`/v1/plates/${encodeURIComponent('A12345')}/restriction?city=beijing`, 400, 'province abbreviations'],
      [
        `/v1/plates/${encodeURIComponent('京A123')}/restriction?city=beijing`,
        400,
        'A plate has 7 characters',
      ],
      [`/v1/plates/${encodeURIComponent('京A12345')}/restriction`, 400, 'query.city'],
      [
        `/v1/plates/${encodeURIComponent('京A12345')}/restriction?city=shanghai`,
        404,
        "No restriction data for city 'shanghai'",
      ],
      [`/v1/plates/${'9'.repeat(40)}/restriction?city=beijing`, 400, 'path.plate'],
    ])('%s → %i', async (path, status, detail) => {
      const res = await get(path);
      expect(res.status).toBe(status);
      expect(res.type).toBe('application/problem+json');
      expect(res.body.detail).toContain(detail);
    });

    it('tells a citizen in Chinese what is wrong with a plate', async () => {
      const res = await get(`/v1/plates/${encodeURIComponent('京AI2345')}/restriction?city=beijing`);
      expect(res.body.messageZh).toBe('车牌序号中不含字母I和O');
    });
  });
});

describe('the daily coverage check', () => {
  it('runs on its schedule (fired now) and reports the days served cities cannot answer', async () => {
    const res = await send('POST', '/_local/schedules/restriction-coverage-check/fire', {});
    expect(res.body).toMatchObject({ id: 'restriction-coverage-check', lastResult: 'ok' });
    const output = res.body.output as { cities: string[]; gaps: number; firstGaps: Array<{ city: string }> };
    expect(output.cities).toEqual(['beijing', 'tianjin', 'xian']);
    // Xi'an's last known notice ended 2026-11-06: from any later today, all 30 of its days are gaps.
    expect(output.gaps).toBeGreaterThanOrEqual(30);
    expect(output.firstGaps[0]).toMatchObject({ reason: expect.stringMatching(/^no-(rule|calendar)$/) });
    const schedules = (await get('/_local/schedules')).body as unknown as Array<Record<string, string>>;
    expect(schedules.find((s) => s.id === 'restriction-coverage-check')).toMatchObject({
      cron: 'cron(0 9 * * ? *)',
      timeZone: 'Asia/Shanghai',
    });
  });
});

describe('admin restriction data', () => {
  const calendar2027 = {
    year: 2027,
    notice: '国务院办公厅关于2027年部分节假日安排的通知（测试）',
    source: 'https://www.gov.cn/zhengce/test-2027',
    holidays: [{ name: '元旦', nameEn: "New Year's Day", from: '2027-01-01', to: '2027-01-03' }],
    makeUpWorkdays: [],
  };

  it('rejects calls without a token (401) and with a role that may not change data (403)', async () => {
    expect((await send('PUT', '/v1/admin/calendars/2027', calendar2027)).status).toBe(401);
    const editor = stack.issueToken('ed', ['editor']);
    const res = await send('PUT', '/v1/admin/calendars/2027', calendar2027, editor);
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('admin, operator');
  });

  it('2027 answers unknown until its calendar is uploaded, then follows it; the upload is audited', async () => {
    expect((await get('/v1/cities/beijing/restrictions?date=2027-01-04')).body).toMatchObject({
      status: 'unknown',
      reason: 'no-calendar',
    });
    const token = stack.issueToken('alice', ['operator']);
    const res = await send('PUT', '/v1/admin/calendars/2027', calendar2027, token);
    expect(res.status).toBe(200);
    expect((await get('/v1/cities/beijing/restrictions?date=2027-01-04')).body).toMatchObject({
      status: 'restricted',
      tails: [4, 9],
    });
    expect((await get('/v1/cities/beijing/restrictions?date=2027-01-01')).body).toMatchObject({
      reason: 'holiday',
      holiday: '元旦',
    });

    const audit = await auditEntriesOf(doc, localTableName(bp.service, 'operations'), 'alice');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: 'alice',
      action: 'calendar.upload',
      entity: 'calendar:2027',
      before: null,
      after: { year: 2027 },
    });
  });

  it('validates uploads with field paths, and checks the year in the path', async () => {
    const token = stack.issueToken('alice', ['admin']);
    const bad = await send(
      'PUT',
      '/v1/admin/calendars/2028',
      {
        ...calendar2027,
        year: 2028,
        holidays: [{ name: '元旦', nameEn: 'x', from: '2028-01-03', to: '2028-01-01' }],
      },
      token,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toContainEqual({
      path: 'body.holidays.0.to',
      message: 'range ends before it starts',
    });
    const mismatch = await send('PUT', '/v1/admin/calendars/2028', calendar2027, token);
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.detail).toContain('the path says 2028');
    expect((await send('PUT', '/v1/admin/calendars/2028', '{oops', token)).status).toBe(400);
  });

  it('adds and lifts a suspension, and the answers follow', async () => {
    const token = stack.issueToken('bob', ['admin']);
    const suspension = {
      id: 'beijing-2026-12-test',
      city: 'beijing',
      from: '2026-12-01',
      to: '2026-12-31',
      reason: '暂停执行尾号限行（测试）',
      noticeId: 'notice-1',
    };
    expect((await send('POST', '/v1/admin/cities/beijing/suspensions', suspension, token)).status).toBe(201);
    expect((await send('POST', '/v1/admin/cities/beijing/suspensions', suspension, token)).status).toBe(409);
    expect((await get('/v1/cities/beijing/restrictions?date=2026-12-02')).body).toMatchObject({
      status: 'unrestricted',
      reason: 'suspended',
      notice: { id: 'notice-1', reason: '暂停执行尾号限行（测试）' },
    });
    const lift = await send(
      'POST',
      '/v1/admin/cities/beijing/suspensions/beijing-2026-12-test/lift',
      { liftedOn: '2026-12-10' },
      token,
    );
    expect(lift.status).toBe(200);
    expect((await get('/v1/cities/beijing/restrictions?date=2026-12-09')).body.reason).toBe('suspended');
    expect((await get('/v1/cities/beijing/restrictions?date=2026-12-10')).body.reason).toBe('rule');
    expect(
      (await send('POST', '/v1/admin/cities/beijing/suspensions/beijing-2026-12-test/lift', {}, token))
        .status,
    ).toBe(409);
    expect((await send('POST', '/v1/admin/cities/beijing/suspensions/nope/lift', {}, token)).status).toBe(
      404,
    );
  });

  it('adds a rule record, closes one, and refuses to extend by closing', async () => {
    const token = stack.issueToken('carol', ['admin']);
    const cities = (await get('/v1/cities')).body.cities;
    expect(cities.find((c: { city: string }) => c.city === 'chengdu').rule.validTo).toBeNull();
    const close = await send(
      'POST',
      '/v1/admin/cities/chengdu/rules/chengdu-2026/close',
      { validTo: '2026-12-31' },
      token,
    );
    expect(close.status).toBe(200);
    expect((await get('/v1/cities/chengdu/restrictions?date=2027-01-04')).body).toMatchObject({
      reason: 'no-rule',
    });
    expect(
      (
        await send(
          'POST',
          '/v1/admin/cities/chengdu/rules/chengdu-2026/close',
          { validTo: '2027-06-30' },
          token,
        )
      ).status,
    ).toBe(409);
    expect(
      (
        await send(
          'POST',
          '/v1/admin/cities/chengdu/rules/chengdu-2026/close',
          { validTo: '2020-01-01' },
          token,
        )
      ).status,
    ).toBe(400);

    const shipped = (await import('../../schemas/data/rules/chengdu.json', { with: { type: 'json' } }))
      .default[0]!;
    const next = {
      ...shipped,
      id: 'chengdu-2027',
      validFrom: '2027-01-01',
      validTo: '2027-12-31',
      verified: false,
    };
    expect((await send('POST', '/v1/admin/cities/chengdu/rules', next, token)).status).toBe(201);
    expect((await get('/v1/cities/chengdu/restrictions?date=2027-01-04')).body).toMatchObject({
      ruleId: 'chengdu-2027',
      tails: [1, 6],
    });
    expect((await send('POST', '/v1/admin/cities/chengdu/rules', next, token)).status).toBe(409);
    expect((await send('POST', '/v1/admin/cities/xian/rules', next, token)).status).toBe(400);
  });
});
