/**
 * POST /integrations/12345/cases — the city's 12345 platform hands over a ticket: authenticated by
 * HMAC (constant time, fresh timestamp, a nonce never seen before; functions/adapters/platform/
 * signing.ts), validated, and made a case of its own ticket id (functions/core/desk/intake.ts); the
 * answer names our case number and deadlines. Answers go back through send-desk-answer.
 */
import { PlatformTicketSchema } from '../../schemas/desk.ts';
import { authenticatePlatformCall } from '../adapters/platform/signing.ts';
import { openFromPlatform } from '../core/desk/intake.ts';
import { webhookHandler } from '../shared/webhook.ts';
import { platformDeps } from '../shared/wiring/platform.ts';

const json = (status: number, body: unknown) => ({
  status,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(body),
});

export const handler = webhookHandler(async (req) => {
  if (Buffer.byteLength(req.body, 'utf8') > 16_384) return json(413, { error: 'body larger than 16 KB' });
  const deps = await platformDeps();
  const auth = await authenticatePlatformCall({ headers: req.headers, body: req.body }, deps.auth);
  if (!auth.ok) {
    deps.desk.log('warn', '12345 call refused', { reason: auth.reason });
    return json(401, { error: auth.reason });
  }
  let parsed: ReturnType<typeof PlatformTicketSchema.safeParse>;
  try {
    parsed = PlatformTicketSchema.safeParse(JSON.parse(req.body));
  } catch {
    return json(400, { error: 'body is not JSON' });
  }
  if (!parsed.success)
    return json(400, {
      error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    });
  const opened = await openFromPlatform(parsed.data, deps.desk);
  const { number, firstAnswerDue, resolutionDue, externalId } = opened.case;
  return json(opened.duplicate ? 200 : 201, {
    caseNumber: number,
    ticketId: externalId,
    firstAnswerDue,
    resolutionDue,
    duplicate: opened.duplicate,
  });
});
