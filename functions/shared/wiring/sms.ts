/**
 * Wiring: the SMS side every SMS function shares, composed once per container: settings (environment),
 * templates (data), and — on first use, from the secret — the gateway, the phone vault and the
 * pepper. Log and metric sinks mask nothing themselves: callers pass masked numbers only.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { shippedSmsCatalogue } from '../../../schemas/data/replies.ts';
import { gatewayFor, type SmsSecret, smsSecretSource, smsSettings } from '../../adapters/sms/settings.ts';
import { PhoneVault } from '../../adapters/sms/vault.ts';
import type { SmsGateway } from '../../core/sms/ports.ts';
import { env } from '../config.ts';
import { logger, metrics } from '../powertools.ts';

export const settings = smsSettings(env());
export const catalogue = shippedSmsCatalogue;
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
      gateway: gatewayFor(settings.provider, secret, settings.endpoint),
      vault: new PhoneVault(secret.dataKey),
    };
  }
  return cached;
}

export const smsLog = (level: 'info' | 'warn', message: string, details: Record<string, unknown>) =>
  logger[level](message, details);
export const smsMetric = (name: string, n = 1) => metrics.addMetric(name, MetricUnit.Count, n);
