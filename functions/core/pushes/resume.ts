/**
 * Runs always finish. A run whose progress stalls — running, some of its audience without an
 * outcome, nothing done for a while (./runs.ts `stalledSince`): a worker died with the queue's copy
 * of a bundle, bundles were lost between their page's expansion and their publication, a segment was
 * dead-lettered — is reported (the run report says `stalled`; the sweep counts StalledPushRuns,
 * alarmed) and resumed: what it has not finished is emitted again, and nothing else.
 *
 * Primary course of resumeRun (an operator, or the sweep):
 *  1. the run; one that is not running has nothing to resume (409);
 *  2. what it has not finished, from its own records (functions/adapters/dynamodb/push-runs.ts
 *     `unfinished`): segments not expanded to their end, of every expanded page's bundles the
 *     recipients their receipt does not record (a follower deferred after 43117: until the deferred
 *     bundle records them), and the planned mass sends with no result recorded;
 *  3. the resume is recorded on the run (so a sweep at the same time leaves it alone) and, for an
 *     operator, in the audit trail;
 *  4. the segments, the bundles (each with only its unfinished recipients, under its own id, so
 *     its receipt is the same) and the mass-send jobs are published (a mass send already made is not
 *     made again: its claim and clientmsgid say so); with nothing left to publish, the run is ended (its
 *     last writer died between settling the last recipient and ending it). Delivery keeps it at-most-once: a recipient reserved on
 *     the ledger is never sent again — a reservation older than the send timeout whose outcome nobody
 *     recorded is settled `unknown-outcome`.
 *
 * Primary course of sweepStalledRuns (every five minutes): the running runs of the last days; each
 * stalled one is counted and logged, and resumed unless it was resumed PUSH_MAX_AUTO_RESUMES times
 * already without finishing (then it is left to an operator, logged as an error).
 */
import type { DeliveryMessage, SegmentMessage } from '../../../schemas/pushes.ts';
import type { MassSendJob } from '../../../schemas/wechat.ts';
import type { Telemetry } from '../delivery/ports.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Clock } from '../time.ts';
import type { Actor, AuditEntry } from '../vocabulary.ts';
import { type RunActivity, stalledSince } from './runs.ts';

export interface ResumableRun extends RunActivity {
  key: string;
  resumes: number;
}

/** What a resume reads and records of a run (functions/adapters/dynamodb/push-runs.ts). */
export interface RunRecovery {
  get(runKey: string): Promise<ResumableRun | undefined>;
  unfinished(
    runKey: string,
  ): Promise<{ segments: SegmentMessage[]; bundles: DeliveryMessage[]; massSends: MassSendJob[] }>;
  markResumed(runKey: string, at: string): Promise<void>;
  /** Ends the run if everything it planned is settled. */
  finish(runKey: string, at: string): Promise<void>;
  /** Runs still running that started at or after `since`. */
  running(since: string): Promise<ResumableRun[]>;
}

export interface ResumeDeps {
  runs: RunRecovery;
  publishSegments(segments: SegmentMessage[]): Promise<void>;
  publishBundles(bundles: DeliveryMessage[]): Promise<void>;
  publishMassSends(jobs: MassSendJob[]): Promise<void>;
  audit: { append(entry: AuditEntry): Promise<void> };
  clock: Clock;
  newId: () => string;
  telemetry: Telemetry;
  settings: {
    /** No activity for this long while something is unfinished: stalled. */
    stallAfterMs: number;
    /** The sweep resumes a run at most this often; then it is an operator's. */
    maxAutoResumes: number;
  };
}

export interface ResumeReport {
  key: string;
  /** Since when it had stalled (null: it had not — an operator may resume a running run anyway). */
  stalledSince: string | null;
  resumed: { segments: number; bundles: number; recipients: number; massSends: number };
}

/** How far back the sweep looks: longer than a run can take (SQS keeps a message a day). */
export const SWEEP_DAYS = 2;

/** Emits again what a running run has not finished. `actor` null: the sweep. */
export async function resumeRun(
  runKey: string,
  actor: Actor | null,
  deps: ResumeDeps,
): Promise<ResumeReport> {
  const run = await deps.runs.get(runKey);
  if (!run) throw new NotFoundError(`No push run '${runKey}'.`);
  if (run.status !== 'running')
    throw new ConflictError(`The run is ${run.status}: there is nothing to resume.`, { status: run.status });
  const now = deps.clock.now();
  const since = stalledSince(run, now, deps.settings.stallAfterMs);
  const { segments, bundles, massSends } = await deps.runs.unfinished(runKey);
  const resumed = {
    segments: segments.length,
    bundles: bundles.length,
    recipients: bundles.reduce((n, b) => n + b.recipients.length, 0),
    massSends: massSends.length,
  };
  await deps.runs.markResumed(runKey, now.toISOString());
  // Nothing left to emit: every recipient is settled, and only the run's end was not written.
  if (segments.length === 0 && bundles.length === 0 && massSends.length === 0)
    await deps.runs.finish(runKey, now.toISOString());
  if (actor)
    await deps.audit.append({
      id: deps.newId(),
      actor: actor.sub,
      at: now.toISOString(),
      action: 'push.resume',
      entity: `run:${runKey}`,
      before: { stalledSince: since, resumes: run.resumes },
      after: resumed,
    });
  if (segments.length) await deps.publishSegments(segments);
  if (bundles.length) await deps.publishBundles(bundles);
  if (massSends.length) await deps.publishMassSends(massSends);
  deps.telemetry.log('info', 'push run resumed', {
    runKey,
    by: actor ? 'operator' : 'sweep',
    stalledSince: since,
    ...resumed,
  });
  deps.telemetry.metric('PushRunsResumed');
  return { key: runKey, stalledSince: since, resumed };
}

/** Finds the stalled runs of the last days, reports them, and resumes them (within the limit). */
export async function sweepStalledRuns(deps: ResumeDeps) {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - SWEEP_DAYS * 86_400_000).toISOString();
  const report = { running: 0, stalled: 0, resumed: [] as ResumeReport[], leftToOperators: [] as string[] };
  for (const run of await deps.runs.running(since)) {
    report.running++;
    const stalled = stalledSince(run, now, deps.settings.stallAfterMs);
    if (!stalled) continue;
    report.stalled++;
    deps.telemetry.metric('StalledPushRuns');
    deps.telemetry.log('warn', 'push run stalled', {
      runKey: run.key,
      stalledSince: stalled,
      resumes: run.resumes,
    });
    if (run.resumes >= deps.settings.maxAutoResumes) {
      deps.telemetry.log('error', 'stalled push run not resumed again automatically: an operator must look', {
        runKey: run.key,
        resumes: run.resumes,
      });
      report.leftToOperators.push(run.key);
      continue;
    }
    report.resumed.push(await resumeRun(run.key, null, deps));
  }
  return report;
}
