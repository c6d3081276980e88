/**
 * Quiet hours: routine pushes that would arrive inside the channel's window wait for its end;
 * emergencies and the desk's answers to a citizen's own case are never deferred; restriction
 * reminders may go from `restrictionFrom` (the window's last stretch before restrictions begin).
 * Windows may wrap midnight (21:30–07:00).
 */
import type { FrequencyPolicy } from '../../../schemas/pushes.ts';
import { zonedFormatter } from '../time.ts';
import type { Channel, PushCategory } from '../vocabulary.ts';

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

const HOUR_MINUTE: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
function localMinutes(now: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    zonedFormatter('en-GB', HOUR_MINUTE, timeZone)
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return Number(parts.hour) * 60 + Number(parts.minute);
}

/**
 * When a push must wait for quiet hours to end: the instant the window ends, or null to send now.
 * Emergencies are never deferred. Windows may wrap midnight (21:30–07:00).
 */
export function quietUntil(
  policy: FrequencyPolicy,
  channel: Channel,
  category: PushCategory,
  now: Date,
): Date | null {
  const q = policy.channels[channel].quietHours;
  const klass = policy.channels[channel].classOf[category];
  if (!q || klass === 'emergency' || klass === 'desk') return null;
  const from = minutesOf(q.from);
  const to = minutesOf(q.to);
  const m = localMinutes(now, policy.timeZone);
  const inside = from <= to ? m >= from && m < to : m >= from || m < to;
  if (!inside) return null;
  // The restriction reminder may start before the window ends, to arrive before restrictions begin.
  if (category === 'restriction' && q.restrictionFrom && m >= minutesOf(q.restrictionFrom) && m < to)
    return null;
  const wait = (to - m + 24 * 60) % (24 * 60);
  const end = new Date(now.getTime() + wait * 60_000);
  end.setUTCSeconds(0, 0);
  return end;
}
