/**
 * Who a restriction reminder is for: of a subscriber's plates in a fan-out segment, those the engine
 * says may not drive in the city on the date — under the rule in force that day, with its letter-tail
 * rule and exemptions (new-energy, police, emergency plates, …). The index only groups bindings by
 * city and tail; this is evaluated when a run is expanded, so a rule change that adds an exemption
 * takes effect on the next run without rebuilding the index. Expansion and the dry run both use it.
 */

import { plateRestrictionOn, type RestrictionBook } from '../restrictions/engine.ts';
import { PlateError } from '../restrictions/plates.ts';

/**
 * `remind`: the plates to name in the reminder; `exempt`: none of them is restricted (the subscriber
 * gets nothing); `invalid`: a stored plate the engine can no longer read, so nothing true can be said.
 */
export type ReminderVerdict =
  | { verdict: 'remind'; plates: string[] }
  | { verdict: 'exempt' }
  | { verdict: 'invalid' };

export function reminderFor(
  book: RestrictionBook,
  city: string,
  date: string,
  plates: readonly string[],
): ReminderVerdict {
  const restricted: string[] = [];
  let unreadable = 0;
  for (const plate of plates) {
    try {
      if (plateRestrictionOn(book, plate, city, date).restricted) restricted.push(plate);
    } catch (error) {
      if (!(error instanceof PlateError)) throw error;
      unreadable++;
    }
  }
  if (restricted.length) return { verdict: 'remind', plates: restricted };
  return unreadable === plates.length && plates.length > 0 ? { verdict: 'invalid' } : { verdict: 'exempt' };
}
