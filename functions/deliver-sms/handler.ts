/**
 * The `push-deliveries-sms` queue consumer: bundles of SMS recipients of one push. Around each
 * recipient, what every channel shares (functions/shared/delivery.ts: run status, quiet hours,
 * receipts, counts); per recipient, `deliverSms` (deliver.ts): status, per-number cap, the one ledger
 * write, the month's budget, the gateway. Restriction reminders are rendered here from the engine's
 * answer and the recipient's plates; notices carry their parameters from the planner.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import type { DeliveryMessage, Recipient } from '../../schemas/pushes.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import {
  DynamoSmsBudget,
  DynamoSmsContacts,
  DynamoSmsMessages,
  DynamoSmsNumberCap,
} from '../adapters/dynamodb/sms.ts';
import { DynamoSubscriberRepository } from '../adapters/dynamodb/subscribers.ts';
import { bookOf, restrictionOn } from '../core/restrictions/engine.ts';
import { restrictionReminderValues } from '../core/sms/messages.ts';
import { clock } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { consumeBundles, HALTED, pacer, pool } from '../shared/delivery.ts';
import { policyStore } from '../shared/pushes.ts';
import { restrictionData } from '../shared/restriction-data.ts';
import { catalogue, settings, smsLog, smsMetric, smsRuntime } from '../shared/sms.ts';
import { deliverSms, type SmsDeliverDeps } from './deliver.ts';

const config = z
  .object({
    /** Sends per second per invocation; the queue's maximum concurrency multiplies it. */
    SMS_RATE_PER_SECOND: z.coerce.number().positive().default(10),
    SMS_CONCURRENCY: z.coerce.number().int().min(1).max(20).default(4),
  })
  .parse(process.env);

const stores = {
  subscribers: new DynamoSubscriberRepository(documentClient, tableName('subscribers')),
  contacts: new DynamoSmsContacts(documentClient, tableName('subscribers')),
  numberCap: new DynamoSmsNumberCap(documentClient, tableName('ledger')),
  budget: new DynamoSmsBudget(documentClient, tableName('operations')),
  messages: new DynamoSmsMessages(documentClient, tableName('operations')),
};

async function valuesFor(d: DeliveryMessage, r: Recipient): Promise<Record<string, string>> {
  if (d.values) return d.values;
  const answer = restrictionOn(bookOf(await restrictionData.load()), d.city, d.date);
  return restrictionReminderValues(
    { date: d.date, tails: answer.status === 'restricted' ? answer.tails : [] },
    r.plates,
  );
}

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const pace = pacer(config.SMS_RATE_PER_SECOND);
  return consumeBundles(event, 'sms', async (d, todo, ctx, finish) => {
    const runtime = await smsRuntime();
    const gateway = runtime.gateway;
    const deps: SmsDeliverDeps = {
      ...stores,
      ledger: ctx.ledger,
      // A configuration error (credentials, sign, template) fails every send alike: halt SMS for
      // this run rather than call the gateway for each remaining recipient.
      gateway: {
        provider: gateway.provider,
        send: async (message) => {
          const result = await gateway.send(message);
          if (result.status === 'failed' && result.configuration)
            await ctx.haltChannel(d.runKey, `SMS ${gateway.provider} ${result.code}: configuration refused`);
          return result;
        },
      },
      vault: runtime.vault,
      catalogue,
      clock,
      policy: async () => (await policyStore.get()).policy,
      settings,
      log: smsLog,
      metric: smsMetric,
    };
    await pool(
      todo,
      config.SMS_CONCURRENCY,
      async (r) => {
        await pace();
        if (ctx.aborted(d.runKey)) return;
        if (ctx.halted(d.runKey)) return finish(r, HALTED);
        const outcome = await deliverSms(
          {
            subscriberId: r.id,
            category: d.category,
            pushKey: d.pushKey,
            runKey: d.runKey,
            bundle: d.bundle,
            values: await valuesFor(d, r),
          },
          deps,
        );
        // deliverSms settles every outcome on the ledger itself; the receipt spares a redelivery the work.
        finish(r, { outcome, receipt: outcome === 'duplicate' ? null : outcome });
      },
      () => ctx.aborted(d.runKey),
    );
  });
};
