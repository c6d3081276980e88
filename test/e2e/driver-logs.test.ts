/**
 * No plate, phone, licence number, VIN or file number in the logs: the driver-notice flow on the
 * local stack with the functions logging at INFO (the deployed level) — the platform's registry,
 * violation, licence and points, a follower's binding, wrong and right proofs and queries, the
 * notices delivered and the personal page opened — and every line the functions wrote is searched.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { driverParties } from '../fixtures/driver-e2e.ts';
import { event } from '../fixtures/drivers.ts';

process.env.STAGE = 'local';
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
process.env.DRIVER_SMS_TO_REGISTERED = 'true';
process.env.LOCAL_TIME_OFFSET_MS = String(Date.parse('2026-11-18T10:00:00+08:00') - Date.now());
const bp = defineBlueprint({ ...blueprintInput, service: `dlog-${Date.now().toString(36)}` });
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'driver-logs-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  timeScale: 0.02,
});
const parties = driverParties(stack);
const { ingest } = parties;
const say = (text: string) => parties.say(openid, text);
const openid = 'o-log-owner-000000001';
const SECRETS = {
  plate: '京A67890',
  plateDigits: 'A67890',
  otherPlate: '京B67891',
  vin: 'K61849',
  phone: '13812345678',
  otherPhone: '13912345679',
  licence: '110101198808081234',
  file: '110000987654',
};

const lines: string[] = [];
const capture = (chunk: unknown) => {
  lines.push(String(chunk));
  return true;
};

beforeAll(async () => {
  await stack.start();
  for (const stream of [process.stdout, process.stderr])
    vi.spyOn(stream, 'write').mockImplementation(capture);
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const)
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
});
afterAll(async () => {
  vi.restoreAllMocks();
  delete process.env.POWERTOOLS_LOG_LEVEL;
  delete process.env.DRIVER_SMS_TO_REGISTERED;
  delete process.env.LOCAL_TIME_OFFSET_MS;
  await stack.stop();
});

describe('the logs of driver notices', () => {
  it('name no plate, phone, licence, VIN or file number', async () => {
    await ingest(
      event.vehicle('log-veh', SECRETS.plate, SECRETS.vin, { phone: SECRETS.phone }),
      event.vehicle('log-veh-2', SECRETS.otherPlate, 'L61849', { phone: SECRETS.otherPhone }),
      event.licence('log-lic', SECRETS.licence, SECRETS.file, { phone: SECRETS.phone }),
      { ...event.vehicle('log-bad', SECRETS.plate, SECRETS.vin), phone: '12345678901' },
    );
    await say(`绑定 ${SECRETS.plate}`);
    await say(`验证 ${SECRETS.plate} 000000`);
    await say(`验证 ${SECRETS.plate} ${SECRETS.vin}`);
    await say(`验证驾驶证 ${SECRETS.licence} ${SECRETS.file}`);
    await ingest(
      event.violation('log-vio', SECRETS.plate, { at: '2026-11-18T09:00:00+08:00' }),
      event.violation('log-vio-2', SECRETS.otherPlate, { at: '2026-11-18T09:00:00+08:00' }),
      event.points('log-pts', SECRETS.licence, 10, '2026-11-18T09:00:00+08:00'),
    );
    for (const q of ['push-deliveries-wechat', 'push-deliveries-sms']) await stack.queues.get(q)!.drained();
    const sent = stack.wechat.outbox.filter((o) => o.touser === openid && o.kind === 'template');
    expect(sent).toHaveLength(2);
    expect(stack.sms.outbox.map((m) => m.phone)).toEqual([SECRETS.otherPhone]);
    expect((await fetch(String(sent[0]!.body.url))).status).toBe(200);
    await say('违法');
    await say('记分');
    await say('年检');

    const logs = lines.join('\n');
    // The functions did log (the search below means something).
    expect(logs).toMatch(/driver events ingested/);
    for (const [what, secret] of Object.entries(SECRETS))
      expect(logs, `${what} in the logs`).not.toContain(secret);
  });
});
