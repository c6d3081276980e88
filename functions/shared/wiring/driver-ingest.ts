/**
 * Wiring: the driver platform's ingest (the signed route and the nightly S3 drop): records on the
 * drivers table, notices to the push pipeline (runs on operations, bundles to the deliveries topic),
 * registered phones sealed and keyed with the SMS secret. Apart from drivers.ts so the functions that
 * only read drivers' records (the webhook, the page, the console's views) carry no SNS or S3 client.
 */
import { DynamoInboundLog } from '../../adapters/dynamodb/inbound-log.ts';
import { DynamoPushRuns } from '../../adapters/dynamodb/push-runs.ts';
import type { DriverEventsDeps } from '../../adapters/integrations/driver-events.ts';
import { S3Drops } from '../../adapters/s3/drops.ts';
import { smsSecretSource } from '../../adapters/sms/settings.ts';
import { PhoneVault } from '../../adapters/sms/vault.ts';
import { type IngestDeps, ingestEvents } from '../../core/drivers/ingest.ts';
import { phoneId } from '../../core/sms/numbers.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { s3Client } from '../clients/s3.ts';
import { topics } from '../clients/sns.ts';
import { clock, protocolNow } from '../clock.ts';
import { env, tableName, topicArn } from '../config.ts';
import { logger } from '../powertools.ts';
import { driverRecords, driverSecret, driverSettings } from './drivers.ts';

/** The ingest use case's dependencies (the HTTP route and the S3 drop); secrets read on first use. */
export function ingestDeps(records = driverRecords()): () => Promise<IngestDeps> {
  const sms = smsSecretSource(env());
  const deliveries = topics.deliveryQueue(topicArn('push-deliveries'));
  const runs = new DynamoPushRuns(documentClient, tableName('operations'));
  return async () => {
    const [secret, smsSecret] = await Promise.all([driverSecret(), sms()]);
    const vault = new PhoneVault(smsSecret.dataKey);
    return {
      records,
      deliveries,
      runs,
      clock,
      keys: { pepper: secret.pepper, pageKey: secret.pageKey },
      phones: { id: (e164) => phoneId(smsSecret.pepper, e164), seal: (e164, id) => vault.encrypt(e164, id) },
      settings: driverSettings,
    };
  };
}

/** The ingest route's dependencies: signature checks (nonces on the inbound table) around ingest. */
export function driverEventsDeps(s: { maxSkewSeconds: number }): DriverEventsDeps {
  const deps = ingestDeps();
  const nonces = new DynamoInboundLog(documentClient, tableName('inbound'));
  return {
    integrations: async () => (await driverSecret()).integrations,
    claimNonce: (key, nowMs, retention) => nonces.claim(key, nowMs, retention),
    nowMs: protocolNow,
    maxSkewSeconds: s.maxSkewSeconds,
    ingest: async (events) => ingestEvents(events, await deps()),
    log: (message, details) => logger.info(message, details),
  };
}

/** The nightly drop (ingest-driver-drop): the bucket's objects, then the same ingest. */
export function dropDeps() {
  return { drops: new S3Drops(s3Client()), ingest: ingestDeps() };
}
