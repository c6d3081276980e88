/** Wiring: subscriber support (find-subscribers) — the subscribers table, the ledger, the SMS pepper. */
import { DynamoSubscriberRepository } from '../../adapters/dynamodb/subscribers.ts';
import {
  followersWithFallback,
  ledgerPushes,
  subscribersWithPlate,
} from '../../adapters/dynamodb/support.ts';
import { smsSecretSource } from '../../adapters/sms/settings.ts';
import { MAX_SEARCH_RESULTS, type SupportDeps } from '../../core/operations/support.ts';
import { phoneId } from '../../core/sms/numbers.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { env, tableName } from '../config.ts';

export function subscriberSupportDeps(): SupportDeps {
  const table = tableName('subscribers');
  // Only the pepper of the sms-gateway secret: this function sends nothing.
  const secret = smsSecretSource(env());
  const repository = new DynamoSubscriberRepository(documentClient, table);
  return {
    get: (ref) => repository.get(ref),
    withPlate: (plate) => subscribersWithPlate(documentClient, table, plate, MAX_SEARCH_RESULTS),
    withFallbackNumber: (smsId) => followersWithFallback(documentClient, table, smsId, MAX_SEARCH_RESULTS),
    phoneId: async (e164) => phoneId((await secret()).pepper, e164),
    ledger: (ref) => ledgerPushes(documentClient, tableName('ledger'), ref),
  };
}
