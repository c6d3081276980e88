/**
 * The only way an SMS reaches a person — per recipient, for the `deliver-sms` queue consumer (and,
 * through `sendWithinBudget`, for replies to citizens). Order, each step ending the delivery with
 * its outcome:
 *  1. the subscriber's status (opted-out / unfollowed / blocked: not attempted, marked on the ledger);
 *  2. the message is rendered and its parts counted (over the part limit: failed, nothing spent);
 *  3. the per-number daily cap (below the gateway's own): capped;
 *  4. the push ledger: cap + dedupe in one conditional write (capped / duplicate / unknown-outcome);
 *  5. the month's budget, taken per billable part before the send (budget; a metric and an alarm);
 *  6. the gateway; the provider message id is recorded so receipts can update the delivery record.
 * A send that did not happen gives back what it took (cap unit, budget); one whose outcome is unknown
 * (timeout) keeps both and is never sent again.
 */
import type { FrequencyPolicy, Outcome } from '../../schemas/pushes.ts';
import type { SmsCatalogue, SmsTemplateKind } from '../../schemas/sms.ts';
import type { PushCategory } from '../../schemas/vocabulary.ts';
import type { DynamoPushLedger } from '../adapters/dynamodb/push-ledger.ts';
import type {
  DynamoSmsBudget,
  DynamoSmsContacts,
  DynamoSmsMessages,
  DynamoSmsNumberCap,
} from '../adapters/dynamodb/sms.ts';
import type { SendResult, SmsGateway } from '../adapters/sms/port.ts';
import type { PhoneVault } from '../adapters/sms/vault.ts';
import { ValidationError } from '../core/errors.ts';
import { capRequest } from '../core/pushes/cap.ts';
import { budgetMonth, costFen } from '../core/sms/budget.ts';
import { type RenderedSms, renderSms, SmsTooLongError, templateForCategory } from '../core/sms/messages.ts';
import { maskPhone } from '../core/sms/numbers.ts';
import type { SubscriberRepository } from '../core/subscribers/subscriber.ts';
import type { Clock } from '../core/time.ts';

export interface SmsRecipient {
  /** HMAC of the number (the SMS subscriber id). */
  subscriberId: string;
  category: PushCategory;
  pushKey: string;
  runKey: string;
  /** The delivery bundle it came in (recorded on the ledger reservation). */
  bundle: string;
  /** The template's parameters by name (core/sms.ts restrictionReminderValues for reminders). */
  values: Record<string, string>;
}

export interface SmsSendDeps {
  gateway: SmsGateway;
  budget: DynamoSmsBudget;
  messages: DynamoSmsMessages;
  clock: Clock;
  settings: { budgetFen: number; pricePerPartFen: number };
  /** Structured, masked log lines and metrics (Powertools in the functions, spies in tests). */
  log: (level: 'info' | 'warn', message: string, details: Record<string, unknown>) => void;
  metric: (
    name: 'SmsBudgetExhausted' | 'SmsSent' | 'SmsConfigErrors' | 'SmsUnknownOutcome',
    n?: number,
  ) => void;
}

export interface SmsDeliverDeps extends SmsSendDeps {
  subscribers: SubscriberRepository;
  contacts: DynamoSmsContacts;
  vault: PhoneVault;
  numberCap: DynamoSmsNumberCap;
  ledger: DynamoPushLedger;
  policy: () => Promise<FrequencyPolicy>;
  catalogue: SmsCatalogue;
  settings: SmsSendDeps['settings'] & { maxParts: number; numberDailyCap: number };
}

export type SendOutcome =
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'budget' | 'capped' | 'provider-permanent' | 'failed' | 'unknown-outcome'; code: string };

/**
 * Budget, then the gateway, then the delivery record. Shared by pushes and replies.
 * `meta` goes on the delivery record (push and run keys for pushes; null for replies).
 */
export async function sendWithinBudget(
  to: { phone: string; subscriberId: string },
  message: RenderedSms,
  meta: { pushKey: string | null; runKey: string | null; reference: string },
  deps: SmsSendDeps,
): Promise<SendOutcome> {
  const now = deps.clock.now();
  const month = budgetMonth(now);
  const cost = costFen(message.parts, deps.settings.pricePerPartFen);
  if (!(await deps.budget.take(month, cost, deps.settings.budgetFen))) {
    deps.metric('SmsBudgetExhausted');
    deps.log('warn', 'SMS budget reached: not sent', { month, costFen: cost, kind: message.kind });
    return { outcome: 'budget', code: 'budget' };
  }
  let result: SendResult;
  try {
    result = await deps.gateway.send({ phone: to.phone, message, reference: meta.reference });
  } catch (error) {
    result = { status: 'unknown', code: (error as Error).name || 'error' };
  }
  const details = { to: maskPhone(to.phone), kind: message.kind, provider: deps.gateway.provider };
  if (result.status === 'sent') {
    await deps.messages.record({
      provider: deps.gateway.provider,
      messageId: result.messageId,
      subscriberId: to.subscriberId,
      kind: message.kind,
      pushKey: meta.pushKey,
      runKey: meta.runKey,
      parts: message.parts,
      costFen: cost,
      sentAt: deps.clock.now().toISOString(),
    });
    deps.metric('SmsSent');
    deps.log('info', 'SMS sent', { ...details, parts: message.parts, messageId: result.messageId });
    return { outcome: 'sent', messageId: result.messageId };
  }
  if (result.status === 'unknown') {
    // It may have gone out and been billed: keep the budget taken, never send again.
    deps.metric('SmsUnknownOutcome');
    deps.log('warn', 'SMS outcome unknown; not retried', { ...details, code: result.code });
    return { outcome: 'unknown-outcome', code: result.code };
  }
  await deps.budget.refund(month, cost);
  if (result.status === 'failed' && result.configuration) deps.metric('SmsConfigErrors');
  deps.log('warn', 'SMS not sent', { ...details, status: result.status, code: result.code });
  const outcome =
    result.status === 'rate-limited'
      ? 'capped'
      : result.status === 'permanent'
        ? 'provider-permanent'
        : 'failed';
  return { outcome, code: result.code };
}

export async function deliverSms(recipient: SmsRecipient, deps: SmsDeliverDeps): Promise<Outcome> {
  const { subscriberId: id, pushKey } = recipient;
  const ref = { channel: 'sms' as const, id };
  const now = deps.clock.now();
  const req = capRequest(await deps.policy(), 'sms', recipient.category, now);

  // 1. Status.
  const subscriber = await deps.subscribers.get(ref);
  const status = subscriber?.status ?? 'unfollowed';
  if (status !== 'active') {
    return (await deps.ledger.skip('sms', id, req.date, pushKey, status)) === 'duplicate'
      ? 'duplicate'
      : status;
  }

  // 2. Render (pure) and find the number.
  const kind: SmsTemplateKind = templateForCategory(recipient.category);
  let message: RenderedSms;
  try {
    message = renderSms(deps.catalogue, kind, recipient.values, deps.settings.maxParts);
  } catch (error) {
    if (!(error instanceof SmsTooLongError) && !(error instanceof ValidationError)) throw error;
    deps.log('warn', 'SMS refused before sending', { pushKey, reason: (error as Error).message });
    return (await deps.ledger.skip('sms', id, req.date, pushKey, 'refused')) === 'duplicate'
      ? 'duplicate'
      : 'failed';
  }
  const contact = await deps.contacts.get(id);
  if (!contact) {
    deps.log('warn', 'SMS subscriber without a stored number', { pushKey });
    return (await deps.ledger.skip('sms', id, req.date, pushKey, 'no-number')) === 'duplicate'
      ? 'duplicate'
      : 'failed';
  }
  const phone = deps.vault.decrypt(contact.phone, id);

  // 3. The per-number daily cap.
  // Refused: marked on the ledger like a status skip, so a redelivery of a push already handled
  // reads as the duplicate it is.
  if (!(await deps.numberCap.take(id, req.date, deps.settings.numberDailyCap)))
    return (await deps.ledger.skip('sms', id, req.date, pushKey, 'number-cap')) === 'duplicate'
      ? 'duplicate'
      : 'capped';

  // 4. The push ledger: cap + dedupe in one write.
  const reservation = await deps.ledger.reserve(
    'sms',
    id,
    pushKey,
    req,
    { category: recipient.category, runKey: recipient.runKey, bundle: recipient.bundle },
    now.getTime(),
  );
  if (reservation !== 'reserved') {
    await deps.numberCap.giveBack(id, req.date);
    if (reservation === 'unknown-outcome') {
      await deps.ledger.settle('sms', id, req.date, pushKey, 'unknown-outcome');
      deps.log('warn', 'SMS reserved earlier but never confirmed; not sending again', {
        to: maskPhone(phone),
        pushKey,
      });
    }
    return reservation;
  }

  // 5–6. Budget, gateway, record.
  const sent = await sendWithinBudget(
    { phone, subscriberId: id },
    message,
    { pushKey, runKey: recipient.runKey, reference: pushKey.slice(0, 200) },
    deps,
  );
  if (sent.outcome === 'sent') {
    await deps.ledger.settle(
      'sms',
      id,
      req.date,
      pushKey,
      `sent:${sent.messageId}|${recipient.category}|${recipient.runKey}|${deps.clock.now().toISOString()}`,
    );
    return 'sent';
  }
  if (sent.outcome !== 'unknown-outcome') await deps.numberCap.giveBack(id, req.date);
  // Stopped by the budget, nothing went out: the person's cap is given back, not spent on nothing.
  if (sent.outcome === 'budget') await deps.ledger.release('sms', id, req.date, pushKey, req.klass);
  else await deps.ledger.settle('sms', id, req.date, pushKey, `${sent.outcome}:${sent.code}`);
  return sent.outcome;
}
