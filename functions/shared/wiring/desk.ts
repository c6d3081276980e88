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
import { type SmsSecret, smsSecretSource } from '../../adapters/sms/settings.ts';
import { PhoneVault } from '../../adapters/sms/vault.ts';
import type { DeskDeps } from '../../core/desk/ports.ts';
import { bookOf } from '../../core/restrictions/engine.ts';
import { normalisePhone, phoneId } from '../../core/sms/numbers.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { topics } from '../clients/sns.ts';
import { clock } from '../clock.ts';
import { env, settings, tableName, topicArn } from '../config.ts';
import { logger, metrics } from '../powertools.ts';
import { content } from './content.ts';
import { restrictionData } from './restriction-data.ts';

let readSmsSecret: (() => Promise<SmsSecret>) | undefined;

/**
 * The desk as a function sees it. `sealsPhones`: the function takes citizens' numbers by hand or from
 * the 12345 platform (manage-desk, receive-12345) and holds the SMS secret for its pepper and data key
 * (blueprint `secrets`); it sends no SMS, so it has no SMS settings.
 */
export function deskDeps(options: { sealsPhones?: boolean } = {}): DeskDeps {
  const { retentionDays } = settings(DeskSettingsSchema);
  const e = env();
  return {
    store: new DynamoCaseStore(documentClient, {
      desk: tableName('desk'),
      operations: tableName('operations'),
    }),
    config: () => content('desk'),
    calendar: async () => bookOf(await restrictionData.load()).calendar,
    // Topics are looked up when used: a function publishes only what its blueprint entry grants.
    queues: {
      answer: (job) => topics.publish(topicArn('desk-answers'), job),
      media: (job) => topics.publish(topicArn('desk-media'), job),
    },
    clock,
    newId: randomUUID,
    retentionDays,
    ...(options.sealsPhones
      ? {
          sealPhone: async (raw: string) => {
            // Only the pepper and the data key of the SMS secret: sealing sends nothing.
            readSmsSecret ??= smsSecretSource(e);
            const secret = await readSmsSecret();
            const phone = normalisePhone(raw);
            const id = phoneId(secret.pepper, phone);
            return { id, sealed: new PhoneVault(secret.dataKey).encrypt(phone, id) };
          },
        }
      : {}),
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
