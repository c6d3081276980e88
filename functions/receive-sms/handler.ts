/**
 * POST /webhooks/sms/tencent/replies, /webhooks/sms/aliyun/replies — citizens' replies (TD, BD, 限行)
 * through the conversation (functions/core/sms/replies.ts);
 * POST /webhooks/sms/{provider}/receipts — delivery receipts onto the delivery records. Authenticated,
 * de-duplicated and answered as each gateway expects (functions/adapters/sms/webhook.ts).
 */

import { webhookHandler } from '../shared/webhook.ts';
import { handleSmsCallback } from '../shared/wiring/sms-callbacks.ts';

export const handler = webhookHandler(async (req) => {
  const path = req.path.split('/');
  const request = {
    provider: req.pathParameters.provider ?? path[3] ?? '',
    kind: path[4] === 'receipts' ? ('receipts' as const) : ('replies' as const),
    query: req.query,
    headers: req.headers,
    sourceIp: req.sourceIp,
    body: req.body,
  };
  const result = await handleSmsCallback(request);
  return {
    status: result.status,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(result.body),
  };
});
