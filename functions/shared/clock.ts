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

/**
 * The local stack's time scale (LOCAL_TIME_SCALE, STAGE=local only; 1 on AWS): the queues' visibility
 * timeouts and the push ledger's in-flight window shrink together, so what holds between them on AWS
 * (a deliver function's timeout < the in-flight window < its queue's visibility timeout) holds
 * locally, minutes becoming seconds — what the chaos suite runs with.
 */
export const localTimeScale = (): number => {
  const scale = isLocal() ? Number(process.env.LOCAL_TIME_SCALE ?? 1) : 1;
  return Number.isFinite(scale) && scale > 0 && scale <= 1 ? scale : 1;
};
/** Protocol time as a Clock: what a follower's customer-service window is counted in (WeChat's time). */
export const protocolClock: Clock = { now: () => new Date(protocolNow()) };
