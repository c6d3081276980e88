/**
 * Wiring: resuming push runs (functions/core/pushes/resume.ts) for the operators' route and the
 * sweep — the run log with the bundles' receipts, the segments, deliveries and mass-sends topics, the
 * audit trail.
 */
import { randomUUID } from 'node:crypto';
import { RunRecoverySettingsSchema } from '../../../schemas/settings.ts';
import { appendAudit } from '../../adapters/dynamodb/audited-write.ts';
import { DynamoPushRuns } from '../../adapters/dynamodb/push-runs.ts';
import { type ResumeDeps, resumeRun } from '../../core/pushes/resume.ts';
import { type RunActivity, withStall } from '../../core/pushes/runs.ts';
import type { Actor } from '../../core/vocabulary.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { topics } from '../clients/sns.ts';
import { clock, localTimeScale } from '../clock.ts';
import { settings as readSettings, tableName, topicArn } from '../config.ts';
import { telemetry } from '../telemetry.ts';
import { pushRuns } from './pushes.ts';

export function runRecoveryDeps(settings: ResumeDeps['settings']): ResumeDeps {
  const operations = tableName('operations');
  const segmentsTopic = topicArn('push-segments');
  const deliveries = topics.deliveryQueue(topicArn('push-deliveries'));
  const massSendsTopic = topicArn('wechat-mass-sends');
  return {
    runs: new DynamoPushRuns(documentClient, operations, { receipts: tableName('ledger') }),
    publishSegments: async (segments) => {
      await topics.publishAll(
        segmentsTopic,
        segments.map((body) => ({ body })),
      );
    },
    publishBundles: (bundles) => deliveries.publish(bundles),
    publishMassSends: async (jobs) => {
      await topics.publishAll(
        massSendsTopic,
        jobs.map((body) => ({ body })),
      );
    },
    audit: { append: (entry) => appendAudit(documentClient, operations, entry) },
    clock,
    newId: randomUUID,
    telemetry,
    // Locally, LOCAL_TIME_SCALE shrinks it with the queues' timeouts.
    settings: { ...settings, stallAfterMs: settings.stallAfterMs * localTimeScale() },
  };
}

/** The runs as operators read them (stalled ones say since when), and their resume (manage-pushes). */
export function operatorRuns() {
  const deps = runRecoveryDeps(readSettings(RunRecoverySettingsSchema));
  const report = <R extends RunActivity>(run: R) => withStall(run, clock.now(), deps.settings.stallAfterMs);
  return {
    list: async (query: Parameters<typeof pushRuns.list>[0]) => {
      const page = await pushRuns.list(query);
      return { ...page, runs: page.runs.map(report) };
    },
    get: async (runKey: string) => {
      const run = await pushRuns.get(runKey);
      return run && report(run);
    },
    resume: (runKey: string, actor: Actor) => resumeRun(runKey, actor, deps),
  };
}
