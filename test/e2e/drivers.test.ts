/**
 * Driver notices end to end on the local stack (real blueprint, DynamoDB Local, the WeChat and SMS
 * sandboxes), as the README walks through it: the platform posts a registry and a violation, signed
 * (a forged or replayed request is refused); one follower binds the plate and proves it with the VIN's
 * last 6 characters over WeChat, another only binds it; the notice reaches the first alone, once, with
 * a link to the personal page that holds the photo links; 违法 answers each as the issue says. A
 * violation told at 23:00 waits until 07:00; an owner with no WeChat binding gets the SMS on the
 * registered phone while the month's SMS budget lasts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { DynamoPushRuns } from '../../functions/adapters/dynamodb/push-runs.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { signedBatch } from '../../lib/local/platform-user.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { devIntegration, driverParties } from '../fixtures/driver-e2e.ts';
import { event } from '../fixtures/drivers.ts';

process.env.STAGE = 'local';
// Owners with no verified WeChat binding get the SMS (a variable exported here overrides the blueprint's).
process.env.DRIVER_SMS_TO_REGISTERED = 'true';
const bp = defineBlueprint({ ...blueprintInput, service: `drve-${Date.now().toString(36)}` });
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'drivers-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  timeScale: 0.02,
});
const { say, post, ingest } = driverParties(stack);
const integration = devIntegration;
const doc = DynamoDBDocumentClient.from(localClient(inject('dynamodbEndpoint')));
const runs = new DynamoPushRuns(doc, localTableName(bp.service, 'operations'));
/** The functions' clock at `shanghai` (2026-11-16T10:00) in Asia/Shanghai. */
const setShanghaiTime = (shanghai: string) => {
  process.env.LOCAL_TIME_OFFSET_MS = String(Date.parse(`${shanghai}:00+08:00`) - Date.now());
};

const settle = async () => {
  for (const q of ['push-deliveries-wechat', 'push-deliveries-sms'])
    await stack.queues.get(q)!.drained(30_000);
};
const templatesTo = (openid: string) =>
  stack.wechat.outbox.filter((o) => o.kind === 'template' && o.touser === openid);

const owner = `o-owner-${randomUUID().slice(0, 8)}`;
const bystander = `o-bystander-${randomUUID().slice(0, 8)}`;
const plate = '京A12345';

beforeAll(async () => {
  setShanghaiTime('2026-11-16T10:00');
  await stack.start();
});
afterAll(async () => {
  delete process.env.LOCAL_TIME_OFFSET_MS;
  delete process.env.DRIVER_SMS_TO_REGISTERED;
  await stack.stop();
});

describe('the platform’s signed route', () => {
  it('refuses a forged signature and a replayed request, and answers a good one event by event', async () => {
    const registry = event.vehicle(`veh-${randomUUID()}`, plate, '184952', { phone: '13800138000' });
    const forged = signedBatch(integration, [registry]);
    forged.headers['x-signature'] = '0'.repeat(64);
    expect(await post(forged)).toEqual({ status: 401, body: { error: 'signature does not verify' } });
    const wrongSecret = signedBatch({ ...integration, secret: 'not-the-secret-but-32-characters-long' }, [
      registry,
    ]);
    expect((await post(wrongSecret)).status).toBe(401);

    const good = signedBatch(integration, [registry, { kind: 'violation', eventId: 'broken' }]);
    const first = await post(good);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accepted: 1, invalid: 1 });
    expect(await post(good)).toEqual({ status: 401, body: { error: 'nonce used before (replay)' } });
    // The same event in a new request: a duplicate, not a second record.
    expect((await ingest(registry)).results[0]).toMatchObject({ status: 'duplicate' });
  });
});

describe('a follower proves a plate over WeChat, and the notice reaches only them', () => {
  it('binds and verifies with the VIN’s last 6 characters; a bystander only binds', async () => {
    expect(await say(owner, '绑定 京A12345')).toContain('发送“验证 京A12345 车架号后6位”');
    expect(await say(owner, '违法')).toContain('验证 京A12345 车架号后6位');
    // Proof by an SMS code is off unless the deployment enables it (DRIVER_VERIFY_BY_SMS): said so, with the VIN way.
    expect(await say(owner, '验证 京A12345 短信')).toBe(
      '本号暂未开通短信验证，请发送“验证 京A12345 车架号后6位”（车架号见行驶证）验证。',
    );
    expect(await say(owner, '验证码 123456')).toContain('本号暂未开通短信验证');
    expect(await say(owner, '验证 京A12345 000000')).toContain('验证未通过');
    expect(await say(owner, '验证 京A12345 184952')).toContain('验证成功');
    await say(bystander, '绑定 京A12345');
    expect(await say(bystander, '1')).toContain('为保护个人信息');
  });

  it('sends the violation once, to the verified owner alone, linking to the personal page with the photo links', async () => {
    const violation = event.violation(`vio-${randomUUID()}`, plate, {
      photos: ['https://platform.example.gov.cn/photos/vio-1.jpg'],
      time: '2026-11-16T08:12:00+08:00',
      at: '2026-11-16T09:00:00+08:00',
    });
    expect((await ingest(violation)).results[0]).toMatchObject({ status: 'accepted', notices: 1 });
    await settle();
    expect(templatesTo(bystander)).toEqual([]);
    const sent = templatesTo(owner);
    expect(sent).toHaveLength(1);
    const body = sent[0]!.body as {
      template_id: string;
      url: string;
      data: Record<string, { value: string }>;
    };
    expect(body.template_id).toBe('dev-transactional-template');
    expect(JSON.stringify(body.data)).not.toContain('vio-1.jpg');
    expect(body.url).toMatch(new RegExp(`^${stack.endpoint}/d/[\\w-]+\\.[\\w-]+$`));
    // No SMS: the owner verified on WeChat.
    expect(stack.sms.outbox).toEqual([]);

    const page = await fetch(body.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toContain('no-store');
    const html = await page.text();
    expect(html).toContain('https://platform.example.gov.cn/photos/vio-1.jpg');
    expect(html).toContain('长安街西单路口');
    expect((await fetch(`${body.url.slice(0, -2)}xx`)).status).toBe(404);

    // Again from the platform: a duplicate, nothing new sent.
    expect((await ingest(violation)).results[0]).toMatchObject({ status: 'duplicate' });
    await settle();
    expect(templatesTo(owner)).toHaveLength(1);
    expect((await runs.get('driver#violation#2026-11-16'))?.counts).toMatchObject({ planned: 1, sent: 1 });

    expect(await say(owner, '违法')).toContain('京A12345：未处理违法 1 条，罚款共 200 元，记分共 3 分。');
    expect(await say(owner, '1')).toContain('交管12123');
    expect(await say(bystander, '违法')).toContain('验证 京A12345 车架号后6位');
  });

  it('holds a violation captured and told at 23:00 until 07:00', async () => {
    setShanghaiTime('2026-11-16T23:00');
    const night = event.violation(`vio-${randomUUID()}`, plate, {
      time: '2026-11-16T22:58:00+08:00',
      at: '2026-11-16T23:00:00+08:00',
    });
    expect((await ingest(night)).results[0]).toMatchObject({ status: 'accepted', notices: 1 });
    await settle();
    expect(templatesTo(owner)).toHaveLength(1);
    expect((await runs.get('driver#violation#2026-11-16'))?.counts).toMatchObject({ 'deferred-quiet': 1 });

    setShanghaiTime('2026-11-17T06:55');
    await stack.scheduler.fireNow('release-deferred-pushes');
    await settle();
    expect(templatesTo(owner)).toHaveLength(1);

    setShanghaiTime('2026-11-17T07:00');
    await stack.scheduler.fireNow('release-deferred-pushes');
    await vi.waitFor(() => expect(templatesTo(owner)).toHaveLength(2), { timeout: 15_000 });
    await stack.scheduler.fireNow('release-deferred-pushes');
    await settle();
    expect(templatesTo(owner)).toHaveLength(2);
  });
});

describe('SMS to the registered phone (DRIVER_SMS_TO_REGISTERED=true)', () => {
  it('reaches the owner with no WeChat binding by SMS, within the month’s budget', async () => {
    setShanghaiTime('2026-11-18T10:00');
    await ingest(
      event.vehicle(`veh-${randomUUID()}`, '京B10001', 'A10001', { phone: '13900139001' }),
      event.vehicle(`veh-${randomUUID()}`, '京B10002', 'A10002', { phone: '13900139002' }),
    );
    await ingest(event.violation(`vio-${randomUUID()}`, '京B10001', { at: '2026-11-18T09:00:00+08:00' }));
    await settle();
    const texts = () => stack.sms.outbox.map((m) => m.phone);
    expect(texts()).toEqual(['13900139001']);
    expect(JSON.stringify(stack.sms.outbox[0])).toContain('京B10001');

    // The budget all but spent: the next notice is not sent, and says why.
    await doc.send(
      new PutCommand({
        TableName: localTableName(bp.service, 'operations'),
        Item: { pk: 'SMSBUDGET#2026-11', sk: 'SPEND', spentFen: 100_000 - 1, sends: 1 },
      }),
    );
    await ingest(event.violation(`vio-${randomUUID()}`, '京B10002', { at: '2026-11-18T09:30:00+08:00' }));
    await settle();
    expect(texts()).toEqual(['13900139001']);
    expect((await runs.get('driver#violation#2026-11-18'))?.counts).toMatchObject({ sent: 1, budget: 1 });
  });
});
