/**
 * Driver notices in the staff console, in headless Chromium against the local stack: after the
 * platform posted a registry and a violation and a follower proved the plate over WeChat, 统计 shows
 * the notices by kind and outcome and the verification rate; 车主 shows the vehicle masked to an
 * operator and in full to an admin (never the VIN), and axe-core finds nothing serious on either page.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { blueprintInput, defineBlueprint, REPO_ROOT } from '../../lib/blueprint.ts';
import { ensureConsoleBuilt } from '../../lib/console.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { type Chromium, chromiumAvailable, launchChromium, type Page, signIn } from '../fixtures/browser.ts';
import { driverParties } from '../fixtures/driver-e2e.ts';
import { event } from '../fixtures/drivers.ts';

process.env.STAGE = 'local';
process.env.LOCAL_TIME_OFFSET_MS = String(Date.parse('2026-11-18T10:00:00+08:00') - Date.now());

const SHOTS = join(REPO_ROOT, 'test-output', 'console');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const bp = defineBlueprint({ ...blueprintInput, service: `cdrv-${Date.now().toString(36)}` });
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'console-drivers-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  timeScale: 0.02,
});
const parties = driverParties(stack);
const { ingest } = parties;
const say = (text: string) => parties.say(owner, text);
const owner = 'o-console-driver-owner-0001';
let chromium: Chromium;
const pages: Page[] = [];

async function as(name: string, roles: string[]): Promise<Page> {
  const page = await chromium.browser.newPage();
  await page.emulateMedia({ reducedMotion: 'reduce' });
  pages.push(page);
  page.setDefaultTimeout(15_000);
  await signIn(page, stack.endpoint, name, roles);
  return page;
}
const go = (page: Page, route: string) => page.goto(`${stack.endpoint}/console/#/${route}`);
async function axe(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const violations = (await page.evaluate('axe.run(document).then((r) => r.violations)')) as Array<{
    id: string;
    impact: string;
    nodes: Array<{ target: string[]; failureSummary?: string }>;
  }>;
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} at ${v.nodes.map((n) => `${n.target.join(' ')} (${n.failureSummary})`).join(', ')}`);
}

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  mkdirSync(SHOTS, { recursive: true });
  ensureConsoleBuilt(REPO_ROOT, () => {});
  await stack.start();
  await ingest(
    event.vehicle('cd-veh', '京A12345', '184952', { phone: '13800138000' }),
    event.vehicle('cd-veh-2', '京A54321', 'B84952'),
  );
  await say('绑定 京A12345');
  expect(await say('验证 京A12345 000000')).toContain('验证未通过');
  expect(await say('验证 京A12345 184952')).toContain('验证成功');
  await ingest(
    event.violation('cd-vio', '京A12345', {
      at: '2026-11-18T09:00:00+08:00',
      time: '2026-11-18T08:40:00+08:00',
    }),
  );
  await stack.queues.get('push-deliveries-wechat')!.drained();
  expect(stack.wechat.outbox.filter((o) => o.touser === owner && o.kind === 'template')).toHaveLength(1);
  chromium = await launchChromium();
}, 180_000);

afterAll(async () => {
  await chromium?.close();
  if (chromiumAvailable()) await stack.stop();
  delete process.env.LOCAL_TIME_OFFSET_MS;
});

describe.runIf(chromiumAvailable())('driver notices in the console', { timeout: 90_000 }, () => {
  it('统计 shows the notices by kind and outcome, the verification rate and the verified owners', async () => {
    const operator = await as('olga', ['operator']);
    await go(operator, 'stats');
    const card = operator.locator('.ant-card', { hasText: '车驾管提醒' });
    await card.getByText('已验证的车辆和驾驶证').waitFor();
    expect(await card.locator('.ant-statistic', { hasText: '已验证的车辆和驾驶证' }).innerText()).toContain(
      '1',
    );
    // One attempt wrong, one verified: 50%.
    expect(await card.locator('.ant-statistic', { hasText: '本周验证通过率' }).innerText()).toContain(
      '50.0%',
    );
    const row = card
      .getByRole('table', { name: '车驾管提醒：按周、类型和结果' })
      .locator('tr', { hasText: '违法' });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/2026-W47[\s\S]*违法[\s\S]*已发送 1/);
    await operator.waitForLoadState('networkidle');
    await operator.screenshot({ path: join(SHOTS, 'stats-drivers.png'), fullPage: true });
    expect(await axe(operator)).toEqual([]);
  });

  it('车主 shows a vehicle masked to an operator, and in full to an admin; never the VIN', async () => {
    const operator = await as('oscar', ['operator']);
    await go(operator, 'drivers');
    await operator.getByLabel('查找车主').fill('京A12345');
    await operator.getByRole('button', { name: '查找' }).click();
    const masked = operator.locator('.ant-card', { hasText: '车辆 京A***45' });
    await masked.waitFor();
    const seen = await masked.innerText();
    expect(seen).toContain('已脱敏');
    expect(seen).toContain('已登记'); // the phone, not the number
    expect(seen).not.toContain('京A12345');
    expect(seen).not.toContain(owner);
    expect(seen).toContain(`${owner.slice(0, 4)}****${owner.slice(-4)}`);
    expect(seen).toContain('机动车违反禁令标志指示');
    expect(seen).not.toContain('184952');
    expect(await axe(operator)).toEqual([]);

    const admin = await as('ada', ['admin']);
    await go(admin, 'drivers');
    await admin.getByLabel('查找车主').fill('京A12345');
    await admin.getByRole('button', { name: '查找' }).click();
    const full = admin.locator('.ant-card', { hasText: '车辆 京A12345' });
    await full.waitFor();
    const all = await full.innerText();
    expect(all).toContain('未脱敏（管理员）');
    expect(all).toContain(owner);
    expect(all).toContain('+86 138****8000');
    expect(all).not.toContain('13800138000');
    expect(all).not.toContain('184952');
    await admin.screenshot({ path: join(SHOTS, 'drivers.png'), fullPage: true });

    // What a follower proved, by openid; a plate nobody proved has no owner to send to.
    await admin.getByText('openid', { exact: true }).click();
    await admin.getByLabel('查找车主').fill(owner);
    await admin.getByRole('button', { name: '查找' }).click();
    await admin
      .locator('.ant-card', { hasText: `微信 ${owner}` })
      .getByText('京A12345')
      .waitFor();
    await admin.getByText('车牌', { exact: true }).first().click();
    await admin.getByLabel('查找车主').fill('京A54321');
    await admin.getByRole('button', { name: '查找' }).click();
    await admin.getByText('还没有人验证：提醒不会发给任何人').waitFor();
  });
});
