/**
 * The only way a push reaches an SMS subscriber. Per recipient (`deliverSms`), each step ending the
 * delivery with its outcome:
 *  1. the subscriber's status (opted-out / unfollowed / blocked: not attempted, marked on the ledger);
 *  2. the message is rendered and its parts counted (over the part limit: failed, nothing spent);
 *  3. the per-number daily cap (below the gateway's own): capped;
 *  4. the push ledger: cap + dedupe in one conditional write (capped / duplicate / unknown-outcome);
 *  5. the month's budget, taken per billable part before the send (core/sms/budget.ts);
 *  6. the gateway; the provider message id is recorded so receipts can update the delivery record.
 * A send that did not happen gives back what it took (cap unit, budget); one whose outcome is unknown
 * (timeout) keeps both and is never sent again. Per bundle (`smsDelivery`, around it ./bundles.ts):
 * restriction reminders are rendered from the engine's answer and the recipient's plates, notices
 * carry their parameters from the planner, a configuration error from the gateway halts SMS for
 * the run instead of failing every remaining send at the gateway, a push the ledger already holds
 * ends as what holds it (an earlier attempt's outcome, another entry of the push), and a recipient
 * whose delivery throws is left alone for the bundle's next attempt.
 */
import type { DeliveryMessage, FrequencyPolicy, Outcome, Recipient } from '../../../schemas/pushes.ts';
import type { SmsCatalogue, SmsTemplateKind } from '../../../schemas/sms.ts';
import { errorName, ValidationError } from '../errors.ts';
import { capRequest } from '../pushes/cap.ts';
import { type RestrictionBook, restrictionOn } from '../restrictions/engine.ts';
import { type SmsSendDeps, sendWithinBudget } from '../sms/budget.ts';
import {
  type RenderedSms,
  renderSms,
  restrictionReminderValues,
  SmsTooLongError,
  templateForCategory,
} from '../sms/messages.ts';
import { maskPhone } from '../sms/numbers.ts';
import type { PhoneSeal, SmsContacts, SmsNumberCap } from '../sms/ports.ts';
import type { SubscriberRepository } from '../subscribers/subscriber.ts';
import type { PushCategory } from '../vocabulary.ts';
import { type DeliverRecipients, earlierResult, HALTED, type RecipientResult } from './bundles.ts';
import { pacer, pool } from './pacing.ts';
import type { PushLedger, Timer } from './ports.ts';

export interface SmsRecipient {
  /** HMAC of the number (the SMS subscriber id). */
  subscriberId: string;
  category: PushCategory;
  pushKey: string;
  runKey: string;
  /** The delivery bundle it came in (recorded on the ledger reservation). */
  bundle: string;
  /** The template's parameters by name (core/sms/messages.ts restrictionReminderValues for reminders). */
  values: Record<string, string>;
  /** An owner's registered phone (driver notices): reachable without a profile, unless opted out. */
  registeredPhone?: boolean;
}

export interface SmsDeliverDeps extends SmsSendDeps {
  subscribers: Pick<SubscriberRepository, 'get'>;
  contacts: Pick<SmsContacts, 'get'>;
  /** Owners' registered phones by their SMS identity (driver notices), where the function reads them. */
  registeredPhones?: Pick<SmsContacts, 'get'>;
  vault: Pick<PhoneSeal, 'decrypt'>;
  numberCap: SmsNumberCap;
  ledger: PushLedger;
  policy: () => Promise<FrequencyPolicy>;
  catalogue: SmsCatalogue;
  settings: SmsSendDeps['settings'] & { maxParts: number; numberDailyCap: number };
}

export async function deliverSms(recipient: SmsRecipient, deps: SmsDeliverDeps): Promise<Outcome> {
  const { subscriberId: id, pushKey } = recipient;
  const ref = { channel: 'sms' as const, id };
  const now = deps.clock.now();
  const req = capRequest(await deps.policy(), 'sms', recipient.category, now);

  // 1. Status.
  const subscriber = await deps.subscribers.get(ref);
  // A registered phone has no profile unless its owner texted us (a TD there still stops it).
  const status = subscriber?.status ?? (recipient.registeredPhone ? 'active' : 'unfollowed');
  if (status !== 'active') {
    return (await deps.ledger.skip('sms', id, req.date, pushKey, status)) === 'duplicate'
      ? 'duplicate'
      : status;
  }

  // 2. Render (pure) and find the number.
  const kind: SmsTemplateKind = templateForCategory(recipient.category, recipient.values);
  let message: RenderedSms;
  try {
    message = renderSms(deps.catalogue, kind, recipient.values, deps.settings.maxParts);
  } catch (error) {
    if (!(error instanceof SmsTooLongError) && !(error instanceof ValidationError)) throw error;
    deps.log('warn', 'SMS refused before sending', { pushKey, reason: error.message });
    return (await deps.ledger.skip('sms', id, req.date, pushKey, 'refused')) === 'duplicate'
      ? 'duplicate'
      : 'failed';
  }
  const contact =
    (await deps.contacts.get(id)) ??
    (recipient.registeredPhone ? await deps.registeredPhones?.get(id) : undefined);
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

export interface SmsDeliveryDeps extends Omit<SmsDeliverDeps, 'ledger'> {
  restrictions(): Promise<RestrictionBook>;
  timer: Timer;
  /** Sends per second per invocation and in flight at once; the queue's maximum concurrency multiplies them. */
  pacing: { ratePerSecond: number; concurrency: number };
}

/** The template parameters of one recipient: the planner's (notices), or the reminder from the engine. */
async function valuesFor(d: DeliveryMessage, r: Recipient, deps: SmsDeliveryDeps) {
  if (d.values) return d.values;
  const answer = restrictionOn(await deps.restrictions(), d.city, d.date);
  return restrictionReminderValues(
    { date: d.date, tails: answer.status === 'restricted' ? answer.tails : [] },
    r.plates,
  );
}

/** SMS delivery for one invocation. */
export function smsDelivery(deps: SmsDeliveryDeps): DeliverRecipients {
  const pace = pacer(deps.pacing.ratePerSecond, deps.timer);
  return async (d, todo, ctx, finish) => {
    const { gateway } = deps;
    const req = capRequest(await deps.policy(), 'sms', d.category, deps.clock.now());
    const perBundle: SmsDeliverDeps = {
      ...deps,
      ledger: ctx.ledger,
      // A configuration error (credentials, sign, template) fails every send alike: halt SMS for
      // this run rather than call the gateway for each remaining recipient.
      gateway: {
        provider: gateway.provider,
        send: async (message) => {
          const result = await gateway.send(message);
          if (result.status === 'failed' && result.configuration)
            await ctx.haltChannel(d.runKey, `SMS ${gateway.provider} ${result.code}: configuration refused`);
          return result;
        },
      },
    };
    await pool(
      todo,
      deps.pacing.concurrency,
      async (r) => {
        await pace();
        if (ctx.aborted(d.runKey)) return;
        if (ctx.halted(d.runKey)) return finish(r, HALTED);
        let result: RecipientResult;
        try {
          const outcome = await deliverSms(
            {
              subscriberId: r.id,
              category: d.category,
              pushKey: d.pushKey,
              runKey: d.runKey,
              bundle: d.bundle,
              values: await valuesFor(d, r, deps),
              ...(d.registeredPhone ? { registeredPhone: true } : {}),
            },
            perBundle,
          );
          // deliverSms settles every outcome on the ledger itself; the receipt spares a redelivery the work.
          result =
            outcome === 'duplicate'
              ? earlierResult(await ctx.ledger.earlier('sms', r.id, req.date, d.pushKey, d.bundle))
              : { outcome, receipt: outcome };
        } catch (error) {
          // This recipient alone: the others of the bundle go on; it is tried again next attempt.
          return ctx.retryLater(r, errorName(error));
        }
        finish(r, result);
      },
      () => ctx.aborted(d.runKey),
    );
  };
}
