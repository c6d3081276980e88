/**
 * The service desk in the staff console, in real headless Chromium (Debian's chromium, driven by
 * playwright-core) against the local stack with the real blueprint: citizens write over the real
 * WeChat webhook and the console's people work their cases.
 *  - an officer's desk: the menu their role allows, the new case of their unit, its thread with the
 *    photo (copied from WeChat's temporary media) and the voice's recognition, taking it, a canned
 *    answer sent and shown as delivered by customer-service message (and in the sandbox's outbox);
 *  - a supervisor who read the case before that answer closes it: the 409 says who answered, the
 *    refresh keeps going, the close goes through, the history says so;
 *  - a hotline case registered by hand (acknowledged by SMS), one routed elsewhere, a transfer;
 *  - the 督办 list after the deadline passes and the schedule escalates; the measures in 统计;
 *  - managed content edited by an operator: the API's problem per field, then a saved version the
 *    conversation answers with;
 *  - axe-core on every desk page, and each of them with the API down.
 * Screenshots go to test-output/console/desk-*.png.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { blueprintInput, defineBlueprint, REPO_ROOT } from '../../lib/blueprint.ts';
import { ensureConsoleBuilt } from '../../lib/console.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import type { SimulatedMessage } from '../../lib/local/wechat-user.ts';
import { type Chromium, chromiumAvailable, launchChromium, type Page, signIn } from '../fixtures/browser.ts';
import { sayOnWeChat } from '../fixtures/follower.ts';

process.env.STAGE = 'local';
// The functions' clock: Monday 2026-11-23 10:00 in Shanghai, a working day (the browser keeps its own).
process.env.LOCAL_TIME_OFFSET_MS = String(Date.parse('2026-11-23T10:00:00+08:00') - Date.now());
// Managed content read fresh, so the conversation answers with a save at once.
process.env.CONTENT_CACHE_SECONDS = '0';

const SHOTS = join(REPO_ROOT, 'test-output', 'console');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const bp = defineBlueprint({ ...blueprintInput, service: `deskui-${Date.now().toString(36)}` });
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'desk-console-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
});
/** The smallest PNG (1×1). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const AMR = Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(64, 7)]);
let chromium: Chromium;
const pages: Page[] = [];

const say = (m: SimulatedMessage, openid: string) => sayOnWeChat(stack, m, openid);
const drained = async () => {
  for (const q of ['desk-answers', 'desk-media']) await stack.queues.get(q)!.drained(30_000);
};

async function as(name: string, roles: string[], apiDown = false): Promise<Page> {
  const page = await chromium.browser.newPage();
  await page.emulateMedia({ reducedMotion: 'reduce' });
  pages.push(page);
  page.setDefaultTimeout(15_000);
  // Down before the first page loads, so nothing the API said is cached (sign-in is the issuer's).
  if (apiDown) await page.route(/\/v1\//, (route) => route.abort('connectionrefused'));
  await signIn(page, stack.endpoint, name, roles);
  return page;
}
const go = (page: Page, route: string) => page.goto(`${stack.endpoint}/console/#/${route}`);
const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SHOTS, `desk-${name.replace(/\//g, '-')}.png`), fullPage: true });
/** A case as the API has it now (a supervisor's read, outside the browser). */
async function version(number: string): Promise<number> {
  const res = await fetch(`${stack.endpoint}/v1/admin/desk/cases/${number}`, {
    headers: { authorization: `Bearer ${stack.issueToken('sam', ['supervisor'])}` },
  });
  return ((await res.json()) as { case: { version: number } }).case.version;
}
const menu = async (page: Page) =>
  (await page.locator('nav[aria-label="页面"] a').allInnerTexts()).map((t) => t.trim());

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ensureConsoleBuilt(REPO_ROOT, () => {});
  await stack.start();
  chromium = await launchChromium();
}, 180_000);

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

it.runIf(!chromiumAvailable() && !!process.env.CI)('finds Debian’s chromium at /usr/bin/chromium', () => {
  expect(chromiumAvailable(), 'apt-get install -y chromium').toBe(true);
});

describe.runIf(chromiumAvailable())('the service desk in the console', { timeout: 90_000 }, () => {
  const citizen = 'o-deskui-citizen-1';
  let number = '';
  let tom: Page;
  let sam: Page;

  it('a citizen writes, sends a photo and a voice message; the officer of the unit sees it on 今日 and the desk', async () => {
    await say({ kind: 'event', event: 'subscribe' }, citizen);
    const ack = await say({ kind: 'text', text: '投诉 幸福路与和平街路口每天早上违停严重' }, citizen);
    number = /编号 (\d{10})/.exec(ack)![1]!;
    stack.wechat.putMedia('m-ui-photo', PNG, 'image/jpeg');
    stack.wechat.putMedia('m-ui-voice', AMR, 'audio/amr');
    await say(
      {
        kind: 'message',
        msgType: 'image',
        fields: { PicUrl: 'https://mmbiz.example/p', MediaId: 'm-ui-photo' },
      },
      citizen,
    );
    await say(
      {
        kind: 'message',
        msgType: 'voice',
        fields: { MediaId: 'm-ui-voice', Format: 'amr', Recognition: '早上七点到九点最严重' },
      },
      citizen,
    );
    await drained();

    tom = await as('tom', ['officer']); // 秩序管理科 (schemas/data/desk.json)
    expect(await menu(tom)).toEqual(['今日', '诉求']);
    const today = tom.getByTestId('today-desk');
    await expect.poll(() => today.innerText()).toMatch(/新诉求\s*1/);
    await go(tom, 'desk');
    const row = tom.getByRole('row').filter({ hasText: number });
    await row.waitFor();
    for (const cell of ['投诉', '微信', '幸福路与和平街路口每天早上违停严重', '秩序管理科', '新诉求'])
      await expect.poll(() => row.innerText()).toContain(cell); // unit names arrive with /desk/units
    await shot(tom, 'list');
    await row.getByRole('link', { name: number }).click();
    await tom.waitForURL(new RegExp(`#/desk/${number}$`));
    const thread = tom.getByTestId('thread');
    await thread.getByText('幸福路与和平街路口每天早上违停严重').waitFor();
    // The photo is the bytes the citizen sent, shown from the attachments store.
    const img = thread.getByRole('img', { name: /群众发来的图片/ });
    await img.waitFor();
    expect(await img.evaluate((el) => (el as { naturalWidth: number }).naturalWidth)).toBe(1);
    expect(await thread.innerText()).toContain('语音识别：早上七点到九点最严重');
    // The acknowledgement went back in WeChat's passive reply.
    expect(await thread.innerText()).toMatch(/即时回复 · 已送达/);
    expect(await tom.getByTestId('history').innerText()).toMatch(/登记 · citizen/);
  });

  it('a supervisor reads the case; the officer takes it and sends a canned answer, delivered by customer-service message', async () => {
    sam = await as('sam', ['supervisor']);
    expect(await menu(sam)).toEqual(['今日', '诉求', '督办', '统计', '内容']);
    await go(sam, `desk/${number}`);
    await sam.getByText(`版本 ${await version(number)}`).waitFor();

    await tom.getByRole('button', { name: '我来办' }).click();
    await tom.getByText('已分派', { exact: true }).waitFor();
    await tom.getByLabel('常用答复').click();
    await tom.getByTitle('违停已派警').click();
    const box = tom.getByLabel('答复内容');
    expect(await box.inputValue()).toContain('我们已安排民警到现场巡查处置');
    await box.fill(`${await box.inputValue()}（早高峰 7:00–9:00）`);
    await tom.getByRole('button', { name: '发送答复' }).click();
    const answer = tom.getByTestId('thread').locator('[data-from=officer]');
    await answer.waitFor();
    await drained();
    await expect.poll(() => answer.innerText(), { timeout: 20_000 }).toMatch(/微信客服消息 · 已送达/);
    expect(await answer.innerText()).toContain('答复（tom）');
    const sent = stack.wechat.outbox.filter((e) => e.kind === 'custom' && e.touser === citizen);
    expect(sent).toHaveLength(1);
    expect((sent[0]!.body.text as { content: string }).content).toContain('（早高峰 7:00–9:00）');
    await shot(tom, 'answered');
  });

  it('the supervisor’s close, based on what they read before the answer, gets the 409 saying who answered; after refreshing it goes through', async () => {
    await sam.getByRole('button', { name: '办结' }).click();
    const dialog = sam.getByRole('dialog');
    await dialog.getByLabel(/办结原因/).fill('已处理');
    await dialog.getByRole('button', { name: '办结' }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    const current = await version(number);
    expect(await alert.innerText()).toMatch(
      new RegExp(`该诉求在您打开后已有变化（tom 于 .+答复，现为版本 ${current}）`),
    );
    expect(await alert.innerText()).toMatch(/changed after you read it/);
    await shot(sam, 'close-conflict');
    await alert.getByRole('button', { name: '刷新' }).click();
    await sam.getByText(`版本 ${current}`).waitFor();
    await sam.getByRole('button', { name: '办结' }).click();
    await sam.getByRole('dialog').getByRole('button', { name: '办结' }).click();
    await sam.getByText('已办结', { exact: true }).first().waitFor();
    const history = sam.getByTestId('history');
    await expect.poll(() => history.innerText()).toMatch(/办结 · sam/);
    expect(await history.innerText()).toMatch(/分派 · tom[\s\S]*给 tom[\s\S]*答复 · tom/);
    // Closed: notes only, no answer; the citizen is asked for their satisfaction.
    await sam.getByLabel('备注内容').waitFor();
    expect(await sam.getByRole('button', { name: '发送答复' }).count()).toBe(0);
    await drained();
    expect(await say({ kind: 'text', text: '1' }, citizen)).toContain('评价已记录');
    await sam.reload();
    await sam.getByTestId('history').getByText('群众评价 · citizen').waitFor();
    expect(await sam.getByTestId('history').innerText()).toMatch(/群众评价 · citizen[\s\S]*满意$/);
  });

  it('hotline: an officer registers a call (acknowledged by SMS), one routed to another unit is said to be, and a transfer hands a case on', async () => {
    const olga = await as('olga', ['officer']); // 公共关系科
    await go(olga, 'desk');
    await olga.getByRole('button', { name: '登记诉求' }).click();
    let dialog = olga.getByRole('dialog');
    await dialog.getByLabel('诉求内容').fill('来电：希望在学校门口增设人行横道');
    await dialog.getByLabel(/联系电话/).fill('13800138777');
    await dialog.getByLabel('类别').click();
    await olga.getByTitle('建议').click();
    await dialog.getByRole('button', { name: '登记' }).click();
    await olga.waitForURL(/#\/desk\/\d{10}$/);
    const hotline = olga.url().split('/').at(-1)!;
    await olga.getByText('公共关系科').first().waitFor();
    await drained();
    const ack = olga.getByTestId('thread').locator('[data-from=system]').filter({ hasText: '已受理' });
    expect(await olga.getByTestId('thread').innerText()).toContain('热线登记内容');
    await expect.poll(() => ack.innerText(), { timeout: 20_000 }).toMatch(/短信 · 已送达/);
    expect(
      stack.sms.outbox.find((m) => m.phone === '13800138777' && m.reference === 'desk:desk-acknowledgement'),
    ).toBeDefined();
    expect(await olga.getByTestId('thread').innerText()).not.toContain('13800138777');

    // A call about a driving licence goes to the vehicle office: she is told where it went.
    await go(olga, 'desk');
    await olga.getByRole('button', { name: '登记诉求' }).click();
    dialog = olga.getByRole('dialog');
    await dialog.getByLabel('诉求内容').fill('来电：驾驶证到期怎么换证');
    await dialog.getByRole('button', { name: '登记' }).click();
    const told = olga.getByRole('status').filter({ hasText: '按分派规则转至车辆管理所办理' });
    await told.waitFor();

    // Her own case, transferred to 秩序管理科 with a reason: it leaves her desk and reaches tom's.
    await go(olga, `desk/${hotline}`);
    await olga.getByRole('button', { name: '转办' }).click();
    dialog = olga.getByRole('dialog');
    await dialog.getByLabel('转至单位').click();
    await olga.getByTitle('秩序管理科').click();
    await dialog.getByLabel('转办理由').fill('涉及道路交通设施，由秩序科办理');
    await dialog.getByRole('button', { name: '转办' }).click();
    await olga.getByText(`诉求 ${hotline} 已转办至秩序管理科`).waitFor();
    await olga.waitForURL(/#\/desk$/);
    await go(tom, 'desk?view=new');
    const row = tom.getByRole('row').filter({ hasText: hotline });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/建议\s+热线/);
    await go(tom, `desk/${hotline}`);
    expect(await tom.getByTestId('history').innerText()).toContain(
      '公共关系科 → 秩序管理科：涉及道路交通设施，由秩序科办理',
    );
    await shot(tom, 'transferred');
  });

  it('past the deadline the schedule escalates: the 督办 list, 今日 and the measures in 统计 show it', async () => {
    await say({ kind: 'text', text: '求助 车坏在二环路上了，需要拖车' }, 'o-deskui-citizen-2');
    // Three hours later (help: 2 working hours), the schedule runs.
    process.env.LOCAL_TIME_OFFSET_MS = String(Date.parse('2026-11-23T13:30:00+08:00') - Date.now());
    await stack.scheduler.fireNow('escalate-overdue-cases');
    await go(sam, 'supervision');
    const list = sam.getByTestId('overdue-list');
    const help = list.getByRole('row').filter({ hasText: '车坏在二环路上了' });
    await help.waitFor();
    expect(await help.innerText()).toMatch(/公共关系科\s+求助\s+微信[\s\S]*首次答复超期/);
    expect(await help.innerText()).toMatch(/11\/23/); // when it fell due and when it was escalated
    await shot(sam, 'supervision');
    await go(sam, 'today');
    await expect.poll(() => sam.getByTestId('today-desk').innerText()).toMatch(/超期（督办）\s*[1-9]/);
    // tom (an officer) has no 督办 list, and the API agrees.
    await go(tom, 'supervision');
    await tom.getByText('这个页面不存在，或您的角色不能使用。').waitFor();

    await go(sam, 'stats');
    const measures = sam.getByTestId('desk-measures');
    const week = measures.getByRole('row').filter({ hasText: '2026-W48' });
    await week.waitFor();
    // This week: the complaint, two hotline calls, the help request; the complaint answered in minutes.
    expect(await week.innerText()).toMatch(
      /2026-W48\s+4\s+(不足 1 分钟|\d+ 分钟)\s+[1-9]\s+1\.00（1 人评价）/,
    );
    expect(await measures.getByRole('img', { name: /诉求按渠道/ }).getAttribute('aria-label')).toMatch(
      /微信 2，热线 2/,
    );
    expect(await measures.getByRole('img', { name: /诉求按类别/ }).getAttribute('aria-label')).toMatch(
      /投诉 1/,
    );
    await shot(sam, 'stats');
  });

  it('an operator edits the service information: the API names the field it refuses, then the conversation answers with the saved version', async () => {
    const oscar = await as('oscar', ['operator']);
    await go(oscar, 'content?name=service-info');
    const editor = oscar.getByLabel('服务信息 JSON');
    const shipped = JSON.parse(await editor.inputValue()) as Array<Record<string, unknown>>;
    const entry = { id: 'winter-hours', title: '冬季办公时间', keys: ['冬季办公'], text: '' };
    await editor.fill(JSON.stringify([...shipped, entry]));
    await oscar.getByRole('button', { name: '保存为版本 1' }).click();
    const errors = oscar.getByTestId('content-errors');
    await errors.waitFor();
    expect(await errors.innerText()).toMatch(new RegExp(`${shipped.length}\\.text`));
    entry.text = '11月至次年2月，车管所窗口 9:00–17:00，周六上午办理预约业务。';
    await editor.fill(JSON.stringify([...shipped, entry]));
    await oscar.getByRole('button', { name: '保存为版本 1' }).click();
    await oscar.getByRole('button', { name: '保存为版本 2' }).waitFor();
    await oscar.getByRole('row').filter({ hasText: 'oscar' }).first().waitFor();
    expect(await say({ kind: 'text', text: '冬季办公' }, citizen)).toContain('周六上午办理预约业务');
    await shot(oscar, 'content');
  });

  it('every desk page passes axe-core (no serious or critical violation) and says so when the API is down', async () => {
    const admin = await as('ada', ['admin']);
    const routes = ['desk', `desk/${number}`, 'supervision', 'content', 'stats', 'today'];
    const found: string[] = [];
    for (const route of routes) {
      await go(admin, route);
      await admin.locator('main h1').first().waitFor();
      await admin.waitForLoadState('networkidle');
      await admin.evaluate(AXE);
      const violations = (await admin.evaluate('axe.run(document).then((r) => r.violations)')) as Array<{
        id: string;
        impact: string;
        nodes: Array<{ target: string[] }>;
      }>;
      for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical'))
        found.push(`${route}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    }
    expect(found, found.join('\n')).toEqual([]);
    // A fresh page, the API unreachable from the start.
    const down = await as('ada', ['admin'], true);
    for (const route of ['desk', `desk/${number}`, 'supervision', 'content']) {
      await go(down, route);
      await down.getByText('暂时无法连接服务，正在自动重试…').first().waitFor();
      expect(await down.locator('main').innerText()).not.toMatch(/TypeError|Failed to fetch|undefined/);
    }
    await shot(down, 'api-down');
    // Back: the page recovers by itself.
    await down.unroute(/\/v1\//);
    await down.getByLabel('关键词回复 JSON').waitFor({ timeout: 30_000 });
  });
});
