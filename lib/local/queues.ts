/**
 * In-process SNS → SQS → Lambda with the semantics the real services give, so code that is correct
 * here is correct there: at-least-once delivery, batches, a visibility timeout after which an
 * unacknowledged message comes back, `batchItemFailures` partial failures, a dead-letter queue after
 * `maxReceives`, a maximum concurrency of parallel batches, redrive from the DLQ, retention — and,
 * with a journal (./queue-journal.ts; the local stack keeps one per queue in the data folder),
 * durability: messages, receive counts, visibility and dead letters survive the process.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { FilterPolicy, QueueDef } from '../../schemas/blueprint.ts';
import { matchesPattern } from './patterns.ts';
import type { QueueJournal } from './queue-journal.ts';

export interface QueueMessage {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  receiveCount: number;
  sentAt: number;
  firstReceivedAt?: number;
  /** Epoch ms before which the message is invisible (in flight). */
  visibleAt: number;
  /** Last error seen when a receive did not end in deletion (for DLQ inspection). */
  lastError?: string;
}

/** A Lambda consumer: whatever it returns, only `batchItemFailures` matters, as with the real event source. */
export type QueueConsumer = (event: SQSEvent) => Promise<unknown>;

export interface QueueOptions {
  /** Multiplies visibility timeouts (tests use < 1 to keep retries fast). Default 1. */
  timeScale?: number;
  /** How often idle pollers look for visible messages, ms. Default 50. */
  pollIntervalMs?: number;
  onError?: (queue: string, error: unknown) => void;
}

export class LocalQueue {
  readonly name: string;
  readonly def: QueueDef;
  private readonly messages: QueueMessage[] = [];
  readonly deadLetters: QueueMessage[] = [];
  private journal: QueueJournal | undefined;
  /**
   * Faults an operator or the chaos suite switches on: the share of batches whose worker dies after
   * doing its work (the batch fails as a whole and comes back after its visibility timeout), and the
   * share of messages lost before any worker sees them (deleted unread: what a publish that never
   * happened leaves behind).
   */
  faults = { failAfterWorkRate: 0, dropRate: 0 };
  private consumer: QueueConsumer | undefined;
  private running = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly idle: Array<() => void> = [];
  private readonly timeScale: number;
  private readonly pollIntervalMs: number;
  private readonly onError: (queue: string, error: unknown) => void;

  constructor(name: string, def: QueueDef, options: QueueOptions = {}) {
    this.name = name;
    this.def = def;
    this.timeScale = options.timeScale ?? 1;
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.onError = options.onError ?? (() => {});
  }

  /**
   * Keeps the queue in `journal` from now on, after taking back what it held (before `start`; the
   * owner of the data folder's lock only): what outlived the retention is dropped.
   */
  attach(journal: QueueJournal): void {
    const kept = journal.open(this.def.retentionDays);
    this.messages.unshift(...kept.messages);
    this.deadLetters.unshift(...kept.deadLetters);
    this.journal = journal;
    if (this.messages.length > kept.messages.length)
      journal.compact({ messages: this.messages, deadLetters: this.deadLetters });
  }

  /** Journals a change before it is acted on; compacts the journal once it has grown well past the queue. */
  private record(entry: Parameters<QueueJournal['append']>[0]): void {
    if (this.journal?.append(entry))
      this.journal.compact({ messages: this.messages, deadLetters: this.deadLetters });
  }

  send(body: string, attributes: Record<string, string> = {}): string {
    const messageId = randomUUID();
    const m: QueueMessage = {
      messageId,
      body,
      attributes,
      receiveCount: 0,
      sentAt: Date.now(),
      visibleAt: 0,
    };
    this.record({ op: 'send', m });
    this.messages.push(m);
    this.pump();
    return messageId;
  }

  /** Visible + in-flight messages, and the DLQ depth. */
  stats() {
    const now = Date.now();
    const inFlight = this.messages.filter((m) => m.visibleAt > now).length;
    return {
      queue: this.name,
      visible: this.messages.length - inFlight,
      inFlight,
      deadLetters: this.deadLetters.length,
    };
  }

  /** Moves every dead letter back to the source queue with a fresh receive count. */
  redrive(): number {
    const at = Date.now();
    this.record({ op: 'redrive', at });
    const moved = this.deadLetters.splice(0);
    for (const m of moved) {
      this.messages.push({ ...m, receiveCount: 0, visibleAt: 0, sentAt: at });
    }
    this.pump();
    return moved.length;
  }

  /** Wraps the consumer (chaos tests: a worker that fails after doing its work, …); returns the undo. */
  intercept(wrap: (consumer: QueueConsumer) => QueueConsumer): () => void {
    const original = this.consumer;
    if (!original) throw new Error(`queue ${this.name} has no consumer yet`);
    this.consumer = wrap(original);
    return () => {
      this.consumer = original;
    };
  }

  start(consumer: QueueConsumer): void {
    this.consumer = consumer;
    this.stopped = false;
    this.timer = setInterval(() => this.pump(), this.pollIntervalMs);
    this.timer.unref();
    this.pump();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.running > 0) await new Promise<void>((r) => this.idle.push(r));
  }

  /** Resolves when no message is visible or in flight (everything deleted or dead-lettered). */
  async drained(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length > 0 || this.running > 0) {
      if (Date.now() > deadline) throw new Error(`queue ${this.name} not drained within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private pump(): void {
    if (!this.consumer || this.stopped) return;
    while (this.running < this.def.maxConcurrency) {
      const batch = this.receive();
      if (batch.length === 0) return;
      this.running++;
      void this.deliver(batch).finally(() => {
        this.running--;
        if (this.running === 0) for (const r of this.idle.splice(0)) r();
        this.pump();
      });
    }
  }

  /** ReceiveMessage: up to batchSize visible messages; over-received ones go to the DLQ first, as SQS's redrive does. */
  private receive(): QueueMessage[] {
    const now = Date.now();
    const batch: QueueMessage[] = [];
    const expired = now - this.def.retentionDays * 86_400_000;
    for (let i = 0; i < this.messages.length && batch.length < this.def.batchSize; ) {
      const m = this.messages[i]!;
      if (m.sentAt < expired) {
        this.delete(m.messageId); // past the retention period, as SQS deletes it
        continue;
      }
      if (m.visibleAt > now) {
        i++;
        continue;
      }
      if (m.receiveCount >= this.def.maxReceives) {
        this.record({ op: 'dead-letter', id: m.messageId });
        this.messages.splice(i, 1);
        this.deadLetters.push(m);
        continue;
      }
      if (Math.random() < this.faults.dropRate) {
        this.delete(m.messageId); // chaos: lost
        continue;
      }
      const visibleAt = now + this.def.visibilityTimeoutSeconds * 1000 * this.timeScale;
      const firstReceivedAt = m.firstReceivedAt ?? now;
      this.record({
        op: 'receive',
        id: m.messageId,
        receiveCount: m.receiveCount + 1,
        visibleAt,
        firstReceivedAt,
      });
      m.receiveCount++;
      m.firstReceivedAt = firstReceivedAt;
      m.visibleAt = visibleAt;
      batch.push(m);
      i++;
    }
    return batch;
  }

  private async deliver(batch: QueueMessage[]): Promise<void> {
    const event: SQSEvent = { Records: batch.map((m) => this.toRecord(m)) };
    let failed: Set<string>;
    try {
      const result = (await this.consumer!(event)) as
        | (Partial<SQSBatchResponse> & { errors?: Record<string, string> })
        | undefined;
      if (Math.random() < this.faults.failAfterWorkRate)
        throw new Error('chaos: the worker died after doing its work');
      failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      // The local chain says why each record failed (functions/shared/queue.ts), so a dead letter keeps it.
      for (const m of batch)
        if (failed.has(m.messageId))
          this.fail(m, result?.errors?.[m.messageId] ?? 'reported in batchItemFailures');
    } catch (error) {
      // A thrown error fails the whole batch: every message comes back after its visibility timeout.
      this.onError(this.name, error);
      failed = new Set(batch.map((m) => m.messageId));
      for (const m of batch) this.fail(m, error instanceof Error ? error.message : String(error));
    }
    for (const m of batch) {
      if (!failed.has(m.messageId)) this.delete(m.messageId);
    }
  }

  private fail(m: QueueMessage, lastError: string): void {
    this.record({ op: 'fail', id: m.messageId, lastError });
    m.lastError = lastError;
  }

  private delete(messageId: string): void {
    const i = this.messages.findIndex((m) => m.messageId === messageId);
    if (i < 0) return;
    this.record({ op: 'delete', id: messageId });
    this.messages.splice(i, 1);
  }

  private toRecord(m: QueueMessage): SQSRecord {
    return {
      messageId: m.messageId,
      receiptHandle: `${m.messageId}#${m.receiveCount}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? Date.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(m.attributes).map(([k, v]) => [k, { stringValue: v, dataType: 'String' }]),
      ),
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:local:000000000000:${this.name}`,
      awsRegion: 'local',
    };
  }
}

/** An SNS topic: fans a message out to each subscribed queue whose filter policy matches its attributes. */
export class LocalTopic {
  readonly name: string;
  private readonly subscriptions: Array<{ queue: LocalQueue; filterPolicy?: FilterPolicy }> = [];

  constructor(name: string) {
    this.name = name;
  }

  subscribe(queue: LocalQueue, filterPolicy?: FilterPolicy): void {
    this.subscriptions.push({ queue, ...(filterPolicy ? { filterPolicy } : {}) });
  }

  /** Publishes; returns the names of the queues that received the message (raw delivery). */
  publish(body: string, attributes: Record<string, string> = {}): string[] {
    const delivered: string[] = [];
    for (const s of this.subscriptions) {
      if (s.filterPolicy && !matchesPattern(attributes, s.filterPolicy)) continue;
      s.queue.send(body, attributes);
      delivered.push(s.queue.name);
    }
    return delivered;
  }
}
