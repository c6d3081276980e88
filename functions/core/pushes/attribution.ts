/** Unfollow attribution: which push is held responsible when a follower leaves or blocks the account. */
import { byInstant } from '../time.ts';

/**
 * Unfollow attribution: of the pushes sent to a person, the most recent within 24 h before they
 * unfollowed or blocked the account is the one held responsible.
 */
export function attributableSend<T extends { at: string }>(sends: T[], unfollowedAt: Date): T | null {
  const window = 24 * 3600_000;
  const candidates = sends.filter((s) => {
    const t = Date.parse(s.at);
    return t <= unfollowedAt.getTime() && unfollowedAt.getTime() - t <= window;
  });
  return candidates.sort((a, b) => byInstant(b.at, a.at))[0] ?? null;
}
