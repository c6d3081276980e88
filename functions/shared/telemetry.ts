/** The domain's Telemetry and Timer ports over Powertools and the process's monotonic clock. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Telemetry, Timer } from '../core/delivery/ports.ts';
import { logger, metrics } from './powertools.ts';

export const telemetry: Telemetry = {
  log: (level, message, details = {}) => logger[level](message, details),
  metric: (name, n = 1) => metrics.addMetric(name, MetricUnit.Count, n),
};

export const timer: Timer = {
  elapsed: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export { errorMessage } from '../core/errors.ts';
