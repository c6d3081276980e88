/**
 * The staff console in real headless Chromium (Debian's chromium, driven by playwright-core) against
 * the local stack: sign-in through the local OIDC issuer (code + PKCE), each role doing its part of
 * the README's walk-throughs, axe-core on every page, and every page when the API is down.
 * Screenshots of each page go to test-output/console/.
 *
 * The functions' clock runs at 10:00 Shanghai on a Wednesday (LOCAL_TIME_OFFSET_MS), so quiet hours
 * do not hold the notice's push back; the browser keeps the real clock.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { blueprintInput, defineBlueprint, REPO_ROOT } from '../../lib/blueprint.ts';
import { ensureConsoleBuilt } from '../../lib/console.ts';
import { localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { type Chromium, chromiumAvailable, launchChromium, type Page, signIn } from '../fixtures/browser.ts';
import { seed, seededSubscribers } from '../fixtures/seed.ts';

process.env.STAGE = 'local';
process.env.PUSH_RATE_PER_SECOND = '1000';
process.env.LOCAL_TIME_OFFSET_MS = String(Date.parse('2026-11-18T10:00:00+08:00') - Date.now());

export const SHOTS = join(REPO_ROOT, 'test-output', 'console');
const PAGES = [
  'today',
  'notices',
  'notices/new',
  'pushes',
  'restrictions',
  'stats',
  'subscribers',
  'drivers',
  'audit',
  'settings',
];
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// Without the five-minute sweep: the stalled run below waits for the operator, as when the sweep has
// given up on it (PUSH_MAX_AUTO_RESUMES), instead of racing them.
const { 'resume-push-runs': _sweep, ...schedules } = blueprintInput.schedules;
const bp = defineBlueprint({ ...blueprintInput, schedules, service: `console-${Date.now().toString(36)}` });
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'console-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
});
let chromium: Chromium;
const pages: Page[] = [];

async function as(name: string, roles: string[], apiDown = false): Promise<Page> {
  const page = await chromium.browser.newPage();
  // The console honours reduced motion (no dialog animations), so a click never lands mid-animation.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  pages.push(page);
  page.setDefaultTimeout(15_000);
  // Down before the first page loads: nothing 今日 fetched at sign-in is in the cache, fresh.
  if (apiDown) await page.route(/\/v1\//, (route) => route.abort('connectionrefused'));
  await signIn(page, stack.endpoint, name, roles);
  return page;
}
const go = (page: Page, route: string) => page.goto(`${stack.endpoint}/console/#/${route}`);
const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SHOTS, `${name.replace(/\//g, '-')}.png`), fullPage: true });

/** Types a date-time into an antd picker input and confirms it with the picker's OK button. */
async function pick(page: Page, placeholder: string, value: string) {
  const input = page.getByPlaceholder(placeholder);
  await input.click();
  await input.fill(value);
  await page.locator('.ant-picker-dropdown:visible .ant-picker-ok button').click();
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ensureConsoleBuilt(REPO_ROOT, () => {});
  await stack.start();
  const doc = DynamoDBDocumentClient.from(localClient(inject('dynamodbEndpoint')));
  await seed(
    doc,
    localTableName(bp.service, 'subscribers'),
    seededSubscribers({ count: 5, city: 'beijing', tails: [3, 8], prefix: 'o-console' }),
  );
  chromium = await launchChromium();
}, 180_000);

// A failed step leaves a picture of every open page, to see what the person would have seen.
beforeEach((ctx) => {
  ctx.onTestFailed(async () => {
    await Promise.all(
      pages.map((p, i) => shot(p, `failed-${ctx.task.name.slice(0, 24)}-${i}`).catch(() => {})),
    );
  });
});

afterAll(async () => {
  await chromium?.close();
  await stack.stop();
});

// CI installs Debian's chromium (.ci/run); there, a missing browser is a failure, not a skip.
it.runIf(!chromiumAvailable() && !!process.env.CI)('finds Debian’s chromium at /usr/bin/chromium', () => {
  expect(chromiumAvailable(), 'apt-get install -y chromium').toBe(true);
});

describe.runIf(chromiumAvailable())('the staff console in Chromium', { timeout: 90_000 }, () => {
  let noticeId = '';
  let editor: Page;

  it('an editor drafts a notice: the API’s problem next to the field, then the live preview', async () => {
    editor = await as('edna', ['editor']);
    await go(editor, 'notices/new');
    await editor.getByRole('button', { name: '保存草稿' }).click();
    // The API refuses the empty draft; its messages stand next to the fields they name.
    await editor.locator('.ant-form-item-explain-error').first().waitFor();
    expect(await editor.locator('[role=alert]').first().innerText()).toMatch(/Invalid body/);
    await editor.getByLabel('标题').fill('长安街临时交通管制');
    await editor.getByLabel('摘要（模板消息和短信使用）').fill('长安街临时交通管制，请绕行');
    await editor
      .getByLabel('正文')
      .fill('因重大活动，今天长安街（建国门至复兴门）实行临时交通管制，请提前绕行。');
    await pick(editor, '开始日期', '2026-11-18 09:00:00');
    await pick(editor, '结束日期', '2026-11-18 14:00:00');
    const wechat = editor.getByTestId('preview-wechat');
    await expect.poll(() => wechat.innerText()).toContain('长安街临时交通管制');
    expect(await wechat.innerText()).toContain('11月18日09:00至14:00');
    expect(await editor.getByTestId('preview-page').innerText()).toContain('建国门至复兴门');
    await shot(editor, 'notices-compose');
    await editor.getByRole('button', { name: '保存草稿' }).click();
    await editor.waitForURL(/#\/notices\/[0-9a-f-]{36}$/);
    noticeId = editor.url().split('/').at(-1)!;
    await editor.getByRole('button', { name: '提交审核' }).click();
    await editor.getByRole('dialog').getByRole('button', { name: '提交审核' }).click();
    await editor.getByText('待审核', { exact: true }).first().waitFor();
  });

  it('an editor sees no approve button, and forcing the call gets the 403 message shown', async () => {
    await editor.reload();
    await editor
      .getByRole('group', { name: '流程操作' })
      .or(editor.getByText('流程操作'))
      .first()
      .waitFor()
      .catch(() => {});
    await editor.getByText('待审核', { exact: true }).first().waitFor();
    expect(await editor.getByRole('button', { name: '批准' }).count()).toBe(0);
    await go(editor, `notices/${noticeId}?do=approve`);
    await editor.getByRole('dialog').getByRole('button', { name: '批准' }).click();
    const alert = editor.getByRole('dialog').getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(
      /approve needs one of the roles (reviewer, admin|admin, reviewer)/,
    );
    await shot(editor, 'notices-forbidden');
  });

  it('a different reviewer approves and publishes it', async () => {
    const reviewer = await as('rex', ['reviewer']);
    await go(reviewer, `notices/${noticeId}`);
    await reviewer.getByRole('button', { name: '批准' }).click();
    await reviewer.getByRole('dialog').getByRole('button', { name: '批准' }).click();
    await reviewer.getByText('已批准', { exact: true }).first().waitFor();
    await reviewer.getByRole('button', { name: '发布' }).click();
    const dialog = reviewer.getByRole('dialog');
    expect(await dialog.innerText()).toContain('本市绑定车牌的关注者');
    await dialog.getByRole('button', { name: '发布' }).click();
    await reviewer.getByText('已发布', { exact: true }).first().waitFor();
    await shot(reviewer, 'notices-published');
  });

  it('a reviewer sees what changed since the version they approved', async () => {
    const api = async (method: string, path: string, sub: string, roles: string[], body?: unknown) => {
      const res = await fetch(`${stack.endpoint}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${stack.issueToken(sub, roles)}`,
          'content-type': 'application/json',
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(res.status, path).toBeLessThan(300);
      return (await res.json()) as { id: string; version: number };
    };
    const draft = await api('POST', '/v1/admin/notices', 'edna', ['editor'], {
      kind: 'road-condition',
      title: '三环路施工',
      body: '三环路西段夜间施工，请绕行。',
      shortBody: '三环路西段夜间施工',
      city: 'beijing',
      effectiveFrom: '2026-11-18T01:00:00.000Z',
      channels: ['feed'],
      audience: { type: 'bound-in-city' },
    });
    await api('POST', `/v1/admin/notices/${draft.id}/submit`, 'edna', ['editor'], {});
    const approved = await api('POST', `/v1/admin/notices/${draft.id}/approve`, 'rex', ['reviewer'], {});
    await go(editor, `notices/${draft.id}`);
    await editor.getByLabel('正文').fill('三环路西段、北段夜间施工，请绕行。');
    await editor.getByRole('button', { name: '保存修改' }).click();
    await editor.getByText(`版本 ${approved.version + 1}`).waitFor();
    const reviewer = await as('rex', ['reviewer']);
    await go(reviewer, `notices/${draft.id}`);
    const diff = reviewer.locator('.ant-card').filter({ hasText: '自上次批准（rex' });
    await diff.waitFor();
    expect(await diff.locator('ins').allInnerTexts(), await diff.innerText()).toEqual(['、北段']);
    expect(await diff.innerText()).toContain('正文');
    await shot(reviewer, 'notices-review-diff');
  });

  it('the feed and the notice appear', async () => {
    const feed = (await (await fetch(`${stack.endpoint}/v1/notices?city=beijing`)).json()) as {
      notices: Array<{ id: string; title: string }>;
    };
    expect(feed.notices.map((n) => n.id)).toContain(noticeId);
    const one = await fetch(`${stack.endpoint}/v1/notices/${noticeId}`);
    expect(one.status).toBe(200);
    expect(((await one.json()) as { title: string }).title).toBe('长安街临时交通管制');
  });

  it('the run reaches completed on the pushes page, and an operator dry-runs a reminder', async () => {
    const operator = await as('olga', ['operator']);
    await go(operator, `pushes/${encodeURIComponent(`notice#${noticeId}#v4`)}`);
    const status = operator.getByTestId('run-status');
    await expect.poll(() => status.innerText(), { timeout: 45_000, interval: 1_000 }).toBe('已完成');
    expect(await operator.getByRole('img', { name: /结果分布/ }).getAttribute('aria-label')).toMatch(
      /已发送 5/,
    );
    await shot(operator, 'pushes-run');
    await go(operator, 'pushes');
    await operator.getByRole('button', { name: '试算（不发送）' }).click();
    const dry = operator.getByTestId('dry-run');
    await dry.waitFor();
    expect(await dry.innerText()).toMatch(/微信 \d+ 人，短信 \d+ 人/);
    expect(await dry.innerText()).toContain('restriction#beijing#2026-11-18#morning');
    // The pace from now (10:00) to the deadline: restrictions began at 07:00, so it says so.
    const pace = operator.getByTestId('pace');
    expect(await pace.innerText()).toMatch(/条\/秒/);
    expect(await pace.innerText()).toContain('截止时间已过');
    await shot(operator, 'pushes-dry-run');
  });

  it('a run whose bundles were lost stalls; an operator resumes it from its page and it completes', async () => {
    const operator = await as('olga', ['operator']);
    const local = (path: string, body: unknown) =>
      fetch(`${stack.endpoint}/_local/${path}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const key = 'restriction#beijing#2026-11-18#morning';
    const run = async () => {
      const res = await fetch(`${stack.endpoint}/v1/admin/pushes/${encodeURIComponent(key)}`, {
        headers: { authorization: `Bearer ${stack.issueToken('olga', ['operator'])}` },
      });
      return (await res.json()) as {
        status: string;
        segmentsDone: number;
        segmentsTotal: number;
        settled: number;
        counts: Record<string, number>;
      };
    };
    // Followers whose plates Beijing restricts on Wednesday 2026-11-18 (tails 2 and 7).
    await seed(
      DynamoDBDocumentClient.from(localClient(inject('dynamodbEndpoint'))),
      localTableName(bp.service, 'subscribers'),
      seededSubscribers({ count: 6, city: 'beijing', tails: [2, 7], prefix: 'o-stall' }),
    );
    // Every WeChat bundle is lost before a worker sees it (what a publish that never happened leaves).
    await local('queues/push-deliveries-wechat/faults', { dropRate: 1 });
    await go(operator, 'pushes');
    await operator.getByRole('button', { name: '推送…' }).click();
    await operator.getByRole('dialog').getByRole('button', { name: '推送' }).click();
    await expect
      .poll(
        async () => {
          const r = await run().catch(() => null);
          return !!r && r.segmentsDone >= r.segmentsTotal && (r.counts.planned ?? 0) > 0;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(true);
    await local('queues/push-deliveries-wechat/faults', { dropRate: 0 });
    const lost = await run();
    expect(lost.status).toBe('running');
    expect(lost.settled).toBeLessThan(lost.counts.planned!);
    // Eleven minutes later by the functions' clock, nothing has moved: the run has stalled.
    const offset = process.env.LOCAL_TIME_OFFSET_MS;
    process.env.LOCAL_TIME_OFFSET_MS = String(Number(offset) + 11 * 60_000);
    try {
      await go(operator, `pushes/${encodeURIComponent(key)}`);
      const stalled = operator.getByTestId('run-stalled');
      await stalled.waitFor();
      expect(await operator.getByTestId('run-status').innerText()).toBe('已停滞');
      expect(await stalled.innerText()).toContain(
        `计划 ${lost.counts.planned} 人，已有结果 ${lost.settled} 人`,
      );
      await shot(operator, 'pushes-run-stalled');
      await stalled.getByRole('button', { name: '恢复推送…' }).click();
      const dialog = operator.getByRole('dialog');
      expect(await dialog.innerText()).toContain('每人至多一次');
      await dialog.getByRole('button', { name: '恢复推送' }).click();
      const resumed = operator.getByTestId('run-resumed');
      await resumed.waitFor();
      expect(await resumed.innerText()).toContain(`共 ${lost.counts.planned! - lost.settled} 位接收者`);
      const status = operator.getByTestId('run-status');
      await expect.poll(() => status.innerText(), { timeout: 45_000, interval: 1_000 }).toMatch(/^已完成/);
      const done = await run();
      expect(done.settled).toBe(done.counts.planned);
      expect(done.counts.sent).toBeGreaterThan(0);
      expect(await operator.getByRole('img', { name: /结果分布/ }).getAttribute('aria-label')).toContain(
        `已发送 ${done.counts.sent}`,
      );
      await shot(operator, 'pushes-run-resumed');
      // Resumed by a person: in the audit trail, under their name.
      const audit = await fetch(`${stack.endpoint}/v1/admin/audit?action=push.resume`, {
        headers: { authorization: `Bearer ${stack.issueToken('ada', ['admin'])}` },
      });
      const entries = ((await audit.json()) as { entries: Array<{ actor: string; entity: string }> }).entries;
      expect(entries).toContainEqual(expect.objectContaining({ actor: 'olga', entity: `run:${key}` }));
    } finally {
      process.env.LOCAL_TIME_OFFSET_MS = offset;
    }
  });

  it('an admin uploads a 2027 calendar, sees what changes before saving, then 2027-01-01 answered', async () => {
    const admin = await as('ada', ['admin']);
    await go(admin, 'restrictions');
    const calendar = {
      year: 2027,
      notice: '国务院办公厅关于2027年部分节假日安排的通知',
      source: 'https://www.gov.cn/',
      holidays: [{ name: '元旦', nameEn: "New Year's Day", from: '2027-01-01', to: '2027-01-03' }],
      makeUpWorkdays: [{ date: '2027-01-04', for: '元旦节' }],
    };
    // A make-up day for a holiday the calendar does not name: the API's problem names the field.
    await admin.getByLabel('日历 JSON').fill(JSON.stringify(calendar));
    await admin.getByRole('button', { name: '检查变化' }).click();
    const problem = admin.getByRole('alert').filter({ hasText: 'makeUpWorkdays.0.for' });
    await problem.waitFor();
    calendar.makeUpWorkdays = [];
    await admin.getByLabel('日历 JSON').fill(JSON.stringify(calendar));
    await admin.getByRole('button', { name: '检查变化' }).click();
    const changes = admin.getByTestId('calendar-changes');
    await changes.waitFor();
    expect(await changes.innerText()).toContain('2027-01-01');
    expect(await changes.innerText()).toContain('无节假日数据 → 节假日不限行（元旦）');
    await shot(admin, 'restrictions-upload-diff');
    await admin.getByRole('button', { name: /保存 2027 年日历/ }).click();
    await admin.getByText('国务院办公厅关于2027年部分节假日安排的通知（管理员上传，版本 1）').waitFor();
    await admin.locator('button[data-date="2027-01-01"]').click();
    const answers = admin.getByTestId('day-answers');
    await answers.waitFor();
    await expect.poll(() => answers.innerText()).toContain('节假日不限行（元旦）');
    expect(await answers.innerText()).toContain('北京');
    await shot(admin, 'restrictions-2027');
  });

  it('the audit trail: by actor and action, each entry’s before/after as a diff', async () => {
    const admin = await as('ada', ['admin']);
    await go(admin, 'audit');
    await admin.getByLabel('操作人').fill('rex');
    await admin.getByLabel('操作', { exact: true }).fill('notice.');
    await admin.getByRole('button', { name: '查询' }).click();
    const approve = admin.getByRole('row').filter({ hasText: 'notice.approve' }).first();
    await approve.waitFor();
    expect(await admin.getByRole('row').filter({ hasText: 'notice.publish' }).count()).toBe(1);
    expect(await admin.getByRole('row').filter({ hasText: 'notice.create' }).count()).toBe(0); // edna's
    await approve.getByRole('button', { name: '展开行' }).click();
    const diff = admin.locator('.ant-table-expanded-row').first();
    await diff.waitFor();
    expect(await diff.innerText()).toMatch(/status\s+in-review → approved/);
    await shot(admin, 'audit-diff');
  });

  it('every page: a screenshot, and axe-core finds no serious or critical violation', async () => {
    const admin = await as('ada', ['admin']);
    const found: string[] = [];
    for (const route of PAGES) {
      await go(admin, route);
      await admin.locator('main h1').first().waitFor();
      await admin.waitForLoadState('networkidle');
      await shot(admin, route);
      await admin.evaluate(AXE); // evaluated by the driver: the console's CSP allows no inline script
      const violations = (await admin.evaluate('axe.run(document).then((r) => r.violations)')) as Array<{
        id: string;
        impact: string;
        nodes: Array<{ target: string[] }>;
      }>;
      for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical'))
        found.push(`${route}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    }
    expect(found, found.join('\n')).toEqual([]);
  });

  it('with the API down, every page says so and retries, and recovers when it is back', async () => {
    const admin = await as('ada', ['admin'], true);
    // 粉丝 and 车主 ask nothing before a search.
    for (const route of PAGES.filter((p) => p !== 'notices/new' && p !== 'subscribers' && p !== 'drivers')) {
      await go(admin, route);
      const notice = admin.getByText('暂时无法连接服务，正在自动重试…').first();
      await notice.waitFor();
      expect(await admin.locator('main').innerText()).not.toMatch(/TypeError|Failed to fetch|undefined/);
    }
    await shot(admin, 'api-down');
    await admin.unroute(/\/v1\//);
    await admin
      .getByText('系统发布', { exact: false })
      .or(admin.getByRole('button', { name: /保存/ }))
      .first()
      .waitFor({ timeout: 30_000 });
  });
});
