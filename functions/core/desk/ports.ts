/**
 * What the desk needs from the world, as nouns: the cases (DynamoDB:
 * functions/adapters/dynamodb/cases.ts), the attachments' storage (S3), its configuration and the
 * holiday calendar, and the queues its answers and media fetches go through.
 */
import type {
  Case,
  CaseCategory,
  CaseMessage,
  CaseStatus,
  DeskAnswerJob,
  DeskConfig,
  DeskMediaJob,
  HistoryEntry,
} from '../../../schemas/desk.ts';
import type { CalendarIndex } from '../restrictions/calendar.ts';
import type { Clock } from '../time.ts';
import type { AuditEntry } from '../vocabulary.ts';

/** One change of a case: its audit entry, its history line and the messages it adds or updates. */
export interface CaseChange {
  audit: AuditEntry;
  history: HistoryEntry;
  messages?: readonly CaseMessage[];
}

export interface CaseStore {
  /** The next number of the day's sequence (one atomic counter per day). */
  nextSequence(day: string): Promise<number>;
  /**
   * A new case with its first messages and audit entry, in one transaction; `exists` when a case of
   * the same external ticket (12345) exists already.
   */
  create(c: Case, change: CaseChange): Promise<'created' | 'exists'>;
  get(number: string): Promise<Case | undefined>;
  thread(number: string): Promise<{ messages: CaseMessage[]; history: HistoryEntry[] }>;
  /** Writes `next` (version expectedVersion + 1) with its change, atomically; false when it moved meanwhile. */
  save(next: Case, expectedVersion: number, change: CaseChange): Promise<boolean>;
  /** A message's delivery or attachment state (not a change of the case: no version, no audit). */
  updateMessage(number: string, message: CaseMessage): Promise<void>;
  /** A unit's cases in these statuses, newest first. */
  byUnit(unit: string, statuses: readonly CaseStatus[], limit: number): Promise<Case[]>;
  /** An officer's open cases. */
  byAssignee(sub: string, limit: number): Promise<Case[]>;
  /** A unit's open cases whose next deadline is before `before`, oldest deadline first. */
  due(unit: string, before: string, limit: number): Promise<Case[]>;
  /** A citizen's cases, newest first. */
  ofCitizen(citizen: { channel: string; id: string }, limit: number): Promise<Case[]>;
  byExternal(system: string, id: string): Promise<Case | undefined>;
  /** The next message of this citizen (until `until`) is the text of a new case of `category`. */
  expectIntake(
    citizen: { channel: string; id: string },
    category: CaseCategory,
    until: string,
  ): Promise<void>;
  /** The category the citizen's next message was expected for (once), or null. */
  takeIntake(citizen: { channel: string; id: string }, now: string): Promise<CaseCategory | null>;
  /** Cases opened in [from, to) of every unit (the measures). */
  openedBetween(units: readonly string[], from: string, to: string): Promise<Case[]>;
}

/** The attachments' objects (S3 on AWS; the local stack emulates it under its data folder). */
export interface AttachmentStorage {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<{ bytes: Uint8Array; contentType: string } | undefined>;
}

export interface DeskQueues {
  answer(job: DeskAnswerJob): Promise<void>;
  media(job: DeskMediaJob): Promise<void>;
}

/**
 * A metric's unit (Count unless said) and its breakdowns: each `by` entry is a dimension of its own,
 * beside the total (so a week's cases by category, by channel and by unit, as the measures count them).
 */
export interface MetricOptions {
  unit?: 'Count' | 'Seconds' | 'None';
  by?: Record<string, string>;
}

export interface DeskDeps {
  store: CaseStore;
  config(): Promise<DeskConfig>;
  calendar(): Promise<CalendarIndex>;
  queues: DeskQueues;
  clock: Clock;
  newId(): string;
  retentionDays: number;
  /** Numbers sealed as in the SMS channel: the HMAC id and the ciphertext (hotline, 12345 callers). */
  sealPhone?: (phone: string) => Promise<{ id: string; sealed: string }>;
  /** Structured, masked log lines and metrics. */
  log(level: 'info' | 'warn', message: string, details?: Record<string, unknown>): void;
  metric(name: string, n?: number, options?: MetricOptions): void;
}
