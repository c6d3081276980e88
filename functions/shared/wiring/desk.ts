/**
 * Wiring: the service desk's dependencies, composed once per container — the cases (desk table,
 * audit entries in operations), its configuration (managed content `desk`), the holiday calendar of
 * the restriction data, the queues its answers and media fetches go through, and, where the
 * function holds the SMS secret, the phone vault that seals citizens' numbers.
 */
import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DeskSettingsSchema } from '../../../schemas/settings.ts';
import { DynamoCaseStore } from '../../adapters/dynamodb/cases.ts';
import type { DeskDeps } from '../../core/desk/ports.ts';
import { bookOf } from '../../core/restrictions/engine.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { clock } from '../clock.ts';
import { settings, tableName } from '../config.ts';
import { logger, metrics } from '../powertools.ts';
import { content } from './content.ts';
import { restrictionData } from './restriction-data.ts';

/**
 * The desk as a function sees it. `sealPhone` (./desk-phones.ts): the function takes citizens'
 * numbers by hand or from the 12345 platform (manage-desk, receive-12345) and holds the SMS secret for
 * its pepper and data key; `queues` (./desk-queues.ts): it publishes desk jobs. Functions without
 * them bundle neither the secrets client nor the SNS client.
 */
export function deskDeps(
  options: { sealPhone?: DeskDeps['sealPhone']; queues?: DeskDeps['queues'] } = {},
): DeskDeps & { store: DynamoCaseStore } {
  const { retentionDays } = settings(DeskSettingsSchema);
  return {
    store: new DynamoCaseStore(documentClient, {
      desk: tableName('desk'),
      operations: tableName('operations'),
    }),
    config: () => content('desk'),
    calendar: async () => bookOf(await restrictionData.load()).calendar,
    // Only the functions whose blueprint entry publishes desk jobs pass queues (./desk-queues.ts),
    // so the others bundle no SNS client.
    queues: options.queues ?? {
      answer: async () => {
        throw new Error('this function publishes no desk answers (its blueprint entry grants no topic)');
      },
      media: async () => {
        throw new Error('this function publishes no desk media jobs (its blueprint entry grants no topic)');
      },
    },
    clock,
    newId: randomUUID,
    retentionDays,
    ...(options.sealPhone ? { sealPhone: options.sealPhone } : {}),
    log: (level, message, details) => logger[level](message, details ?? {}),
    metric: (name, n = 1, options = {}) => {
      const unit = { Count: MetricUnit.Count, Seconds: MetricUnit.Seconds, None: MetricUnit.NoUnit }[
        options.unit ?? 'Count'
      ];
      metrics.addMetric(name, unit, n); // the total (dimension service), what alarms and the dashboard read
      if (!options.by) return;
      // The breakdowns: one record, flushed now, with one dimension set per breakdown (service + it).
      const single = metrics.singleMetric();
      for (const [k, v] of Object.entries(options.by)) single.addDimensions({ [k]: v });
      single.addMetric(name, unit, n);
    },
  };
}
