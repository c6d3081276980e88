import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QueueJournal } from '../../../lib/local/queue-journal.ts';
import { LocalQueue, LocalTopic } from '../../../lib/local/queues.ts';
import { QueueSchema } from '../../../schemas/blueprint.ts';

const queues: LocalQueue[] = [];
const makeQueue = (overrides: Record<string, unknown> = {}) => {
  const def = QueueSchema.parse({
    description: 'test',
    function: 'f',
    batchSize: 10,
    visibilityTimeoutSeconds: 1,
    maxReceives: 3,
    ...overrides,
  });
  // 1 s visibility scaled to 20 ms keeps retries fast while preserving order of events.
  const q = new LocalQueue('q', def, { timeScale: 0.02, pollIntervalMs: 5 });
  queues.push(q);
  return q;
};

afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop()));
});

describe('LocalQueue (SQS semantics)', () => {
  it('delivers every message and deletes it after a successful batch', async () => {
    const q = makeQueue();
    const seen: string[] = [];
    q.start(async (e) => {
      for (const r of e.Records) seen.push(r.body);
    });
    for (let i = 0; i < 25; i++) q.send(`m${i}`);
    await q.drained();
    expect(seen.sort()).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`).sort());
    expect(q.stats()).toMatchObject({ visible: 0, inFlight: 0, deadLetters: 0 });
  });

  it('retries a record whose batch threw: at least once, receive count grows', async () => {
    const q = makeQueue();
    const receives: number[] = [];
    q.start(async (e) => {
      const r = e.Records[0]!;
      receives.push(Number(r.attributes.ApproximateReceiveCount));
      if (receives.length < 2) throw new Error('transient');
    });
    q.send('once');
    await q.drained();
    expect(receives).toEqual([1, 2]);
    expect(q.deadLetters).toHaveLength(0);
  });

  it('moves a record to the DLQ after maxReceives and keeps the last error', async () => {
    const q = makeQueue({ maxReceives: 3 });
    let calls = 0;
    q.start(async () => {
      calls++;
      throw new Error('always fails');
    });
    q.send('poison', { channel: 'wechat' });
    await q.drained();
    expect(calls).toBe(3);
    expect(q.deadLetters).toHaveLength(1);
    expect(q.deadLetters[0]).toMatchObject({ body: 'poison', receiveCount: 3, lastError: 'always fails' });
    expect(q.stats().deadLetters).toBe(1);
  });

  it('honours batchItemFailures: only the reported records come back', async () => {
    const q = makeQueue({ batchSize: 10 });
    const deliveries = new Map<string, number>();
    q.start(async (e: SQSEvent) => {
      const failures = [];
      for (const r of e.Records) {
        const n = (deliveries.get(r.body) ?? 0) + 1;
        deliveries.set(r.body, n);
        if (r.body.startsWith('bad') && n === 1) failures.push({ itemIdentifier: r.messageId });
      }
      return { batchItemFailures: failures };
    });
    for (const b of ['ok1', 'bad1', 'ok2', 'bad2']) q.send(b);
    await q.drained();
    expect(Object.fromEntries(deliveries)).toEqual({ ok1: 1, ok2: 1, bad1: 2, bad2: 2 });
  });

  it('redrives dead letters back to the source queue', async () => {
    const q = makeQueue({ maxReceives: 1 });
    let healthy = false;
    const done: string[] = [];
    q.start(async (e) => {
      if (!healthy) throw new Error('down');
      for (const r of e.Records) done.push(r.body);
    });
    q.send('a');
    q.send('b');
    await q.drained();
    expect(q.deadLetters).toHaveLength(2);
    healthy = true;
    expect(q.redrive()).toBe(2);
    await q.drained();
    expect(done.sort()).toEqual(['a', 'b']);
    expect(q.deadLetters).toHaveLength(0);
  });

  it('runs at most maxConcurrency batches at once', async () => {
    const q = makeQueue({ batchSize: 1, maxConcurrency: 3 });
    let running = 0;
    let peak = 0;
    q.start(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
    });
    for (let i = 0; i < 20; i++) q.send(String(i));
    await q.drained();
    expect(peak).toBe(3);
  });

  it('hides an in-flight message until its visibility timeout ends', async () => {
    const q = makeQueue({ visibilityTimeoutSeconds: 10 }); // 200 ms scaled
    let release: () => void = () => {};
    q.start(() => new Promise<void>((r) => (release = r)));
    q.send('slow');
    await new Promise((r) => setTimeout(r, 30));
    expect(q.stats()).toMatchObject({ visible: 0, inFlight: 1 });
    release();
    await q.drained();
  });
});

describe('LocalTopic', () => {
  it('fans out to subscribed queues whose filter policy matches, with attributes', async () => {
    const wechat = makeQueue();
    const sms = makeQueue();
    const all = makeQueue();
    const topic = new LocalTopic('deliveries');
    topic.subscribe(wechat, { channel: ['wechat'] });
    topic.subscribe(sms, { channel: ['sms'] });
    topic.subscribe(all);
    const got: Record<string, string[]> = { wechat: [], sms: [], all: [] };
    wechat.start(async (e) => {
      got.wechat!.push(...e.Records.map((r) => `${r.body}:${r.messageAttributes.channel?.stringValue}`));
    });
    sms.start(async (e) => {
      got.sms!.push(...e.Records.map((r) => r.body));
    });
    all.start(async (e) => {
      got.all!.push(...e.Records.map((r) => r.body));
    });
    topic.publish('w', { channel: 'wechat' });
    topic.publish('s', { channel: 'sms' });
    await Promise.all([wechat.drained(), sms.drained(), all.drained()]);
    expect(got).toEqual({ wechat: ['w:wechat'], sms: ['s'], all: ['w', 's'] });
  });
});

describe('LocalQueue with a journal (durable, as SQS is)', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'journal-'));
  const durable = (folder: string, overrides: Record<string, unknown> = {}) => {
    const q = makeQueue(overrides);
    q.attach(new QueueJournal(folder, 'q'));
    return q;
  };

  it('keeps what was sent and received when the process dies with a message in flight', async () => {
    const folder = dir();
    const shape = { visibilityTimeoutSeconds: 25, batchSize: 1, maxConcurrency: 5 }; // 500 ms scaled
    const before = durable(folder, { ...shape, maxReceives: 1 });
    let die: () => void = () => {};
    const dying = new Promise<void>((r) => (die = r));
    before.start(async (e) => {
      if (e.Records[0]!.body === 'in-flight') await dying; // the process "dies" while this message is in flight
    });
    before.send('in-flight', { channel: 'wechat' });
    before.send('done-before');
    await vi.waitFor(() => expect(before.stats()).toMatchObject({ visible: 0, inFlight: 1 }));
    // "kill -9": a new process opens the same folder without the old one ever stopping.
    const after = durable(folder, { ...shape, maxReceives: 3 });
    expect(after.stats()).toMatchObject({ visible: 0, inFlight: 1, deadLetters: 0 });
    const received: Array<{ body: string; count: string; channel: string | undefined }> = [];
    after.start(async (e) => {
      for (const r of e.Records)
        received.push({
          body: r.body,
          count: r.attributes.ApproximateReceiveCount,
          channel: r.messageAttributes.channel?.stringValue,
        });
    });
    await after.drained(5000);
    // The in-flight message came back once its visibility timeout ended, with its receive count kept.
    expect(received.find((r) => r.body === 'in-flight')).toEqual({
      body: 'in-flight',
      count: '2',
      channel: 'wechat',
    });
    expect(received.filter((r) => r.body === 'done-before')).toHaveLength(0); // deleted before the crash
    die();
  });

  it('does not deliver again what was deleted, and keeps dead letters (with their error) for a redrive', async () => {
    const folder = dir();
    const first = durable(folder, { maxReceives: 1 });
    first.start(async (e) => {
      if (e.Records[0]!.body === 'bad') throw new Error('down');
    });
    first.send('good');
    first.send('bad');
    await first.drained();
    await first.stop();
    const second = durable(folder, { maxReceives: 1 });
    expect(second.stats()).toMatchObject({ visible: 0, inFlight: 0, deadLetters: 1 });
    expect(second.deadLetters[0]).toMatchObject({ body: 'bad', receiveCount: 1, lastError: 'down' });
    expect(second.redrive()).toBe(1);
    const third = durable(folder, { maxReceives: 1 });
    expect(third.stats()).toMatchObject({ visible: 1, deadLetters: 0 });
    const seen: string[] = [];
    third.start(async (e) => {
      seen.push(...e.Records.map((r) => r.body));
    });
    await third.drained();
    expect(seen).toEqual(['bad']);
  });

  it('drops what outlived the retention period, ignores a line torn by a crash, and compacts', async () => {
    const folder = dir();
    const q = durable(folder, { retentionDays: 1 });
    q.send('fresh');
    const journal = join(folder, 'q.jsonl');
    const old = {
      op: 'send',
      m: {
        messageId: 'old',
        body: 'stale',
        attributes: {},
        receiveCount: 0,
        sentAt: Date.now() - 2 * 86_400_000,
        visibleAt: 0,
      },
    };
    appendFileSync(journal, `${JSON.stringify(old)}\n{"op":"send","m":{"messageId":"torn","bo`);
    const reopened = durable(folder, { retentionDays: 1 });
    expect(reopened.stats()).toMatchObject({ visible: 1 });
    expect(readFileSync(journal, 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
