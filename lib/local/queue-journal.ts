/**
 * What makes the local queues durable, as SQS is: one append-only journal per queue in the data
 * folder (`queues/<queue>.jsonl`), one line per change — a message sent, received (its receive
 * count and the instant it becomes visible again), failed (the error kept for the dead-letter
 * queue), deleted, dead-lettered, redriven. Each line is written before the change is acted on (a
 * publish is answered only once its message is on disk), so a process killed at any instant
 * (`kill -9`) loses nothing: on the next start the journal is replayed, and a message that was in
 * flight becomes visible again when its visibility timeout ends, with its receive count kept —
 * exactly what SQS does for a consumer that died. Messages older than the queue's retention are
 * dropped on replay, as SQS deletes them (dead letters are kept 14 days, the DLQs' retention on
 * AWS). The journal is compacted to the live messages on open and whenever it has grown well past
 * them. Durable against the process dying, not against the machine losing power (no fsync).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QueueMessage } from './queues.ts';

export const DEAD_LETTER_RETENTION_DAYS = 14;

type Entry =
  | { op: 'send'; m: QueueMessage }
  | { op: 'receive'; id: string; receiveCount: number; visibleAt: number; firstReceivedAt: number }
  | { op: 'fail'; id: string; lastError: string }
  | { op: 'delete'; id: string }
  | { op: 'dead-letter'; id: string }
  | { op: 'redrive'; at: number };

export interface JournalState {
  messages: QueueMessage[];
  deadLetters: QueueMessage[];
}

export class QueueJournal {
  readonly file: string;
  private appended = 0;
  private live = 0;

  constructor(dir: string, queue: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${queue}.jsonl`);
  }

  /** Replays the journal (dropping what outlived its retention) and compacts it to what is left. */
  open(retentionDays: number, now = Date.now()): JournalState {
    const state = this.replay();
    const keep = (m: QueueMessage, days: number) => m.sentAt >= now - days * 86_400_000;
    const result = {
      messages: state.messages.filter((m) => keep(m, retentionDays)),
      deadLetters: state.deadLetters.filter((m) => keep(m, DEAD_LETTER_RETENTION_DAYS)),
    };
    this.compact(result);
    return result;
  }

  private replay(): JournalState {
    const messages = new Map<string, QueueMessage>();
    const dead = new Map<string, QueueMessage>();
    if (!existsSync(this.file)) return { messages: [], deadLetters: [] };
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line) continue;
      let e: Entry;
      try {
        e = JSON.parse(line) as Entry;
      } catch {
        continue; // the last line of a process killed while writing it
      }
      if (e.op === 'send') messages.set(e.m.messageId, e.m);
      else if (e.op === 'receive') {
        const m = messages.get(e.id);
        if (m) Object.assign(m, { receiveCount: e.receiveCount, visibleAt: e.visibleAt });
        if (m) m.firstReceivedAt ??= e.firstReceivedAt;
      } else if (e.op === 'fail') {
        const m = messages.get(e.id);
        if (m) m.lastError = e.lastError;
      } else if (e.op === 'delete') messages.delete(e.id);
      else if (e.op === 'dead-letter') {
        const m = messages.get(e.id);
        messages.delete(e.id);
        if (m) dead.set(e.id, m);
      } else if (e.op === 'redrive') {
        for (const m of dead.values())
          messages.set(m.messageId, { ...m, receiveCount: 0, visibleAt: 0, sentAt: e.at });
        dead.clear();
      }
    }
    return { messages: [...messages.values()], deadLetters: [...dead.values()] };
  }

  /** Rewrites the journal as the given state (written aside, then renamed over it). */
  compact(state: JournalState): void {
    const lines = [
      ...state.deadLetters.flatMap((m) => [
        { op: 'send', m },
        { op: 'dead-letter', id: m.messageId },
      ]),
      ...state.messages.map((m) => ({ op: 'send', m })),
    ];
    const temp = `${this.file}.compacting`;
    writeFileSync(temp, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    renameSync(temp, this.file);
    this.appended = 0;
    this.live = state.messages.length + state.deadLetters.length;
  }

  /** Writes one change; true when the journal has grown enough to be worth compacting. */
  append(entry: Entry): boolean {
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    this.appended++;
    if (entry.op === 'send') this.live++;
    if (entry.op === 'delete') this.live--;
    return this.appended > 1000 && this.appended > 4 * this.live;
  }
}
