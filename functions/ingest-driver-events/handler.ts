/**
 * POST /v1/integrations/driver-events — the traffic-management platform's signed batches (at most
 * 500 events): authenticated by HMAC with the integration's secret, fresh, never replayed
 * (functions/adapters/integrations/signature.ts), answered event by event by the ingest use case
 * (functions/core/drivers/ingest.ts), which hands the notices to the one push pipeline.
 */
import { DriverIngestSettingsSchema } from '../../schemas/drivers.ts';
import { receiveDriverEvents } from '../adapters/integrations/driver-events.ts';
import { settings } from '../shared/config.ts';
import { webhookHandler } from '../shared/webhook.ts';
import { driverEventsDeps } from '../shared/wiring/driver-ingest.ts';

const deps = driverEventsDeps(settings(DriverIngestSettingsSchema));

export const handler = webhookHandler(async (req) => {
  const result = await receiveDriverEvents(req, deps);
  return {
    status: result.status,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(result.body),
  };
});
