/**
 * WeChat's 43117 (this follower was messaged too often): the follower alone waits and is tried again,
 * a few times (./wechat.ts `deferTooFrequent`). What the deferral is called is shared with the run's
 * records, so a resume can tell a follower still waiting from one whose deferred push was lost
 * (functions/adapters/dynamodb/push-runs.ts `unfinished`).
 */

/** How long a follower WeChat answered 43117 for waits, and how many times at most. */
export const FREQUENCY_RETRY_MS = 30 * 60_000;
export const FREQUENCY_ATTEMPTS = 3;

/** The bundle a follower deferred alone after 43117 travels in: its origin, the follower, the attempt. */
export const frequencyBundle = (bundle: string, openid: string, attempt: number) =>
  `${bundle.split('#43117#')[0]}#43117#${openid}#${attempt}`;

/** The attempt a receipt's `deferred:43117#<n>` says the follower was deferred to, or null. */
export function frequencyDeferral(receipt: unknown): number | null {
  const m = typeof receipt === 'string' ? /^deferred:43117#(\d+)$/.exec(receipt) : null;
  return m ? Number(m[1]) : null;
}
