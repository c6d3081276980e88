/**
 * GET  /webhooks/wechat/{account} — URL verification (echostr verbatim, text/plain)
 * POST /webhooks/wechat/{account} — messages and events: verified, decrypted, de-duplicated and
 * answered within WeChat's 5 s (functions/adapters/wechat/webhook.ts) through the conversation
 * (functions/core/conversation).
 */
import { WeChatWebhookSettingsSchema } from '../../schemas/settings.ts';
import { receive, verifyUrl } from '../adapters/wechat/webhook.ts';
import { settings } from '../shared/config.ts';
import { webhookHandler } from '../shared/webhook.ts';
import { webhookDeps } from '../shared/wiring/conversation.ts';

const deps = webhookDeps(settings(WeChatWebhookSettingsSchema));

export const handler = webhookHandler(async (req) => {
  const request = {
    accountId: req.pathParameters.account ?? '',
    query: req.query,
    rawQueryString: req.rawQueryString,
    body: req.body,
    startedAt: req.receivedAt,
  };
  return req.method === 'GET' ? verifyUrl(request, deps) : receive(request, deps);
});
