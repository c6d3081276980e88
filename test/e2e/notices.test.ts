/**
 * Notices end to end on the local stack (real blueprint, DynamoDB Local, the WeChat sandbox): the
 * README walk-through (draft as editor, preview, submit, approve and publish as reviewer, the public
 * feed, the "路况" reply, the audit trail), the announcement to the push pipeline, restriction
 * changes that change the engine's answer, the scheduled publish, every bad input the issue lists,
 * and the whole role matrix walked with local tokens.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { accountsFromEnv } from '../../functions/adapters/wechat/accounts.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { LOCAL_ISSUER, LocalJwtIssuer } from '../../lib/local/jwt.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { buildRequest, messageXml, openReply } from '../../lib/local/wechat-user.ts';
import { scheduleGroupName } from '../../schemas/resource-env.ts';
import { ROLE_MATRIX, ROLES } from '../../schemas/roles.ts';
import { seed, seededSubscribers } from '../fixtures/seed.ts';
import { officersAccount } from '../fixtures/wechat.ts';

process.env.STAGE = 'local';
process.env.NOTICE_FEED_CACHE_SECONDS = '0'; // 路况 right after publishing
process.env.RESTRICTION_DATA_CACHE_SECONDS = '0';
process.env.LOCAL_TIME_OFFSET_MS = '0';
// The officers' account: internal audience, a notice template but no emergency template.
process.env.WECHAT_ACCOUNTS = JSON.stringify([officersAccount({ notice: 'officers-notice-template' })]);
const bp = defineBlueprint({ ...blueprintInput, service: `ntc-${Date.now().toString(36)}` });
const dataDir = mkdtempSync(join(tmpdir(), 'notices-'));
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir,
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  timeScale: 0.02,
});
const doc = DynamoDBDocumentClient.from(localClient(inject('dynamodbEndpoint')));
const announced: unknown[] = [];

const token = (sub: string, ...roles: string[]) => stack.issueToken(sub, roles);
const editor = () => token('edna', 'editor');
const reviewer = () => token('rex', 'reviewer');
const admin = () => token('ada', 'admin');

async function call(method: string, path: string, auth?: string, body?: unknown) {
  const res = await fetch(`${stack.endpoint}${path}`, {
    method,
    headers: {
      ...(auth ? { authorization: `Bearer ${auth}` } : {}),
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
}

const hour = 3600_000;
// biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely in assertions
type Json = Record<string, any>;
const inHours = (h: number) => new Date(Date.now() + h * hour).toISOString();
const trafficControl = (over: Record<string, unknown> = {}) => ({
  kind: 'traffic-control',
  title: '长安街临时交通管制',
  body: '因重大活动，今天长安街（建国门至复兴门）实行临时交通管制，请提前绕行。',
  shortBody: '长安街临时交通管制，请绕行',
  city: 'beijing',
  areas: ['长安街'],
  effectiveFrom: inHours(-1),
  effectiveTo: inHours(4),
  channels: ['feed', 'wechat'],
  audience: { type: 'bound-in-city' },
  ...over,
});

beforeAll(async () => {
  await stack.start();
  const original = stack.publish.bind(stack);
  stack.publish = (topic, message, attributes) => {
    if (topic === 'notice-pushes') announced.push(JSON.parse(message));
    return original(topic, message, attributes);
  };
  await seed(
    doc,
    localTableName(bp.service, 'subscribers'),
    seededSubscribers({ count: 5, city: 'beijing', tails: [1, 2, 3], prefix: 'o-notice' }),
  );
}, 120_000);
afterAll(() => stack.stop());

async function publishedNotice(over: Record<string, unknown> = {}) {
  const created = await call('POST', '/v1/admin/notices', editor(), trafficControl(over));
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await call('POST', `/v1/admin/notices/${id}/submit`, editor(), {})).status).toBe(200);
  expect((await call('POST', `/v1/admin/notices/${id}/approve`, reviewer(), {})).status).toBe(200);
  const published = await call('POST', `/v1/admin/notices/${id}/publish`, reviewer(), {});
  expect(published.status).toBe(200);
  return published.body;
}

describe('the walk-through', () => {
  it('drafts, previews, submits, approves, publishes; the feed, 路况 and the audit trail show it', async () => {
    const draft = await call('POST', '/v1/admin/notices', editor(), trafficControl());
    expect(draft.status).toBe(201);
    expect(draft.body).toMatchObject({ status: 'draft', createdBy: 'edna', version: 1 });
    const id = draft.body.id as string;

    const preview = await call('POST', `/v1/admin/notices/${id}/preview`, editor());
    expect(preview.status).toBe(200);
    expect(preview.body.channels.wechat.audience).toBe(5);
    expect(preview.body.wechat.values.keyword1).toBe('长安街临时交通管制');
    expect(preview.body.sent).toBe(0);

    expect((await call('POST', `/v1/admin/notices/${id}/submit`, editor(), {})).body.status).toBe(
      'in-review',
    );
    expect((await call('POST', `/v1/admin/notices/${id}/approve`, reviewer(), {})).body.status).toBe(
      'approved',
    );
    const before = announced.length;
    const published = await call('POST', `/v1/admin/notices/${id}/publish`, reviewer(), {});
    expect(published.body).toMatchObject({ status: 'published', publishedBy: 'rex', directPublish: false });
    expect(announced.slice(before)).toEqual([
      { noticeId: id, version: published.body.version, publishedAt: published.body.publishedAt },
    ]);

    const feed = await call('GET', '/v1/notices?city=beijing&kind=traffic-control');
    expect(feed.body.notices.map((n: { id: string }) => n.id)).toContain(id);
    const one = await call('GET', `/v1/notices/${id}`);
    expect(one.body).toMatchObject({ id, status: 'published', title: '长安街临时交通管制' });
    expect(one.body.createdBy).toBeUndefined();

    const account = accountsFromEnv({})[0]!;
    const request = buildRequest(
      account,
      messageXml({ kind: 'text', text: '路况' }, 'o-walker', 'gh', Math.floor(Date.now() / 1000)),
      { encrypted: true },
    );
    const res = await fetch(`${stack.endpoint}/webhooks/wechat/dev?${request.query}`, {
      method: 'POST',
      body: request.body,
    });
    // 路况 about one notice is an article linking to its page (issue 15; the text reply before it).
    const reply = openReply(account, await res.text());
    expect(reply.article?.title).toContain('长安街临时交通管制');
    expect(reply.article?.url).toBe(`${stack.endpoint}/n/${id}`);

    const audit = await call('GET', '/v1/admin/audit', admin());
    const steps = (audit.body.entries as Array<{ entity: string; action: string; actor: string }>)
      .filter((e) => e.entity === `notice:${id}`)
      .map((e) => `${e.action} by ${e.actor}`);
    expect(steps).toEqual([
      'notice.create by edna',
      'notice.submit by edna',
      'notice.approve by rex',
      'notice.publish by rex',
    ]);
    // Each entry records the version the API returned for that step (1 to 4), not the one before.
    const versions = (audit.body.entries as Array<{ entity: string; after: { version: number } }>)
      .filter((e) => e.entity === `notice:${id}`)
      .map((e) => e.after.version);
    expect(versions).toEqual([1, 2, 3, published.body.version]);
    expect(published.body.version).toBe(4);
  });

  it('a feed-only notice announces nothing to the push pipeline; a withdrawn one stays visible as withdrawn', async () => {
    const before = announced.length;
    const n = await publishedNotice({ channels: ['feed'], kind: 'road-condition' });
    expect(announced.length).toBe(before);
    const withdrawn = await call('POST', `/v1/admin/notices/${n.id}/withdraw`, reviewer(), {
      reason: '信息有误',
    });
    expect(withdrawn.body.status).toBe('withdrawn');
    expect((await call('GET', `/v1/notices/${n.id}`)).body).toMatchObject({
      status: 'withdrawn',
      withdrawalReason: '信息有误',
    });
  });

  it('a reviewer publishes an emergency directly, recorded as such', async () => {
    const d = await call('POST', '/v1/admin/notices', editor(), trafficControl({ priority: 'emergency' }));
    const p = await call('POST', `/v1/admin/notices/${d.body.id}/publish`, reviewer(), {});
    expect(p.body).toMatchObject({ status: 'published', directPublish: true });
    const audit = await call('GET', '/v1/admin/audit?actor=rex', admin());
    expect(
      audit.body.entries.some(
        (e: Json) => e.entity === `notice:${d.body.id}` && e.action === 'notice.publish-emergency',
      ),
    ).toBe(true);
  });
});

describe('restriction changes', () => {
  const restriction = async (date: string) =>
    (await call('GET', `/v1/cities/beijing/restrictions?date=${date}`)).body as {
      status: string;
      reason: string;
    };

  it('a suspension notice suspends the restriction, a resumption notice lifts it, each with ONE audit entry', async () => {
    const day = '2026-12-01';
    expect(await restriction(day)).toMatchObject({ status: 'restricted' });
    const suspension = await publishedNotice({
      kind: 'restriction-change',
      channels: ['feed'],
      title: '12月1日暂停尾号限行',
      restrictionChange: { type: 'suspension', from: day, to: day, reason: '重大活动' },
    });
    expect(await restriction(day)).toMatchObject({ reason: 'suspended' });
    const entries = (await call('GET', '/v1/admin/audit?actor=rex', admin())).body.entries.filter(
      (e: Json) => e.entity === `notice:${suspension.id}` && e.action === 'notice.publish',
    );
    expect(entries).toHaveLength(1);
    expect(entries[0].after.suspension).toMatchObject({
      id: suspension.suspensionId,
      from: day,
      noticeId: suspension.id,
    });

    await publishedNotice({
      kind: 'restriction-change',
      channels: ['feed'],
      title: '12月1日恢复尾号限行',
      restrictionChange: { type: 'resumption', suspensionId: suspension.suspensionId, on: day },
    });
    expect(await restriction(day)).toMatchObject({ status: 'restricted' });
  });

  it('withdrawing a suspension notice withdraws the suspension too (one audit entry)', async () => {
    const day = '2026-12-02';
    const wrong = await publishedNotice({
      kind: 'restriction-change',
      channels: ['feed'],
      title: '12月2日暂停尾号限行',
      restrictionChange: { type: 'suspension', from: day, to: day, reason: '误发' },
    });
    expect(await restriction(day)).toMatchObject({ reason: 'suspended' });
    const res = await call('POST', `/v1/admin/notices/${wrong.id}/withdraw`, reviewer(), {
      reason: '日期有误',
    });
    expect(res.status).toBe(200);
    expect(await restriction(day)).toMatchObject({ status: 'restricted' });
    const entries = (await call('GET', '/v1/admin/audit?actor=rex', admin())).body.entries.filter(
      (e: Json) => e.entity === `notice:${wrong.id}` && e.action === 'notice.withdraw',
    );
    expect(entries).toHaveLength(1);
    expect(entries[0].after.suspension).toMatchObject({ id: wrong.suspensionId, liftedOn: day });
  });
});

describe('scheduled publish', () => {
  const group = scheduleGroupName(bp.service, 'local', 'notice-publish');
  const oneOff = async () =>
    (await (await fetch(`${stack.endpoint}/_local/schedules/one-off`)).json()) as {
      pending: Json[];
      fired: Json[];
    };
  async function approvedForLater(hoursAhead = 0.5) {
    const d = await call(
      'POST',
      '/v1/admin/notices',
      editor(),
      trafficControl({ publishAt: inHours(hoursAhead) }),
    );
    await call('POST', `/v1/admin/notices/${d.body.id}/submit`, editor(), {});
    const approved = await call('POST', `/v1/admin/notices/${d.body.id}/approve`, reviewer(), {});
    expect(approved.body.status).toBe('approved');
    return approved.body as Json;
  }
  // The five-minute sweep runs in real time; held still so each test sees the mechanism it names.
  beforeAll(() => stack.scheduler.stop());
  afterAll(() => {
    process.env.LOCAL_TIME_OFFSET_MS = '0';
    stack.scheduler.start();
  });
  async function firedOneOff(name: string): Promise<Json | undefined> {
    for (let i = 0; i < 40; i++) {
      const fired = (await oneOff()).fired.find((s) => s.name === name);
      if (fired) return fired;
      await new Promise((r) => setTimeout(r, 100));
    }
    return undefined;
  }

  it('approving creates a one-off schedule that publishes the notice in the minute of its time, once', async () => {
    const n = await approvedForLater();
    const name = `notice-${n.id}-v${n.version}`;
    const pending = (await oneOff()).pending.find((s) => s.name === name);
    expect(pending).toMatchObject({
      group,
      function: 'publish-due-notices',
      input: { noticeId: n.id, version: n.version },
    });
    // at() is the publish time rounded up to the minute, in UTC (the scheduler fires within the minute).
    expect(pending!.expression).toBe(
      `at(${new Date(Math.ceil(Date.parse(n.publishAt) / 60_000) * 60_000).toISOString().slice(0, 19)})`,
    );

    process.env.LOCAL_TIME_OFFSET_MS = String(hour);
    try {
      expect(await firedOneOff(name)).toMatchObject({ result: 'ok', output: { published: [n.id] } });
    } finally {
      process.env.LOCAL_TIME_OFFSET_MS = '0';
    }
    expect((await oneOff()).pending.some((s) => s.name === name)).toBe(false); // deleted after it fired
    const after = await call('GET', `/v1/admin/notices/${n.id}`, reviewer());
    expect(after.body).toMatchObject({ status: 'published', publishedBy: 'schedule:notice-publish' });
  });

  it('the schedule and the sweep firing together publish the notice once, and neither fails', async () => {
    const n = await approvedForLater();
    const name = `notice-${n.id}-v${n.version}`;
    process.env.LOCAL_TIME_OFFSET_MS = String(hour);
    try {
      // The sweep may publish first and remove the schedule, or the schedule may fire first.
      const sweep = await stack.scheduler.fireNow('publish-due-notices');
      expect(sweep.lastResult).toBe('ok');
      await vi.waitFor(async () => {
        const { pending, fired } = await oneOff();
        expect(pending.some((s) => s.name === name)).toBe(false);
        const mine = fired.find((s) => s.name === name);
        if (mine) expect(mine.result).toBe('ok');
      });
    } finally {
      process.env.LOCAL_TIME_OFFSET_MS = '0';
    }
    // Audit entries carry the functions' (shifted) time: ask up to two hours ahead.
    const audit = async (actor: string) =>
      (await call('GET', `/v1/admin/audit?actor=${actor}&to=${encodeURIComponent(inHours(2))}`, admin())).body
        .entries as Json[];
    const published = [
      ...(await audit('schedule:notice-publish')),
      ...(await audit('schedule:publish-due-notices')),
    ].filter((e) => e.entity === `notice:${n.id}` && e.action === 'notice.publish');
    expect(published).toHaveLength(1);
    expect((await call('GET', `/v1/admin/notices/${n.id}`, reviewer())).body.status).toBe('published');
  });

  it('the five-minute sweep publishes a due notice whose schedule never fired, once', async () => {
    const n = await approvedForLater();
    stack.oneOffSchedules.delete(group, `notice-${n.id}-v${n.version}`); // as if creating it had failed
    await stack.scheduler.fireNow('publish-due-notices');
    expect((await call('GET', `/v1/admin/notices/${n.id}`, reviewer())).body.status).toBe('approved');
    process.env.LOCAL_TIME_OFFSET_MS = String(hour);
    try {
      const fired = await stack.scheduler.fireNow('publish-due-notices');
      expect((fired.lastOutput as { published: string[] }).published).toEqual([n.id]);
      const again = await stack.scheduler.fireNow('publish-due-notices');
      expect((again.lastOutput as { published: string[] }).published).toEqual([]);
    } finally {
      process.env.LOCAL_TIME_OFFSET_MS = '0';
    }
    const after = await call('GET', `/v1/admin/notices/${n.id}`, reviewer());
    expect(after.body).toMatchObject({ status: 'published', publishedBy: 'schedule:publish-due-notices' });
  });

  it('an edit after approval or an early publication removes the schedule; a stale one does nothing', async () => {
    const edited = await approvedForLater();
    const patched = await call('PATCH', `/v1/admin/notices/${edited.id}`, editor(), {
      version: edited.version,
      title: '长安街临时交通管制（时间调整）',
    });
    expect(patched.body.status).toBe('in-review');
    const early = await approvedForLater();
    expect((await call('POST', `/v1/admin/notices/${early.id}/publish`, reviewer(), {})).status).toBe(200);
    const pending = (await oneOff()).pending.map((s) => s.name);
    expect(pending).not.toContain(`notice-${edited.id}-v${edited.version}`);
    expect(pending).not.toContain(`notice-${early.id}-v${early.version}`);

    // A schedule that fires for a version that moved on (its deletion failed) publishes nothing.
    process.env.LOCAL_TIME_OFFSET_MS = String(hour);
    try {
      const stale = (await stack.functions
        .get('publish-due-notices')!
        .invoke({ noticeId: edited.id, version: edited.version })) as Json;
      expect(stale.published).toEqual([]);
      expect(stale.reason).toMatch(/in-review at version/);
    } finally {
      process.env.LOCAL_TIME_OFFSET_MS = '0';
    }
    expect((await call('GET', `/v1/admin/notices/${edited.id}`, reviewer())).body.status).toBe('in-review');
  });
});

describe('bad input (none is a 500)', () => {
  it('invalid fields: 400 with the field paths', async () => {
    const res = await call('POST', '/v1/admin/notices', editor(), {
      ...trafficControl(),
      title: '',
      channels: ['fax'],
    });
    expect(res.status).toBe(400);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.title', 'body.channels.0']));
  });

  it('an effective window that ends before it starts, and a scheduled time in the past: 400', async () => {
    const window = await call(
      'POST',
      '/v1/admin/notices',
      editor(),
      trafficControl({ effectiveTo: inHours(-2) }),
    );
    expect(window.status).toBe(400);
    expect(window.body.errors.map((e: { path: string }) => e.path)).toContain('body.effectiveTo');
    const past = await call(
      'POST',
      '/v1/admin/notices',
      editor(),
      trafficControl({ publishAt: inHours(-1) }),
    );
    expect(past.status).toBe(400);
    expect(past.body.errors.map((e: { path: string }) => e.path)).toContain('body.publishAt');
  });

  it('oversized bodies: a field over its limit is 400, a body over 32 KiB is 413', async () => {
    const long = await call(
      'POST',
      '/v1/admin/notices',
      editor(),
      trafficControl({ body: '字'.repeat(2001) }),
    );
    expect(long.status).toBe(400);
    expect(long.body.errors.map((e: { path: string }) => e.path)).toContain('body.body');
    const huge = await call(
      'POST',
      '/v1/admin/notices',
      editor(),
      trafficControl({ areas: Array(20).fill('字'.repeat(600)) }),
    );
    expect(huge.status).toBe(413);
  });

  it('a move the state does not allow: 409 listing the allowed moves', async () => {
    const d = await call('POST', '/v1/admin/notices', editor(), trafficControl());
    const res = await call('POST', `/v1/admin/notices/${d.body.id}/approve`, reviewer(), {});
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ currentStatus: 'draft', allowed: ['edit', 'submit'] });
  });

  it('approving one’s own notice: 403', async () => {
    const both = token('selfie', 'editor', 'reviewer');
    const d = await call('POST', '/v1/admin/notices', both, trafficControl());
    await call('POST', `/v1/admin/notices/${d.body.id}/submit`, both, {});
    expect((await call('POST', `/v1/admin/notices/${d.body.id}/approve`, both, {})).status).toBe(403);
  });

  it('an SMS longer than the deployment sends is refused at approval (400), as the preview warned', async () => {
    const d = await call(
      'POST',
      '/v1/admin/notices',
      editor(),
      trafficControl({ title: '管'.repeat(60), shortBody: '字'.repeat(140), channels: ['feed', 'sms'] }),
    );
    expect(d.status).toBe(201);
    const preview = await call('POST', `/v1/admin/notices/${d.body.id}/preview`, editor());
    expect(preview.body.sms).toMatchObject({ parts: 4, maxParts: 3, withinLimit: false });
    expect((await call('POST', `/v1/admin/notices/${d.body.id}/submit`, editor(), {})).status).toBe(200);
    const res = await call('POST', `/v1/admin/notices/${d.body.id}/approve`, reviewer(), {});
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('4 billable parts');
  });

  it('a channel the account has no template for: 400 naming it', async () => {
    const d = await call(
      'POST',
      '/v1/admin/notices',
      editor(),
      trafficControl({ priority: 'emergency', audience: { type: 'internal' }, channels: ['wechat'] }),
    );
    const res = await call('POST', `/v1/admin/notices/${d.body.id}/publish`, reviewer(), {});
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain("'officers' has no 'emergency' template");
    expect((await call('POST', `/v1/admin/notices/${d.body.id}/preview`, reviewer())).status).toBe(400);
  });

  it('an audience of zero is allowed and the preview says so', async () => {
    const d = await call(
      'POST',
      '/v1/admin/notices',
      editor(),
      trafficControl({ city: 'xian', audience: { type: 'tails', tails: [9] } }),
    );
    expect(d.status).toBe(201);
    const p = await call('POST', `/v1/admin/notices/${d.body.id}/preview`, editor());
    expect(p.body.audienceTotal).toBe(0);
    expect(p.body.note).toMatch(/No follower matches/);
  });

  it('unknown ids: 404 (admin and public); malformed ids: 400; a stale version: 409', async () => {
    const id = randomUUID();
    expect((await call('GET', `/v1/admin/notices/${id}`, editor())).status).toBe(404);
    expect((await call('POST', `/v1/admin/notices/${id}/submit`, editor(), {})).status).toBe(404);
    expect((await call('GET', `/v1/notices/${id}`)).status).toBe(404);
    expect((await call('GET', '/v1/notices/not-an-id')).status).toBe(400);
    const d = await call('POST', '/v1/admin/notices', editor(), trafficControl());
    expect((await call('GET', `/v1/notices/${d.body.id}`)).status).toBe(404); // drafts are not public
    const stale = await call('PATCH', `/v1/admin/notices/${d.body.id}`, editor(), { version: 7, title: 'x' });
    expect(stale.status).toBe(409);
  });
});

describe('operators', () => {
  it('stats count followers and bound plates, and the month’s SMS spend', async () => {
    const res = await call('GET', '/v1/admin/stats', token('olga', 'operator'));
    expect(res.status).toBe(200);
    expect(res.body.byChannel.wechat.active).toBeGreaterThanOrEqual(5);
    expect(res.body.boundPlatesByCity.beijing).toBeGreaterThanOrEqual(5);
    expect(res.body.sms).toMatchObject({ provider: 'tencent', spentFen: 0, ceilingFen: 100_000 });
    expect(Array.isArray(res.body.pushes)).toBe(true);
  });

  it('the support view masks personal data unless the caller is admin', async () => {
    const path = '/v1/admin/subscribers/wechat/o-notice-000001';
    const masked = await call('GET', path, token('olga', 'operator'));
    expect(masked.body).toMatchObject({ id: 'o-no****0001', masked: true });
    expect(masked.body.bindings[0].plate).toMatch(/^京A\*\*\*\d\d$/);
    const plain = await call('GET', path, admin());
    expect(plain.body).toMatchObject({ id: 'o-notice-000001', masked: false });
    expect((await call('GET', '/v1/admin/subscribers/wechat/nobody', admin())).status).toBe(404);
  });
});

describe('the role matrix, walked on the local stack', () => {
  const adminRoutes = bp.routes.filter((r) => r.auth === 'admin-jwt');
  const params: Record<string, string> = {
    id: randomUUID(),
    channel: 'wechat',
    year: '2027',
    city: 'beijing',
    ruleId: 'no-such-rule',
    suspensionId: 'no-such-suspension',
  };
  const url = (path: string) => path.replace(/\{(\w+)\}/g, (_, p: string) => params[p]!);

  it('lists every admin route, and nothing else', () => {
    const keys = adminRoutes.map((r) => `${r.method} ${r.path}`).sort();
    expect(Object.keys(ROLE_MATRIX).sort()).toEqual(keys);
  });

  it('each allowed call gets past the role check, each other is 403 (admin may do everything)', async () => {
    const failures: string[] = [];
    for (const r of adminRoutes) {
      const key = `${r.method} ${r.path}`;
      for (const role of ROLES) {
        const allowed = role === 'admin' || ROLE_MATRIX[key]!.includes(role);
        const body = r.method === 'GET' ? undefined : {};
        const res = await call(r.method, url(r.path), token(`matrix-${role}`, role), body);
        const ok = allowed
          ? res.status !== 401 && res.status !== 403 && res.status < 500
          : res.status === 403;
        if (!ok) failures.push(`${role} ${key}: ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('a missing, expired or forged token is 401 on every admin route', async () => {
    const expired = stack.issueToken('old', ['admin'], -10);
    const forged = new LocalJwtIssuer(
      join(mkdtempSync(join(tmpdir(), 'forger-')), 'key.pem'),
      LOCAL_ISSUER,
    ).issue('mallory', ['admin']);
    const failures: string[] = [];
    for (const r of adminRoutes) {
      for (const [name, t] of [
        ['missing', undefined],
        ['expired', expired],
        ['forged', forged],
      ] as const) {
        const res = await call(r.method, url(r.path), t, r.method === 'GET' ? undefined : {});
        if (res.status !== 401) failures.push(`${name} ${r.method} ${r.path}: ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
