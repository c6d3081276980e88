/**
 * Subscriber support: find followers by plate or phone number, and what they were pushed lately.
 * Personal data is masked unless the caller is admin (supportView). A phone number is never stored
 * in the clear: it is looked up by its HMAC (the same id the SMS channel keys the subscriber by), and
 * WeChat followers who linked that number for SMS fallback are found by the same id.
 */

import { parsePlate } from '../restrictions/plates.ts';
import { maskPhone, normalisePhone } from '../sms/numbers.ts';
import type { Subscriber } from '../subscribers/subscriber.ts';
import type { Channel } from '../vocabulary.ts';
import { supportView } from './reports.ts';

export interface SubscriberRef {
  channel: Channel;
  id: string;
}

/** A push on a subscriber's day ledger; `outcome` only when it did not go out (the ledger's `s:` mark). */
export interface LedgerPush {
  date: string;
  key: string;
  outcome: string | null;
}

export interface SupportDeps {
  get(ref: SubscriberRef): Promise<Subscriber | undefined>;
  /** Subscribers with a binding of this canonical plate (any status). */
  withPlate(plate: string): Promise<SubscriberRef[]>;
  /** WeChat followers whose SMS fallback is the number with this id. */
  withFallbackNumber(smsId: string): Promise<SubscriberRef[]>;
  /** The SMS subscriber id of an E.164 number (HMAC under the deployment's pepper). */
  phoneId(e164: string): Promise<string>;
  /** The pushes on the subscriber's day ledgers, newest first. */
  ledger(ref: SubscriberRef): Promise<LedgerPush[]>;
}

/** At most this many subscribers are shown for one search (a plate is bound by few people). */
export const MAX_SEARCH_RESULTS = 20;

/** The support view with the pushes the ledger still holds (9 days). */
export async function supportViewWithPushes(
  s: Subscriber,
  unmasked: boolean,
  deps: Pick<SupportDeps, 'ledger'>,
) {
  return { ...supportView(s, unmasked), recentPushes: await deps.ledger(s) };
}

export async function findSubscribers(
  query: { plate?: string | undefined; phone?: string | undefined },
  unmasked: boolean,
  deps: SupportDeps,
) {
  let refs: SubscriberRef[];
  let searched: { by: 'plate' | 'phone'; value: string };
  if (query.plate !== undefined) {
    const plate = parsePlate(query.plate).canonical;
    refs = await deps.withPlate(plate);
    searched = { by: 'plate', value: plate };
  } else {
    const e164 = normalisePhone(query.phone ?? '');
    const smsId = await deps.phoneId(e164);
    refs = [{ channel: 'sms', id: smsId }, ...(await deps.withFallbackNumber(smsId))];
    searched = { by: 'phone', value: unmasked ? e164 : maskPhone(e164) };
  }
  const unique = [...new Map(refs.map((r) => [`${r.channel}#${r.id}`, r])).values()].slice(
    0,
    MAX_SEARCH_RESULTS,
  );
  const found = (await Promise.all(unique.map((r) => deps.get(r)))).filter(
    (s): s is Subscriber => s !== undefined,
  );
  return {
    searched,
    subscribers: await Promise.all(found.map((s) => supportViewWithPushes(s, unmasked, deps))),
  };
}
