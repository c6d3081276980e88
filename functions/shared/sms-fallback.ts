/**
 * SMS fallback for WeChat followers (`短信备用 138…`): the number is normalised, stored encrypted
 * under its HMAC (the SMS subscriber id), and an SMS subscriber is created if the number has none,
 * marked `wechat-fallback` so that notices to SMS audiences do not reach it unless it also binds a
 * plate by SMS. A number whose owner already refused SMS (TD) stays refused: deliver-sms answers
 * `opted-out` for it.
 */
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoSmsContacts } from '../adapters/dynamodb/sms.ts';
import { maskPhone, normalisePhone, phoneId } from '../core/sms.ts';
import type { SubscriberRepository } from '../core/subscribers.ts';
import { clock } from './clock.ts';
import { tableName } from './config.ts';
import { smsRuntime } from './sms.ts';

export const FALLBACK_SCENE = 'wechat-fallback';

export function smsFallbackLinker(subscribers: SubscriberRepository) {
  const contacts = new DynamoSmsContacts(documentClient, tableName('subscribers'));
  return {
    async link(raw: string) {
      const e164 = normalisePhone(raw);
      const runtime = await smsRuntime();
      const id = phoneId(runtime.secret.pepper, e164);
      const at = clock.now().toISOString();
      await contacts.put(id, runtime.vault.encrypt(e164, id), at);
      const ref = { channel: 'sms' as const, id };
      if (!(await subscribers.get(ref))) await subscribers.follow(ref, 'sms', at, FALLBACK_SCENE);
      return { id, masked: maskPhone(e164) };
    },
  };
}
