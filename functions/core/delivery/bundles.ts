/**
 * What every channel's delivery does around its provider calls, once per bundle (a delivery message
 * of up to 50 recipients of one push):
 *  1. the run's status, read once per invocation: an aborted run sends nothing more (its remaining
 *     recipients are recorded `unsent` in the receipt); a channel halted by a configuration error
 *     settles its remaining recipients as failed without a send, while the run goes on for the others;
 *  2. quiet hours (`deferIfQuiet`): a routine bundle inside the window waits for its end, whole
 *     (the run is told it is waiting, so it is not reported stalled); emergencies and bundles already
 *     released go now;
 *  3. the bundle's receipt: recipients an earlier attempt finished are duplicates, not touched again;
 *     a recipient that does not parse (`invalid#<n>`) is settled alone as invalid-recipient;
 *  4. the channel's own delivery of the rest (./wechat.ts, ./sms.ts); a recipient it cannot finish
 *     now (a transient refusal, an exception) is left for the next attempt, and only on the last
 *     attempt settled as failed;
 *  5. what this attempt finished is recorded in the receipt and counted on the run in ONE write
 *     (`RunLog.record`: once per recipient, however many copies of the bundle run), and — once per
 *     invocation (`finish`) — the consumed capacity, duration and the weekly sent tally.
 * A bundle that throws (or left recipients for later) is redelivered by the queue; what it finished
 * is in its receipt by then.
 */
import {
  type DeliveryMessage,
  isInvalidRecipient,
  OUTCOMES,
  type Outcome,
  type Recipient,
} from '../../../schemas/pushes.ts';
import { quietUntil } from '../pushes/quiet-hours.ts';
import { shardOf } from '../subscribers/fanout.ts';
import { type Clock, civilDate } from '../time.ts';
import type { Channel } from '../vocabulary.ts';
import type {
  DeferredPushes,
  Earlier,
  PolicySource,
  PushLedger,
  PushTally,
  ReceiptEntry,
  RunCounts,
  RunLog,
  Telemetry,
  Timer,
} from './ports.ts';

/**
 * What one recipient came to, and what the bundle's receipt records for it (null: nothing).
 * `deferred-frequency`: deferred alone after WeChat's 43117, counted when that push is delivered.
 */
export interface RecipientResult {
  outcome: Outcome | 'deferred-frequency';
  receipt: string | null;
}
type Counted = RecipientResult['outcome'];

/** What a channel's delivery may ask of the bundle loop while it works through a bundle. */
export interface BundleContext {
  ledger: PushLedger;
  /** True once the run was aborted (here or, as of this invocation's start, elsewhere). */
  aborted(runKey: string): boolean;
  abortRun(runKey: string, reason: string): Promise<void>;
  /** True once this channel of the run was halted (a configuration error; other channels go on). */
  halted(runKey: string): boolean;
  /** Halts this channel of the run: its remaining recipients are settled as failed, not sent. */
  haltChannel(runKey: string, reason: string): Promise<void>;
  /** Some of the run waits until `until` (a follower deferred alone): it is not stalled before. */
  waitUntil(runKey: string, until: Date): Promise<void>;
}

/** What this attempt at one bundle may ask besides: is it the queue's last, and leaving a recipient for the next. */
export interface BundleAttempt extends BundleContext {
  /** The queue will not deliver this bundle again: what is left for later is settled as failed. */
  lastAttempt: boolean;
  /**
   * Leaves a recipient unfinished for the next attempt (a transient refusal whose reservation was
   * given back, an exception): the bundle is redelivered after this attempt records what it finished.
   */
  retryLater(r: Recipient, reason: string): void;
}

/** What a recipient of a halted channel comes to: failed, without a send. */
export const HALTED: RecipientResult = { outcome: 'failed', receipt: 'failed:halted' };

/** What a recipient that does not parse comes to, alone. */
export const INVALID: RecipientResult = { outcome: 'invalid-recipient', receipt: 'invalid-recipient' };

/**
 * The outcome a value settled on the ledger stands for (`skipped:<status>`, `failed:<code>`,
 * `unknown-outcome`, `sent:…`, `<outcome>:<code>`): what an attempt that died before recording its
 * receipt had come to.
 */
export function settledOutcome(value: string): Outcome {
  const [head = '', rest = ''] = value.split(':', 2);
  if (head === 'skipped') {
    const skippedAs = [
      'opted-out',
      'unfollowed',
      'blocked',
      'invalid-recipient',
      'not-subscribed',
      'unsendable',
    ] as const satisfies readonly Outcome[];
    if ((skippedAs as readonly string[]).includes(rest)) return rest as Outcome;
    return rest === 'number-cap' ? 'capped' : 'failed';
  }
  return (OUTCOMES as readonly string[]).includes(head) ? (head as Outcome) : 'failed';
}

/**
 * A recipient whose push the ledger already holds (reserve or skip said duplicate): the outcome an
 * earlier attempt of this bundle recorded stands; reached through another entry of the push, it is
 * `already-reached`; still in flight elsewhere, a duplicate this attempt does not record.
 */
export function earlierResult(e: Earlier): RecipientResult {
  if (e.kind === 'this-bundle') return { outcome: settledOutcome(e.value), receipt: e.value };
  if (e.kind === 'elsewhere') return { outcome: 'already-reached', receipt: 'already-reached' };
  return { outcome: 'duplicate', receipt: null };
}

/** Thrown after a bundle attempt that left recipients for later: the queue delivers the bundle again. */
export class RetryLater extends Error {
  override name = 'RetryLater';
}

/**
 * Delivers a bundle's recipients that are still to do, reporting each finished one through `finish`
 * (one not reported and not left for later was not attempted, e.g. the run stopped). What was
 * finished must have been reported before the function throws.
 */
export type DeliverRecipients = (
  d: DeliveryMessage,
  todo: Recipient[],
  ctx: BundleAttempt,
  finish: (r: Recipient, result: RecipientResult) => void,
) => Promise<void>;

export interface BundleDeps {
  channel: Channel;
  /** One per invocation, so the capacity it counts is this invocation's own. */
  ledger: PushLedger;
  runs: RunLog;
  deferred: DeferredPushes;
  policy: PolicySource;
  tally: PushTally;
  clock: Clock;
  timer: Timer;
  telemetry: Telemetry;
}

/**
 * Quiet hours: a routine bundle inside the channel's window is deferred to the window's end, whole
 * (not dropped); every recipient is counted `deferred-quiet` (`duplicate` if this bundle was already
 * deferred). Returns the outcomes, or null when the bundle goes now.
 */
export async function deferIfQuiet(
  d: DeliveryMessage,
  deps: Pick<BundleDeps, 'channel' | 'deferred' | 'policy' | 'clock' | 'runs'>,
): Promise<Outcome[] | null> {
  if (d.deferred) return null;
  const { policy } = await deps.policy.get();
  const until = quietUntil(policy, deps.channel, d.category, deps.clock.now());
  if (!until) return null;
  const first = await deps.deferred.defer(d, until, shardOf({ channel: deps.channel, id: d.bundle }));
  await deps.runs.waitUntil(d.runKey, until.toISOString());
  return d.recipients.map(() => (first ? 'deferred-quiet' : 'duplicate'));
}

/** SMS fallbacks are extra deliveries of people already counted on WeChat: counted apart. */
const countKey = (d: DeliveryMessage, o: Counted) =>
  d.fallback && o !== 'deferred-frequency' ? (`sms-fallback:${o}` as const) : o;

/** The bundle loop of one invocation: `deliver` each bundle in turn, then `finish` once. */
export function bundleDelivery(deps: BundleDeps, deliverRecipients: DeliverRecipients) {
  const { channel, ledger, runs, clock, telemetry } = deps;
  const started = deps.timer.elapsed();
  const runKeys = new Set<string>();
  const aborted = new Set<string>();
  const halted = new Set<string>();
  const known = new Map<string, Awaited<ReturnType<RunLog['get']>>>();
  const sentByCategory = new Map<string, number>();
  const at = () => clock.now().toISOString();

  const ctx: BundleContext = {
    ledger,
    aborted: (runKey) => aborted.has(runKey),
    abortRun: async (runKey, reason) => {
      if (aborted.has(runKey)) return;
      aborted.add(runKey);
      await runs.abort(runKey, reason, at());
    },
    halted: (runKey) => halted.has(runKey),
    waitUntil: (runKey, until) => runs.waitUntil(runKey, until.toISOString()),
    haltChannel: async (runKey, reason) => {
      if (halted.has(runKey)) return;
      halted.add(runKey);
      telemetry.log('error', 'channel halted for this run', { runKey, channel, reason });
      telemetry.metric('ChannelHalts');
      // Never throws: it runs right after a provider answered, and that answer must stand.
      await runs.haltChannel(runKey, channel, reason, at()).catch((error: unknown) => {
        telemetry.log('warn', 'channel halt not recorded on the run; this invocation still sends no more', {
          runKey,
          error: error instanceof Error ? error.message : String(error),
        });
      });
    },
  };

  /** Counts what the receipt does not hold (duplicates, deferrals); they settle nobody. */
  async function count(d: DeliveryMessage, outcomes: readonly Counted[]) {
    if (outcomes.length === 0) return;
    const c: RunCounts = {};
    for (const o of outcomes) {
      const k = countKey(d, o);
      c[k] = (c[k] ?? 0) + 1;
    }
    await runs.add(d.runKey, c, {}, at());
    runKeys.add(d.runKey);
  }

  /** The receipt and the counts in one write; the sent tally from what was counted, once. */
  async function record(d: DeliveryMessage, entries: readonly ReceiptEntry[]) {
    if (entries.length === 0) return;
    const counted = await runs.record(d.runKey, d.bundle, entries, at());
    runKeys.add(d.runKey);
    const sent = d.fallback ? 0 : (counted.sent ?? 0);
    if (sent) sentByCategory.set(d.category, (sentByCategory.get(d.category) ?? 0) + sent);
  }

  async function deliverBundle(d: DeliveryMessage, lastAttempt: boolean): Promise<void> {
    if (d.channel !== channel) throw new Error(`a ${d.channel} bundle on the ${channel} queue`);
    // The run's status once per invocation (an abort elsewhere is seen by the next one).
    if (!known.has(d.runKey)) known.set(d.runKey, await runs.get(d.runKey));
    const run = known.get(d.runKey);
    if (!run || run.status === 'aborted') aborted.add(d.runKey);
    if (run?.halts[channel]) halted.add(d.runKey);
    const uncounted: Counted[] = [];
    const entries: ReceiptEntry[] = [];
    const finished = new Set<string>();
    const later = new Map<string, string>();
    const finish = (r: Recipient, result: RecipientResult) => {
      finished.add(r.id);
      if (result.receipt)
        entries.push({ id: r.id, receipt: result.receipt, count: countKey(d, result.outcome) });
      else uncounted.push(result.outcome);
    };
    try {
      const deferred = aborted.has(d.runKey) ? null : await deferIfQuiet(d, deps);
      if (deferred) {
        uncounted.push(...deferred);
        return;
      }
      const done = await ledger.receipt(d.bundle);
      for (const r of d.recipients) if (done.has(r.id)) uncounted.push('duplicate');
      const todo = d.recipients.filter((r) => !done.has(r.id));
      // The run stopped: nothing more is sent; each is recorded unsent (its report counts them so).
      if (aborted.has(d.runKey)) {
        for (const r of todo) entries.push({ id: r.id, receipt: 'unsent:run stopped', count: null });
        return;
      }
      for (const r of todo.filter(isInvalidRecipient)) finish(r, INVALID);
      const valid = todo.filter((r) => !isInvalidRecipient(r));
      if (valid.length === 0) return;
      const attempt: BundleAttempt = {
        ...ctx,
        lastAttempt,
        retryLater: (r, reason) => void later.set(r.id, reason),
      };
      // A halted channel sends nothing more in this run; every recipient still ends in one outcome.
      if (halted.has(d.runKey)) for (const r of valid) finish(r, HALTED);
      else await deliverRecipients(d, valid, attempt, finish);
      // The run stopped while this bundle was under way: the rest are unsent.
      if (aborted.has(d.runKey))
        for (const r of valid)
          if (!finished.has(r.id) && !later.has(r.id))
            entries.push({ id: r.id, receipt: 'unsent:run stopped', count: null });
    } finally {
      // Whatever happened, what finished is recorded, so a redelivery does not touch it again.
      if (lastAttempt) {
        for (const [id, reason] of later)
          finish({ id, plates: [] }, { outcome: 'failed', receipt: `failed:retries exhausted:${reason}` });
        later.clear();
      }
      await record(d, entries);
      await count(d, uncounted);
    }
    if (later.size > 0)
      throw new RetryLater(
        `${later.size} recipient(s) left for the next attempt: ${[...new Set(later.values())].join(', ')}`,
      );
  }

  return {
    ctx,
    /** Delivers one bundle; throws when it must be redelivered (`lastAttempt`: the queue's last delivery). */
    deliver(d: DeliveryMessage, attempt: { lastAttempt: boolean } = { lastAttempt: false }): Promise<void> {
      return deliverBundle(d, attempt.lastAttempt);
    },
    /** Once per invocation: capacity and duration to the first run of the batch, the weekly tally. */
    async finish(): Promise<void> {
      const [first] = runKeys;
      if (first)
        await runs.add(
          first,
          {},
          {
            read: ledger.consumed.read,
            write: ledger.consumed.write,
            invocations: 1,
            durationMs: deps.timer.elapsed() - started,
          },
          at(),
        );
      const today = civilDate(clock.now());
      for (const [category, n] of sentByCategory) await deps.tally.addSent(category, today, n);
    },
  };
}
