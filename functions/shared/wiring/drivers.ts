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
import { DynamoPushRuns } from '../../adapters/dynamodb/push-runs.ts';
import { driverSecretSource } from '../../adapters/integrations/secret.ts';
import { type DeskDeps, driverDesk } from '../../core/drivers/desk.ts';
import type { DriverPageDeps } from '../../core/drivers/page.ts';
import type { Channel } from '../../core/vocabulary.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { clock } from '../clock.ts';
import { env, settings, tableName } from '../config.ts';

export const driverSettings = settings(DriverSettingsSchema);
export const driverSecret = driverSecretSource(env());
export const driverRecords = () => new DynamoDriverRecords(documentClient, tableName('drivers'));
export const verificationTally = () => new DynamoVerificationTally(documentClient, tableName('drivers'));

/**
 * The conversation's driver desk (receive-wechat): verification and 违法 / 记分 / 年检; `sms`, the
 * codes and their SMS where the deployment proves ownership by SMS too (./driver-codes.ts).
 */
export function driverDeskFor(sms?: DeskDeps['sms']) {
  const table = tableName('drivers');
  const ownerships = new DynamoOwnerships(documentClient, table);
  const base: Omit<DeskDeps, 'pepper'> = {
    records: new DynamoDriverRecords(documentClient, table),
    ownerships,
    tally: new DynamoVerificationTally(documentClient, table),
    clock,
    settings: {
      followerAttempts: driverSettings.followerAttempts,
      subjectAttempts: driverSettings.subjectAttempts,
      retentionDays: driverSettings.retentionDays,
      smsCode: driverSettings.smsCode,
    },
    ...(sms ? { sms } : {}),
  };
  let desk: ReturnType<typeof driverDesk> | undefined;
  const get = async () => {
    desk ??= driverDesk({ ...base, pepper: (await driverSecret()).pepper });
    return desk;
  };
  return {
    /** Begins reading what the follower proved (a 违法 / 记分 / 年检 question reads it first). */
    readAhead: (ref: { channel: Channel; id: string }) => ownerships.readAhead(ref),
    verifyPlate: async (...a: Parameters<ReturnType<typeof driverDesk>['verifyPlate']>) =>
      (await get()).verifyPlate(...a),
    verifyLicence: async (...a: Parameters<ReturnType<typeof driverDesk>['verifyLicence']>) =>
      (await get()).verifyLicence(...a),
    query: async (...a: Parameters<ReturnType<typeof driverDesk>['query']>) => (await get()).query(...a),
    unbound: async (...a: Parameters<ReturnType<typeof driverDesk>['unbound']>) =>
      (await get()).unbound(...a),
    licencesUnbound: async (...a: Parameters<ReturnType<typeof driverDesk>['licencesUnbound']>) =>
      (await get()).licencesUnbound(...a),
    requestCode: async (...a: Parameters<ReturnType<typeof driverDesk>['requestCode']>) =>
      (await get()).requestCode(...a),
    confirmCode: async (...a: Parameters<ReturnType<typeof driverDesk>['confirmCode']>) =>
      (await get()).confirmCode(...a),
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
