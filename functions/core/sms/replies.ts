/**
 * A citizen's SMS reply, through the channel-agnostic conversation (core/conversation/converse.ts).
 * Primary course:
 *  1. the number, normalised to E.164 (not a mainland mobile: ignored) and keyed by its HMAC;
 *  2. the intent; a number never seen becomes a subscriber only by binding a plate (`BD 京A12345`),
 *     and only then is its number stored (encrypted);
 *  3. the conversation applies the intent (TD/T/R/N/退订 opt the number out at once);
 *  4. where interactive SMS is on, one reply goes out as a template SMS within the budget: the
 *     opt-out confirmation (once per opt-out, outside the per-number cap), the bind confirmation (the
 *     conversation's own answer: the slot, or that the city is not pushed for, or the exemption) or
 *     the restriction answer (within it). Otherwise the intent is applied and recorded only.
 * "WX <code>" (短信备用) is not a conversation: it links the number to the WeChat follower the code was
 * given to, and both are told — the phone by SMS whether or not SMS is interactive (it is the
 * number's consent to receive SMS), the follower in WeChat.
 * Returns what is recorded on the inbound record: `<intent>:<what happened>`.
 */
import type { SmsCatalogue, SmsTemplateKind } from '../../../schemas/sms.ts';
import {
  type CitizenInbox,
  type ConversationDeps,
  converse,
  type Intent,
  parseIntent,
} from '../conversation/converse.ts';
import { PlateError, parsePlate } from '../restrictions/plates.ts';
import { FALLBACK_SCENE } from '../subscribers/subscriber.ts';
import { civilDate } from '../time.ts';
import { type SmsSendDeps, sendWithinBudget } from './budget.ts';
import { type RenderedSms, renderSms, SmsTooLongError } from './messages.ts';
import { maskPhone, normalisePhone, PhoneNumberError, phoneId } from './numbers.ts';
import type { FallbackLinks, PhoneSeal, SmsContacts, SmsNumberCap } from './ports.ts';

export interface SmsReplyDeps extends SmsSendDeps {
  conversation: ConversationDeps;
  contacts: SmsContacts;
  numberCap: SmsNumberCap;
  vault: Pick<PhoneSeal, 'encrypt'>;
  pepper: Buffer;
  catalogue: SmsCatalogue;
  settings: SmsSendDeps['settings'] & { interactive: boolean; maxParts: number; numberDailyCap: number };
  /** WeChat followers' fallback codes (短信备用), when the deployment links numbers to followers. */
  fallbackLinks?: Pick<FallbackLinks, 'consume'>;
  /** Tells a WeChat follower something in WeChat (a customer-service message, within their window). */
  followers?: FollowerNotes;
  /** The service desk for this number ("LY …" opens a case, acknowledged by SMS; replies attach). */
  desk?: (phone: string, id: string) => CitizenInbox;
}

/** A message to a WeChat follower about their own request, sent once (`key`) within their window. */
export interface FollowerNotes {
  tell(follower: { openid: string; accountId: string }, key: string, text: string): Promise<void>;
}

/** What the follower who asked for 短信备用 is told once a phone linked itself. */
export function linkedNote(maskedPhone: string, numberOptedOut: boolean): string {
  if (numberOptedOut)
    return `短信备用已关联手机 ${maskedPhone}，但该号码此前已退订短信（TD），暂不会收到短信。请用该手机发送“订阅”恢复后生效。发送“关闭短信备用”可取消关联。`;
  return `短信备用提醒已开通：微信消息无法送达时，限行提醒与重要通知将以短信发送到 ${maskedPhone}。发送“关闭短信备用”可关闭。`;
}

/** "WX 123456": the phone proves it is the one a WeChat follower asked to fall back to. */
const LINK = /^\s*WX\s*(\d{6})\s*$/i;

/**
 * Links the number to the follower the code was given to: the number stored encrypted, an SMS
 * subscriber created if it had none (marked as a fallback, so SMS notices' audiences skip it), and
 * the follower's `smsFallback` set. A number that refused SMS (TD) stays refused: it is sent nothing,
 * and the follower is told why the fallback will not reach it yet.
 */
async function linkToWeChat(
  code: string,
  phone: string,
  id: string,
  deps: SmsReplyDeps & { fallbackLinks: Pick<FallbackLinks, 'consume'> },
): Promise<string> {
  const now = deps.clock.now();
  const openid = await deps.fallbackLinks.consume(code, id, civilDate(now), now.getTime());
  if (!openid) {
    deps.log('info', 'SMS fallback code not accepted', { from: maskPhone(phone) });
    return 'link-wechat:invalid-code';
  }
  const follower = await deps.conversation.subscribers.get({ channel: 'wechat', id: openid });
  if (!follower) {
    deps.log('info', 'SMS fallback code of a follower no longer known', { from: maskPhone(phone) });
    return 'link-wechat:follower-unknown';
  }
  const at = now.toISOString();
  await deps.contacts.put(id, deps.vault.encrypt(phone, id), at);
  const ref = { channel: 'sms' as const, id };
  const number = await deps.conversation.subscribers.get(ref);
  if (!number) await deps.conversation.subscribers.follow(ref, 'sms', at, FALLBACK_SCENE);
  await deps.conversation.subscribers.setPreferences({ channel: 'wechat', id: openid }, { smsFallback: id });
  deps.log('info', "SMS number linked as a WeChat follower's fallback", { from: maskPhone(phone) });
  const optedOut = number?.status === 'opted-out';
  // The code is consumed once, so each link is told once; the key makes a redelivery harmless.
  await deps.followers?.tell(
    { openid, accountId: follower.account },
    `sms-fallback#${id}#${at}`,
    linkedNote(maskPhone(phone), optedOut),
  );
  if (optedOut) return 'link-wechat:linked-number-opted-out';
  const sent = await replyBySms(phone, id, 'fallback-linked', {}, { capped: false }, deps);
  return `link-wechat:linked-${sent}`;
}

/**
 * One template SMS to the number that wrote, within the budget and (`capped`) the per-number daily
 * cap. Returns what happened: `reply-sent`, `reply-capped`, `reply-too-long`, `reply-<outcome>`.
 */
async function replyBySms(
  phone: string,
  id: string,
  kind: SmsTemplateKind,
  values: Record<string, string>,
  { capped }: { capped: boolean },
  deps: SmsReplyDeps,
): Promise<string> {
  let message: RenderedSms;
  try {
    message = renderSms(deps.catalogue, kind, values, deps.settings.maxParts);
  } catch (error) {
    if (!(error instanceof SmsTooLongError)) throw error;
    deps.log('warn', 'SMS reply too long: not sent', { kind });
    return 'reply-too-long';
  }
  const date = civilDate(deps.clock.now());
  if (capped && !(await deps.numberCap.take(id, date, deps.settings.numberDailyCap))) return 'reply-capped';
  const sent = await sendWithinBudget(
    { phone, subscriberId: id },
    message,
    { pushKey: null, runKey: null, reference: `reply:${kind}` },
    deps,
  );
  if (capped && sent.outcome !== 'sent' && sent.outcome !== 'unknown-outcome')
    await deps.numberCap.giveBack(id, date);
  return `reply-${sent.outcome}`;
}

export async function handleSmsReply(
  input: { phone: string; text: string },
  deps: SmsReplyDeps,
): Promise<string> {
  let phone: string;
  try {
    phone = normalisePhone(input.phone);
  } catch (error) {
    if (!(error instanceof PhoneNumberError)) throw error;
    deps.log('info', 'SMS reply from a number outside mainland China ignored', {});
    return 'ignored:not-mainland';
  }
  const id = phoneId(deps.pepper, phone);
  const ref = { channel: 'sms' as const, id };
  const masked = maskPhone(phone);
  const link = LINK.exec(input.text.normalize('NFKC'));
  if (link && deps.fallbackLinks)
    return linkToWeChat(link[1]!, phone, id, { ...deps, fallbackLinks: deps.fallbackLinks });
  const intent = parseIntent(input.text, deps.conversation.keywords);
  if (deps.desk) {
    const handled = await toDesk(input.text, intent, ref, deps.desk(phone, id));
    if (handled) {
      deps.log('info', 'SMS to the service desk', { from: masked, what: handled });
      return handled;
    }
  }
  const known = await deps.conversation.subscribers.get(ref);
  if (!known && intent.type !== 'bind') {
    deps.log('info', 'SMS reply from a number never seen: no subscriber created', {
      from: masked,
      intent: intent.type,
    });
    return `${intent.type}:ignored-unknown-number`;
  }
  const at = deps.clock.now().toISOString();
  await deps.contacts.put(id, deps.vault.encrypt(phone, id), at);
  const answer = await converse(ref, { kind: 'text', text: input.text }, deps.conversation);
  deps.log('info', 'SMS reply applied', { from: masked, intent: intent.type });

  if (intent.type === 'resubscribe') await deps.contacts.resetOptOutConfirmation(id);
  if (!deps.settings.interactive) return `${intent.type}:applied`;

  let kind: SmsTemplateKind | null = null;
  if (intent.type === 'unsubscribe') {
    if (!(await deps.contacts.claimOptOutConfirmation(id, at))) return 'unsubscribe:already-confirmed';
    kind = 'opt-out-confirmation';
  } else if (intent.type === 'bind') {
    let plate: string;
    try {
      plate = parsePlate(intent.plate).canonical;
    } catch (error) {
      if (error instanceof PlateError) return 'bind:invalid-plate';
      throw error;
    }
    const bound = (await deps.conversation.subscribers.get(ref))?.bindings.some((b) => b.plate === plate);
    if (!bound || !answer) return 'bind:not-bound';
    kind = 'bind-confirmation';
  } else if (intent.type === 'restriction' && answer) {
    kind = 'restriction-answer';
  }
  if (!kind) return `${intent.type}:applied-no-sms-template`;
  // The answer is the conversation's own (what WeChat would say); a template SMS is one line.
  const values: Record<string, string> =
    answer && kind !== 'opt-out-confirmation' ? { answer: oneLine(answer) } : {};
  // The opt-out confirmation is the citizen's due: outside the per-number cap (still within budget).
  const capped = kind !== 'opt-out-confirmation';
  return `${intent.type}:${await replyBySms(phone, id, kind, values, { capped }, deps)}`;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

/**
 * The desk's part of an SMS: "LY …" (or 投诉 …) opens a case, acknowledged by SMS through the desk's
 * queue; 1–3 answers a closed case's satisfaction question; any other text that is no command joins
 * the number's open case (a reply to a case SMS). Null: not the desk's.
 */
async function toDesk(text: string, intent: Intent, ref: { channel: 'sms'; id: string }, desk: CitizenInbox) {
  if (intent.type === 'case') {
    if (!intent.text) return 'case:empty';
    const opened = await desk.open(ref, { category: intent.category, text: intent.text });
    return `case:opened-${opened.caseNumber}`;
  }
  const score = /^\s*([1-3])\s*$/.exec(text.normalize('NFKC'))?.[1];
  if (score && (await desk.rate(ref, Number(score) as 1 | 2 | 3))) return 'case:rated';
  if (intent.type !== 'help') return null;
  const followed = await desk.followUp(ref, { text });
  return followed ? `case:follow-up-${followed.caseNumber}` : null;
}
