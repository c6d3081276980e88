/**
 * One Logger, Metrics and Tracer per function container, and the middleware every chain uses to flush
 * metrics once per invocation. Service name and namespace come from the environment the builders set
 * (POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type middy from '@middy/core';

export const logger = new Logger();
export const metrics = new Metrics();

/**
 * The Powertools Tracer, loaded only where it can be on: inside Lambda (AWS_EXECUTION_ENV) and not
 * switched off by POWERTOOLS_TRACE_ENABLED=false, which the CDK builder sets where Lambda has no
 * X-Ray (the China regions) and the local stack always sets. Elsewhere the Tracer would be a no-op
 * that still evaluates the X-Ray SDK at init; not loading it changes nothing else (the Tracer's own
 * further checks, SAM and Amplify mocks, still apply where it is loaded). Where tracing is off at
 * build time the CDK builder also defines POWERTOOLS_TRACE_ENABLED as "false" (lib/aws/bundling.ts),
 * so the bundle leaves the Tracer and the X-Ray SDK out altogether.
 */
const tracer: Tracer | undefined =
  process.env.POWERTOOLS_TRACE_ENABLED !== 'false' &&
  process.env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false' &&
  process.env.AWS_EXECUTION_ENV
    ? new (await import('@aws-lambda-powertools/tracer')).Tracer()
    : undefined;

/** The AWS SDK v3 client, traced (a subsegment per call) where the container traces. */
export const traced = <T>(client: T): T => (tracer ? tracer.captureAWSv3Client(client) : client);

/** The chains' first middleware: the handler's subsegment, cold-start and service annotations. */
export const traceHandler = (): middy.MiddlewareObj[] =>
  tracer ? [captureLambdaHandler(tracer, { captureResponse: false })] : [];

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
