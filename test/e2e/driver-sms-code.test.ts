/**
 * Proof of ownership by an SMS code end to end on the local stack (real blueprint, DynamoDB Local,
 * the WeChat and SMS sandboxes) with DRIVER_VERIFY_BY_SMS=true, over HTTP as the README walks
 * through it: the platform registers a vehicle with a phone; a follower binds the plate and asks
 * for a code over the WeChat webhook, which hands its SMS to the driver-codes queue; once
 * send-driver-code has sent it, the code is read from the SMS sandbox's outbox (GET
 * /_local/sms/outbox); a wrong code is refused, the right one verifies; the violation notice then
 * reaches that follower, once. With the month's SMS budget spent, the job withdraws the code and the
 * follower is told in a customer-service message. The functions log at INFO, and no line names the
 * plate, the phone or the code. (With the setting off, the default, test/e2e/drivers.test.ts sees
 * it refused.)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { driverParties } from '../fixtures/driver-e2e.ts';
import { event } from '../fixtures/drivers.ts';

process.env.STAGE = 'local';
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
process.env.DRIVER_VERIFY_BY_SMS = 'true';
process.env.LOCAL_TIME_OFFSET_MS = String(Date.parse('2026-11-18T10:00:00+08:00') - Date.now());
const bp = defineBlueprint({ ...blueprintInput, service: `dsms-${Date.now().toString(36)}` });
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'driver-sms-code-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  timeScale: 0.02,
});
const { say, ingest } = driverParties(stack);
const doc = DynamoDBDocumentClient.from(localClient(inject('dynamodbEndpoint')));
const owner = `o-smscode-${randomUUID().slice(0, 8)}`;
const plate = '京A13579';
const phone = '13800138000';

const lines: string[] = [];
/** Waits (bounded) until `check` passes: the driver-codes job runs after the webhook answered. */
const eventually = <T>(check: () => Promise<T> | T) => vi.waitFor(check, { timeout: 20_000, interval: 50 });

/** What the SMS sandbox received, over HTTP as an operator reads it. */
async function smsOutbox(): Promise<Array<{ phone: string; templateId: string; params: string[] }>> {
  const res = await fetch(`${stack.endpoint}/_local/sms/outbox`);
  expect(res.status).toBe(200);
  return (await res.json()) as Array<{ phone: string; templateId: string; params: string[] }>;
}

beforeAll(async () => {
  await stack.start();
  for (const stream of [process.stdout, process.stderr])
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    });
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const)
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
});
afterAll(async () => {
  vi.restoreAllMocks();
  delete process.env.POWERTOOLS_LOG_LEVEL;
  delete process.env.DRIVER_VERIFY_BY_SMS;
  delete process.env.LOCAL_TIME_OFFSET_MS;
  await stack.stop();
});

describe('a follower proves a plate by a code sent to the registered phone', () => {
  it('asks over WeChat, reads the code by SMS, sends it back, and then receives the violation notice', async () => {
    await ingest(event.vehicle(`veh-${randomUUID()}`, plate, 'K13579', { phone }));
    await say(owner, `绑定 ${plate}`);
    // No code before one was asked for.
    expect(await say(owner, '验证码 123456')).toContain('没有待使用的验证码');

    const asked = await say(owner, `验证 ${plate} 短信`);
    expect(asked).toContain(`验证码正在发送至车辆 ${plate} 登记的尾号8000的手机，10分钟内有效`);
    expect(asked).not.toContain('138');
    const texts = await eventually(async () => {
      const outbox = await smsOutbox();
      expect(outbox).toHaveLength(1);
      return outbox;
    });
    expect(texts[0]).toMatchObject({ phone, templateId: '2210014' });
    const [code, subject, minutes] = texts[0]!.params;
    expect(code).toMatch(/^\d{6}$/);
    expect([subject, minutes]).toEqual([`车辆${plate}`, '10']);
    // Again within the minute: refused, nothing sent.
    expect(await say(owner, `验证 ${plate} 短信`)).toBe('验证码发送过于频繁，请1分钟后再试。');

    const wrong = code === '000000' ? '000001' : '000000';
    expect(await say(owner, `验证码 ${wrong}`)).toContain('验证码不正确（今天还可尝试 4 次）');
    expect(await say(owner, `验证码 ${code}`)).toContain(`验证成功：车辆 ${plate}`);
    // Single use.
    expect(await say(owner, `验证码 ${code}`)).toContain('没有待使用的验证码');
    expect(await smsOutbox()).toHaveLength(1);

    const violation = event.violation(`vio-${randomUUID()}`, plate, { at: '2026-11-18T09:00:00+08:00' });
    expect((await ingest(violation)).results[0]).toMatchObject({ status: 'accepted', notices: 1 });
    for (const q of ['push-deliveries-wechat', 'push-deliveries-sms'])
      await stack.queues.get(q)!.drained(30_000);
    const notices = stack.wechat.outbox.filter((o) => o.kind === 'template' && o.touser === owner);
    expect(notices).toHaveLength(1);
    expect(await say(owner, '违法')).toContain(`${plate}：未处理违法 1 条`);

    const logs = lines.join('\n');
    expect(logs).toMatch(/SMS sent/);
    for (const secret of [plate, plate.slice(1), phone]) expect(logs).not.toContain(secret);
    // The code, as a number of its own (not inside a longer one, a timestamp or an id).
    expect(logs).not.toMatch(new RegExp(`(?<![0-9])${code}(?![0-9])`));
  });

  it('says the SMS way is not available for a plate with no phone on record, as for one with no record', async () => {
    const noPhone = '京A24680';
    await ingest(event.vehicle(`veh-${randomUUID()}`, noPhone, 'K24680'));
    const a = `o-smscode-${randomUUID().slice(0, 8)}`;
    const b = `o-smscode-${randomUUID().slice(0, 8)}`;
    await say(a, `绑定 ${noPhone}`);
    await say(b, '绑定 京A97531');
    const withRecord = await say(a, `验证 ${noPhone} 短信`);
    const withoutRecord = await say(b, '验证 京A97531 短信');
    expect(withRecord).toBe(
      `该车辆暂不能通过短信验证，请发送“验证 ${noPhone} 车架号后6位”（车架号见行驶证）验证。`,
    );
    expect(withoutRecord.replace('京A97531', noPhone)).toBe(withRecord);
    expect(await smsOutbox()).toHaveLength(1);
  });

  it('withdraws the code when the month’s SMS budget is spent, and tells the follower in WeChat', async () => {
    const spent = '京A11223';
    await ingest(event.vehicle(`veh-${randomUUID()}`, spent, 'K11223', { phone: '13900139223' }));
    const follower = `o-smscode-${randomUUID().slice(0, 8)}`;
    await say(follower, `绑定 ${spent}`);
    // The budget all but spent (a code's SMS costs 4 fen).
    await doc.send(
      new PutCommand({
        TableName: localTableName(bp.service, 'operations'),
        Item: { pk: 'SMSBUDGET#2026-11', sk: 'SPEND', spentFen: 100_000 - 1, sends: 1 },
      }),
    );
    // The webhook cannot know: it says the code is on its way, and what to do if it does not arrive.
    expect(await say(follower, `验证 ${spent} 短信`)).toContain(
      `如未收到，可1分钟后重新发送“验证 ${spent} 短信”，或发送“验证 ${spent} 车架号后6位”`,
    );
    const told = await eventually(() => {
      const messages = stack.wechat.outbox.filter((o) => o.kind === 'custom' && o.touser === follower);
      expect(messages).toHaveLength(1);
      return messages[0]!;
    });
    expect(told.body).toMatchObject({
      msgtype: 'text',
      text: {
        content: `验证码未能发送：本月短信验证额度已用完，刚才的验证码已作废。请发送“验证 ${spent} 车架号后6位”（车架号见行驶证）验证。`,
      },
    });
    expect(await smsOutbox()).toHaveLength(1);
    // Withdrawn: any code finds none (a pending one would have been counted wrong).
    expect(await say(follower, '验证码 123456')).toContain('没有待使用的验证码');
    await stack.queues.get('wechat-replies')!.drained(10_000);
    expect(stack.wechat.outbox.filter((o) => o.kind === 'custom' && o.touser === follower)).toHaveLength(1);
    const logs = lines.join('\n');
    for (const secret of [spent, spent.slice(1), '13900139223']) expect(logs).not.toContain(secret);
  });
});
