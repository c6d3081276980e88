/**
 * GET /health — liveness for load balancers, uptime checks and the local stack's smoke test.
 * It reads no data, so a DynamoDB or provider outage does not make the API look dead.
 */
import { baseConfig } from '../shared/config.ts';
import { httpRouter } from '../shared/http.ts';

export const handler = httpRouter('get-health', {
  'GET /health': async () => ({
    status: 200,
    headers: { 'cache-control': 'no-store' },
    body: {
      status: 'ok',
      service: process.env.POWERTOOLS_SERVICE_NAME ?? 'traffic-police-messaging',
      version: baseConfig.SERVICE_VERSION,
      stage: baseConfig.STAGE,
      time: new Date().toISOString(),
    },
  }),
});
