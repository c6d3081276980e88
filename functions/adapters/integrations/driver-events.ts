/**
 * POST /v1/integrations/driver-events as the platform sees it: the size limit, the signature
 * (./signature.ts), the body as `{ events: [...] }`, then the one ingest use case
 * (functions/core/drivers/ingest.ts) and its answer event by event. Answers are JSON; nothing of an
 * event is logged, only counts.
 */
import {
  DriverEventBatchSchema,
  type IngestAnswer,
  MAX_DRIVER_BODY_BYTES,
} from '../../../schemas/drivers.ts';
import { authenticate, type SignatureDeps, type SignedRequest } from './signature.ts';

export interface DriverEventsDeps extends SignatureDeps {
  ingest(events: readonly unknown[]): Promise<IngestAnswer>;
  log(message: string, details: Record<string, unknown>): void;
}

export async function receiveDriverEvents(
  req: SignedRequest,
  deps: DriverEventsDeps,
): Promise<{ status: number; body: unknown }> {
  if (Buffer.byteLength(req.body, 'utf8') > MAX_DRIVER_BODY_BYTES)
    return { status: 413, body: { error: 'body larger than 1 MB: send at most 500 events a request' } };
  const auth = await authenticate(req, deps);
  if (!auth.ok) {
    deps.log('driver events refused', { status: auth.status, reason: auth.reason });
    return { status: auth.status, body: { error: auth.reason } };
  }
  let json: unknown;
  try {
    json = JSON.parse(req.body);
  } catch {
    return { status: 400, body: { error: 'the body is not JSON' } };
  }
  const batch = DriverEventBatchSchema.safeParse(json);
  if (!batch.success)
    return {
      status: 400,
      body: {
        error: batch.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      },
    };
  const answer = await deps.ingest(batch.data.events);
  const { accepted, duplicate, stale, invalid } = answer;
  deps.log('driver events ingested', {
    integration: auth.integration.id,
    events: batch.data.events.length,
    accepted,
    duplicate,
    stale,
    invalid,
  });
  return { status: 200, body: answer };
}
