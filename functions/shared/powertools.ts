/**
 * One Logger, Metrics and Tracer per function container, and the middleware every chain uses to flush
 * metrics once per invocation. Service name and namespace come from the environment the builders set
 * (POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type middy from '@middy/core';

export const logger = new Logger();
export const metrics = new Metrics();
export const tracer = new Tracer();

/**
 * Publishes the invocation's metrics once, after the handler or its error, and only when there are
 * some: Powertools' own `logMetrics` warns "No application metrics to publish" on every quiet
 * invocation, which buries real warnings.
 */
export function flushMetrics(): middy.MiddlewareObj {
  const flush = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: flush, onError: flush };
}
