/**
 * Wiring: the 12345 platform's calls (receive-12345) — the shared secret from the `desk` secret, the
 * freshness window, nonces claimed once on the inbound log (kept past the window), and the desk.
 */
import { PlatformSettingsSchema } from '../../../schemas/settings.ts';
import { DynamoInboundLog } from '../../adapters/dynamodb/inbound-log.ts';
import { deskSecretSource } from '../../adapters/platform/secret.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { protocolNow } from '../clock.ts';
import { env, settings, tableName } from '../config.ts';
import { deskDeps } from './desk.ts';
import { sealPhone } from './desk-phones.ts';

const secret = deskSecretSource(env());
const { maxSkewSeconds } = settings(PlatformSettingsSchema);
const inbound = new DynamoInboundLog(documentClient, tableName('inbound'));
const desk = deskDeps({ sealPhone });

export async function platformDeps() {
  const platform = (await secret()).platform12345;
  if (!platform) throw new Error('the desk secret has no platform12345 settings');
  return {
    desk,
    auth: {
      secret: platform.secret,
      nowSeconds: Math.floor(protocolNow() / 1000),
      maxSkewSeconds,
      claimNonce: async (nonce: string) =>
        (await inbound.claim(`12345#${nonce}`, protocolNow(), 2 * maxSkewSeconds)) === 'claimed',
    },
  };
}
