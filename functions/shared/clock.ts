/**
 * The functions' one clock, injected wherever time matters. On AWS it is the system clock. On the
 * local stack (STAGE=local) an operator or a test may shift it with LOCAL_TIME_OFFSET_MS — to try the
 * 07:00 push or quiet hours at any hour — read from the stack's own process environment on every
 * call, so a shift takes effect at once for every function.
 */
import type { Clock } from '../core/time.ts';
import { isLocal } from './config.ts';

export const clock: Clock = {
  now: () => {
    const offset = isLocal() ? Number(process.env.LOCAL_TIME_OFFSET_MS ?? 0) : 0;
    return new Date(Date.now() + (Number.isFinite(offset) ? offset : 0));
  },
};

/**
 * Protocol time: the real epoch milliseconds, never shifted — what WeChat signs timestamps with and
 * DynamoDB expires items by. Domain decisions ("today", quiet hours) use `clock`.
 */
export const protocolNow = () => Date.now();

/** Protocol time as a Clock: what a follower's customer-service window is counted in (WeChat's time). */
export const protocolClock: Clock = { now: () => new Date(protocolNow()) };
