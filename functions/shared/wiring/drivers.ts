/**
 * Wiring: driver notices over DynamoDB (the `drivers` table), the push pipeline (runs on operations,
 * bundles to the deliveries topic), the `driver-integrations` secret (pepper, page key,
 * integrations) and the SMS secret (registered phones are sealed and keyed like SMS numbers).
 * For the functions whose blueprint entry grants the drivers table and sets DRIVER_ENVIRONMENT.
 */
import { DriverSettingsSchema } from '../../../schemas/drivers.ts';
import {
  DynamoDriverRecords,
  DynamoOwnerships,
  DynamoVerificationTally,
} from '../../adapters/dynamodb/drivers.ts';
import { DynamoInboundLog } from '../../adapters/dynamodb/inbound-log.ts';
import { DynamoPushRuns } from '../../adapters/dynamodb/push-runs.ts';
import type { DriverEventsDeps } from '../../adapters/integrations/driver-events.ts';
import { driverSecretSource } from '../../adapters/integrations/secret.ts';
import { S3Drops } from '../../adapters/s3/drops.ts';
import { smsSecretSource } from '../../adapters/sms/settings.ts';
import { PhoneVault } from '../../adapters/sms/vault.ts';
import { type DeskDeps, driverDesk } from '../../core/drivers/desk.ts';
import { type IngestDeps, ingestEvents } from '../../core/drivers/ingest.ts';
import type { DriverPageDeps } from '../../core/drivers/page.ts';
import { phoneId } from '../../core/sms/numbers.ts';
import { documentClient, s3Client, topics } from '../aws-clients.ts';
import { clock, protocolNow } from '../clock.ts';
import { env, settings, tableName, topicArn } from '../config.ts';
import { logger } from '../powertools.ts';

export const driverSettings = settings(DriverSettingsSchema);
export const driverSecret = driverSecretSource(env());
export const driverRecords = () => new DynamoDriverRecords(documentClient, tableName('drivers'));
export const verificationTally = () => new DynamoVerificationTally(documentClient, tableName('drivers'));

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

/** The conversation's driver desk (receive-wechat): verification and 违法 / 记分 / 年检. */
export function driverDeskFor() {
  const table = tableName('drivers');
  const base: Omit<DeskDeps, 'pepper'> = {
    records: new DynamoDriverRecords(documentClient, table),
    ownerships: new DynamoOwnerships(documentClient, table),
    tally: new DynamoVerificationTally(documentClient, table),
    clock,
    settings: {
      followerAttempts: driverSettings.followerAttempts,
      subjectAttempts: driverSettings.subjectAttempts,
      retentionDays: driverSettings.retentionDays,
    },
  };
  let desk: ReturnType<typeof driverDesk> | undefined;
  const get = async () => {
    desk ??= driverDesk({ ...base, pepper: (await driverSecret()).pepper });
    return desk;
  };
  return {
    verifyPlate: async (...a: Parameters<ReturnType<typeof driverDesk>['verifyPlate']>) =>
      (await get()).verifyPlate(...a),
    verifyLicence: async (...a: Parameters<ReturnType<typeof driverDesk>['verifyLicence']>) =>
      (await get()).verifyLicence(...a),
    query: async (...a: Parameters<ReturnType<typeof driverDesk>['query']>) => (await get()).query(...a),
    unbound: async (...a: Parameters<ReturnType<typeof driverDesk>['unbound']>) =>
      (await get()).unbound(...a),
    licencesUnbound: async (...a: Parameters<ReturnType<typeof driverDesk>['licencesUnbound']>) =>
      (await get()).licencesUnbound(...a),
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

/** The personal page (get-driver-page). */
export function driverPageDeps(): DriverPageDeps {
  return { records: driverRecords(), pageKey: async () => (await driverSecret()).pageKey, clock };
}

/** The operators' measures and masked views (manage-drivers). */
export function manageDriverDeps() {
  const records = driverRecords();
  const runs = new DynamoPushRuns(documentClient, tableName('operations'));
  const ownerships = new DynamoOwnerships(documentClient, tableName('drivers'));
  return {
    runCounts: (keys: readonly string[]) => runs.countsOf(keys),
    tally: verificationTally(),
    clock,
    views: async () => ({ records, ownerships, pepper: (await driverSecret()).pepper }),
  };
}

/** The nightly drop (ingest-driver-drop): the bucket's objects, then the same ingest. */
export function dropDeps() {
  return { drops: new S3Drops(s3Client()), ingest: ingestDeps() };
}
