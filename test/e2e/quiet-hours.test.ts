/**
 * Quiet hours on the local stack (its clock shifted with LOCAL_TIME_OFFSET_MS): a routine notice
 * delivered at 23:00 Shanghai waits and arrives at 07:00; an emergency at 23:00 arrives at 23:00.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { DynamoPushRuns } from '../../functions/adapters/dynamodb/push-runs.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import type { DeliveryMessage } from '../../schemas/pushes.ts';
import { seed, seededSubscribers } from '../fixtures/seed.ts';

process.env.STAGE = 'local';
const bp = defineBlueprint({ ...blueprintInput, service: `quiet-${Date.now().toString(36)}` });
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'quiet-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  timeScale: 0.02,
});
const doc = DynamoDBDocumentClient.from(localClient(inject('dynamodbEndpoint')));
/** Shifts the local stack's clock so that "now" is `shanghai` (e.g. 2026-11-16T23:00) in Asia/Shanghai. */
const setShanghaiTime = (shanghai: string) => {
  process.env.LOCAL_TIME_OFFSET_MS = String(Date.parse(`${shanghai}:00+08:00`) - Date.now());
};

beforeAll(async () => {
  await stack.start();
  await seed(
    doc,
    localTableName(bp.service, 'subscribers'),
    seededSubscribers({ count: 2, city: 'beijing', tails: [5], prefix: 'o-quiet' }),
  );
});
afterAll(async () => {
  delete process.env.LOCAL_TIME_OFFSET_MS;
  await stack.stop();
});

describe('the cap under concurrency, through delivery', () => {
  it('20 different notices to one subscriber at once: exactly the cap (1 routine a day) is delivered', async () => {
    const runs = new DynamoPushRuns(doc, localTableName(bp.service, 'operations'));
    const at = new Date().toISOString();
    setShanghaiTime('2026-11-18T10:00');
    for (let i = 0; i < 20; i++) {
      const key = `notice#c${i}`;
      await runs.createOrGet({
        key,
        kind: 'notice',
        category: 'notice',
        city: 'beijing',
        date: '2026-11-18',
        slot: null,
        status: 'running',
        reason: null,
        segmentsTotal: 0,
        startedAt: at,
        lastActivityAt: at,
      });
      const message: DeliveryMessage = {
        bundle: `${key}#b0`,
        runKey: key,
        pushKey: key,
        category: 'notice',
        channel: 'wechat',
        account: 'dev',
        city: 'beijing',
        date: '2026-11-18',
        recipients: [{ id: 'o-quiet-000001', plates: ['京A00005'] }],
        values: { keyword1: `通知 ${i}` },
      };
      stack.publish('push-deliveries', JSON.stringify(message), { channel: 'wechat' });
    }
    await stack.queues.get('push-deliveries-wechat')!.drained();
    const delivered = stack.wechat.outbox.filter((o) => JSON.stringify(o.body).includes('通知 '));
    expect(delivered).toHaveLength(1);
    let capped = 0;
    for (let i = 0; i < 20; i++) capped += (await runs.get(`notice#c${i}`))?.counts.capped ?? 0;
    expect(capped).toBe(19);
  });
});

describe('quiet hours (21:30–07:00 Asia/Shanghai)', () => {
  it('holds a routine notice published at 23:00 until 07:00, and sends an emergency at once', async () => {
    const runs = new DynamoPushRuns(doc, localTableName(bp.service, 'operations'));
    const at = new Date().toISOString();
    for (const key of ['notice#n1', 'notice#e1']) {
      await runs.createOrGet({
        key,
        kind: 'notice',
        category: 'notice',
        city: 'beijing',
        date: '2026-11-16',
        slot: null,
        status: 'running',
        reason: null,
        segmentsTotal: 0,
        startedAt: at,
        lastActivityAt: at,
      });
    }
    const delivery = (runKey: string, category: 'notice' | 'emergency'): DeliveryMessage => ({
      bundle: `${runKey}#b0`,
      runKey,
      pushKey: runKey,
      category,
      channel: 'wechat',
      account: 'dev',
      city: 'beijing',
      date: '2026-11-16',
      recipients: [{ id: 'o-quiet-000000', plates: ['京A00005'] }],
      values: { keyword1: category === 'emergency' ? '暴雨红色预警 道路临时管制' : '长安街夜间施工' },
    });
    setShanghaiTime('2026-11-16T23:00');
    stack.publish('push-deliveries', JSON.stringify(delivery('notice#n1', 'notice')), { channel: 'wechat' });
    stack.publish('push-deliveries', JSON.stringify(delivery('notice#e1', 'emergency')), {
      channel: 'wechat',
    });
    await stack.queues.get('push-deliveries-wechat')!.drained();
    const sent = () =>
      stack.wechat.outbox.filter((o) => o.touser === 'o-quiet-000000').map((o) => o.body.template_id);
    expect(sent()).toHaveLength(1); // the emergency, at 23:00
    expect((await runs.get('notice#n1'))?.counts).toMatchObject({ 'deferred-quiet': 1 });

    // 06:55: still quiet, nothing released.
    setShanghaiTime('2026-11-17T06:55');
    await stack.scheduler.fireNow('release-deferred-pushes');
    await stack.queues.get('push-deliveries-wechat')!.drained();
    expect(sent()).toHaveLength(1);

    // 07:00: the window has ended; the notice goes out once.
    setShanghaiTime('2026-11-17T07:00');
    await stack.scheduler.fireNow('release-deferred-pushes');

    await vi.waitFor(() => expect(sent()).toHaveLength(2), { timeout: 10_000 });
    await stack.scheduler.fireNow('release-deferred-pushes'); // released items are gone: no second send
    await stack.queues.get('push-deliveries-wechat')!.drained();
    expect(sent()).toHaveLength(2);
    expect(await runs.get('notice#n1')).toMatchObject({
      counts: { 'deferred-quiet': 1, sent: 1 },
      done: true,
    });
  });
});
