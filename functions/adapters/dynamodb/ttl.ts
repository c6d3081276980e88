/**
 * TTL values (epoch seconds) are never written already expired: DynamoDB (and DynamoDB Local) may
 * delete an item whose TTL has passed at any moment, so an item dated by a clock set in the past —
 * the local stack's LOCAL_TIME_OFFSET_MS, a test's fixed clock — would vanish under its reader. In
 * production the dates are today's and the floor (a day from now) never applies.
 */
export const ttlFloor = (epochSeconds: number): number =>
  Math.max(epochSeconds, Math.floor(Date.now() / 1000) + 86_400);
