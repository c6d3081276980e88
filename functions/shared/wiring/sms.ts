/**
 * Wiring: the SMS side every SMS function shares, composed once per container: settings (environment)
 * and templates (data); the secret-backed gateway and phone vault are ./sms-runtime.ts, for the
 * functions that send. Log and metric sinks mask nothing themselves: callers pass masked numbers only.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { shippedSmsCatalogue } from '../../../schemas/data/replies.ts';
import { smsSettings } from '../../adapters/sms/settings.ts';
import { env } from '../config.ts';
import { logger, metrics } from '../powertools.ts';

export const settings = smsSettings(env());
export const catalogue = shippedSmsCatalogue;
export const smsLog = (level: 'info' | 'warn', message: string, details: Record<string, unknown>) =>
  logger[level](message, details);
export const smsMetric = (name: string, n = 1) => metrics.addMetric(name, MetricUnit.Count, n);
