/**
 * The functions' clock. On AWS it is the system clock. On the local stack (STAGE=local) an operator
 * or a test may shift it with LOCAL_TIME_OFFSET_MS — to try the 07:00 push or quiet hours at any
 * hour — read on every call, so the shift takes effect without a restart.
 */
import type { Clock } from '../core/time.ts';

export const clock: Clock = {
  now: () => {
    const offset = process.env.STAGE === 'local' ? Number(process.env.LOCAL_TIME_OFFSET_MS ?? 0) : 0;
    return new Date(Date.now() + (Number.isFinite(offset) ? offset : 0));
  },
};
