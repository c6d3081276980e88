/**
 * What driver notices need from the world, as nouns: the records the platform's events keep (the
 * registry, violations, points, due dates), the followers who proved they own a vehicle or licence,
 * and their verification attempts. functions/adapters/dynamodb/drivers.ts implements them.
 */
import type { DriverCodeJob, DueKind } from '../../../schemas/drivers.ts';
import type { Channel } from '../vocabulary.ts';
import type { Subject } from './subjects.ts';

/** How a record write ended: applied, this event again (duplicate), or older than what is stored. */
export type WriteOutcome = 'applied' | 'duplicate' | 'stale';

interface Versioned {
  /** The platform's time of the change (ISO): the newer event of a record wins. */
  asOf: string;
  eventId: string;
}

export interface VehicleRecord extends Versioned {
  type: 'vehicle';
  subject: Subject;
  plate: string;
  plateType: string;
  vin: { salt: string; hash: string };
  /** The registered phone: its keyed id (the SMS identity), sealed number and masked form. */
  phone: { id: string; sealed: string; masked: string } | null;
}
export interface LicenceRecord extends Versioned {
  type: 'licence';
  subject: Subject;
  masked: string;
  file: { salt: string; hash: string };
  phone: { id: string; sealed: string; masked: string } | null;
}
export interface ViolationRecord extends Versioned {
  type: 'violation';
  subject: Subject;
  violationId: string;
  plate: string;
  plateType: string;
  time: string;
  place: string;
  act: string;
  fineYuan: number;
  points: number;
  photos: string[];
  state: 'unprocessed' | 'processed' | 'paid';
}
export interface PointsRecord extends Versioned {
  type: 'points';
  subject: Subject;
  masked: string;
  points: number;
  cycleEnd: string | null;
}
export interface DueRecord extends Versioned {
  type: 'due';
  kind: DueKind;
  subject: Subject;
  /** The plate, or the masked licence. */
  display: string;
  dueDate: string;
}
export type DriverRecord = VehicleRecord | LicenceRecord | ViolationRecord | PointsRecord | DueRecord;

/** A follower who proved they own a vehicle or licence. */
export interface Owner {
  channel: Channel;
  id: string;
  /** The WeChat account they follow (`sms` for SMS subscribers). */
  account: string;
  verifiedAt: string;
  method: 'vin' | 'file-number' | 'sms-code';
}

/** Who a subject's notices go to: its verified owners, and the registered phone's id. */
export interface Holders {
  owners: Owner[];
  phoneId: string | null;
}

/** What a follower verified, as their queries and views read it. */
export interface Verified {
  subject: Subject;
  /** The plate, or the masked licence. */
  display: string;
  verifiedAt: string;
}

export interface DriverRecords {
  /** The stored versions of records (violations, points), by `recordId`, to tell new from known. */
  current(records: readonly DriverRecord[]): Promise<Map<string, DriverRecord>>;
  /** Writes a record unless the stored one is this event (duplicate) or newer (stale). */
  apply(record: DriverRecord, expiresAt: number): Promise<WriteOutcome>;
  holders(subjects: readonly Subject[]): Promise<Map<string, Holders>>;
  vehicle(subject: Subject): Promise<VehicleRecord[]>;
  licence(subject: Subject): Promise<LicenceRecord | undefined>;
  violations(subject: Subject): Promise<ViolationRecord[]>;
  violation(subject: Subject, violationId: string): Promise<ViolationRecord | undefined>;
  points(subject: Subject): Promise<PointsRecord | undefined>;
  due(subject: Subject): Promise<DueRecord[]>;
}

/** The id a record is stored under within its subject: one registry, one violation, one due kind. */
export function recordId(r: DriverRecord): string {
  switch (r.type) {
    case 'vehicle':
      return `${r.subject.key}#reg#${r.plateType}`;
    case 'licence':
      return `${r.subject.key}#reg`;
    case 'violation':
      return `${r.subject.key}#violation#${r.violationId}`;
    case 'points':
      return `${r.subject.key}#points`;
    case 'due':
      return `${r.subject.key}#due#${r.kind}`;
  }
}

export interface Ownerships {
  verify(owner: Owner, subject: Subject, display: string, expiresAt: number): Promise<void>;
  unverify(ref: { channel: Channel; id: string }, subject: Subject): Promise<void>;
  verified(ref: { channel: Channel; id: string }): Promise<Verified[]>;
  /**
   * Counts a wrong proof against the follower (for this subject) and the subject (from anyone) on
   * `day`; returns the counts after it.
   */
  recordFailure(
    ref: { channel: Channel; id: string },
    subject: Subject,
    day: string,
  ): Promise<{ follower: number; subject: number }>;
  failures(
    ref: { channel: Channel; id: string },
    subject: Subject,
    day: string,
  ): Promise<{ follower: number; subject: number }>;
}

/** Weekly verification counts and the number of verified ownerships (the measures). */
export interface VerificationTally {
  count(
    week: string,
    outcome: 'attempts' | 'verified' | 'wrong' | 'locked',
    ownersDelta?: number,
  ): Promise<void>;
}

/** A code sent by SMS to a subject's registered phone, waiting for the follower who asked for it. */
export interface PendingCode {
  subject: Subject;
  /** The plate, or the masked licence. */
  display: string;
  /** Keyed hash of the code, bound to the follower and the subject (./sms-code.ts codeHash). */
  hash: string;
  /** When it stops being accepted (ms). */
  expiresAtMs: number;
}

/**
 * The codes sent by SMS: one pending code per follower (a new one replaces it), stored only as its
 * keyed hash, and the sends counted against the follower (at most one a `intervalMs`, `perDay` a day)
 * and the subject (`perDay` a day, whoever asks).
 */
export interface SmsCodes {
  /** Counts one send now, unless the follower sent one within the interval or a day's limit is reached. */
  take(
    ref: { channel: Channel; id: string },
    subject: Subject,
    day: string,
    nowMs: number,
    limits: { intervalMs: number; perDay: number },
  ): Promise<'ok' | 'too-soon' | 'daily-limit'>;
  put(ref: { channel: Channel; id: string }, code: PendingCode): Promise<void>;
  pending(ref: { channel: Channel; id: string }): Promise<PendingCode | undefined>;
  /** Removes the pending code if it is still the one with this hash: true for the one caller that did. */
  consume(ref: { channel: Channel; id: string }, hash: string): Promise<boolean>;
  /**
   * Marks the pending code with this hash as handed to the SMS path: true for the one caller that
   * did. A job delivered again (even after midnight, when the ledger's day has changed) sends nothing.
   */
  claimSend(ref: { channel: Channel; id: string }, hash: string): Promise<boolean>;
}

/**
 * Sends a code to a registered phone (its SMS identity and sealed number) through the SMS delivery
 * path: the number's status, the per-number daily cap, the person's cap on the push ledger and the
 * month's budget. `uncertain`: the gateway did not answer (it may have been sent); `duplicate`: the
 * ledger already holds this push key (an earlier delivery of the same job handled it).
 */
export interface CodeSms {
  send(
    to: { phoneId: string },
    message: { pushKey: string; values: Record<string, string> },
  ): Promise<'sent' | 'uncertain' | 'duplicate' | 'budget' | 'capped' | 'refused' | 'failed'>;
}

/**
 * Where the webhook hands a code's SMS (the `driver-codes` queue, sent by send-driver-code): the
 * webhook keeps no SMS gateway and answers within WeChat's 5 s.
 */
export interface CodeJobs {
  send(job: DriverCodeJob): Promise<void>;
}
