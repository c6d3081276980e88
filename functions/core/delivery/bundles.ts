/**
 * What every channel's delivery does around its provider calls, once per bundle (a delivery message
 * of up to 50 recipients of one push):
 *  1. the run's status, read once per invocation: an aborted run sends nothing more; a channel halted
 *     by a configuration error settles its remaining recipients as failed without a send, while the
 *     run goes on for the other channels;
 *  2. quiet hours (`deferIfQuiet`): a routine bundle inside the window waits for its end, whole;
 *     emergencies and bundles already released go now;
 *  3. the bundle's receipt: recipients an earlier attempt finished are duplicates, not touched again;
 *  4. the channel's own delivery of the rest (./wechat.ts, ./sms.ts);
 *  5. what this attempt finished is recorded in the receipt in one write, the outcomes are counted on
 *     the run right after it, and — once per invocation (`finish`) — the consumed capacity, duration
 *     and the weekly sent tally.
 * A bundle that throws is redelivered by the queue; what it finished is in its receipt by then.
 */
import type { DeliveryMessage, Outcome, Recipient } from '../../../schemas/pushes.ts';
import { quietUntil } from '../pushes/quiet-hours.ts';
import { shardOf } from '../subscribers/fanout.ts';
import { type Clock, civilDate } from '../time.ts';
import type { Channel } from '../vocabulary.ts';
import type {
  DeferredPushes,
  PolicySource,
  PushLedger,
  PushTally,
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
}

/** What a recipient of a halted channel comes to: failed, without a send. */
export const HALTED: RecipientResult = { outcome: 'failed', receipt: 'failed:halted' };

/**
 * Delivers a bundle's recipients that are still to do, reporting each finished one through `finish`
 * (one not reported was not attempted, e.g. the run stopped). Throwing before a recipient's
 * reservation retries the bundle; what was finished must have been reported first.
 */
export type DeliverRecipients = (
  d: DeliveryMessage,
  todo: Recipient[],
  ctx: BundleContext,
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
  deps: Pick<BundleDeps, 'channel' | 'deferred' | 'policy' | 'clock'>,
): Promise<Outcome[] | null> {
  if (d.deferred) return null;
  const { policy } = await deps.policy.get();
  const until = quietUntil(policy, deps.channel, d.category, deps.clock.now());
  if (!until) return null;
  const first = await deps.deferred.defer(d, until, shardOf({ channel: deps.channel, id: d.bundle }));
  return d.recipients.map(() => (first ? 'deferred-quiet' : 'duplicate'));
}

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

  /** Right after the bundle's receipt, so a timeout later in the invocation loses no counts. */
  async function count(d: DeliveryMessage, outcomes: readonly Counted[]) {
    if (outcomes.length === 0) return;
    const c: RunCounts = {};
    // SMS fallbacks are extra deliveries of people already counted on WeChat: counted apart.
    for (const o of outcomes) {
      const k = d.fallback && o !== 'deferred-frequency' ? (`sms-fallback:${o}` as const) : o;
      c[k] = (c[k] ?? 0) + 1;
    }
    await runs.add(d.runKey, c, {}, at());
    runKeys.add(d.runKey);
    const sent = d.fallback ? 0 : outcomes.filter((o) => o === 'sent').length;
    if (sent) sentByCategory.set(d.category, (sentByCategory.get(d.category) ?? 0) + sent);
  }

  async function deliverBundle(d: DeliveryMessage, outcomes: Counted[]): Promise<void> {
    if (d.channel !== channel) throw new Error(`a ${d.channel} bundle on the ${channel} queue`);
    // The run's status once per invocation (an abort elsewhere is seen by the next one).
    if (!known.has(d.runKey)) known.set(d.runKey, await runs.get(d.runKey));
    const run = known.get(d.runKey);
    if (!run || run.status === 'aborted') aborted.add(d.runKey);
    if (run?.halts[channel]) halted.add(d.runKey);
    // The run stopped: nothing more is sent; its report counts these as unsent.
    if (aborted.has(d.runKey)) return;
    const deferred = await deferIfQuiet(d, deps);
    if (deferred) {
      outcomes.push(...deferred);
      return;
    }
    const done = await ledger.receipt(d.bundle);
    for (const r of d.recipients) if (done.has(r.id)) outcomes.push('duplicate');
    const todo = d.recipients.filter((r) => !done.has(r.id));
    if (todo.length === 0) return;
    const receipt = new Map<string, string>();
    const finish = (r: Recipient, result: RecipientResult) => {
      outcomes.push(result.outcome);
      if (result.receipt) receipt.set(r.id, result.receipt);
    };
    try {
      // A halted channel sends nothing more in this run; every recipient still ends in one outcome.
      if (halted.has(d.runKey)) for (const r of todo) finish(r, HALTED);
      else await deliverRecipients(d, todo, ctx, finish);
    } finally {
      // Whatever happened, what finished is recorded, so a redelivery does not touch it again.
      await ledger.recordReceipt(d.bundle, receipt, clock.now().getTime());
    }
  }

  return {
    ctx,
    /** Delivers one bundle; throws when it must be redelivered. */
    async deliver(d: DeliveryMessage): Promise<void> {
      const outcomes: Counted[] = [];
      try {
        await deliverBundle(d, outcomes);
      } finally {
        await count(d, outcomes);
      }
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
