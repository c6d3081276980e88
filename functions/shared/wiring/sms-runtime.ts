/**
 * Wiring: the secret-backed SMS parts, for the functions that send (deliver-sms, receive-sms): the
 * gateway of the configured provider and the phone vault, built on first use from the secret and
 * rebuilt when its cached value changes (rotation).
 */
import { gatewayFor } from '../../adapters/sms/gateways.ts';
import { type SmsSecret, smsSecretSource } from '../../adapters/sms/settings.ts';
import { PhoneVault } from '../../adapters/sms/vault.ts';
import type { SmsGateway } from '../../core/sms/ports.ts';
import { env } from '../config.ts';
import { settings } from './sms.ts';

// Read on first use: functions that only report (manage-sms) have no access to the secret.
let readSecret: (() => Promise<SmsSecret>) | undefined;

let cached: { secret: SmsSecret; gateway: SmsGateway; vault: PhoneVault } | undefined;

/** The secret-backed parts, rebuilt when the secret's cached value changes (rotation). */
export async function smsRuntime() {
  readSecret ??= smsSecretSource(env());
  const secret = await readSecret();
  if (cached?.secret !== secret) {
    cached = {
      secret,
      gateway: await gatewayFor(settings.provider, secret, settings.endpoint),
      vault: new PhoneVault(secret.dataKey),
    };
  }
  return cached;
}
