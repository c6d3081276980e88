/**
 * Pacing: a few sends in flight, under a per-invocation rate. The queue's maximum concurrency times
 * the rate is what a run asks of a provider, which keeps it under the provider's quotas.
 */
import type { Timer } from './ports.ts';

/** Runs `work` over the items with at most `concurrency` in flight; stops taking new ones on `stop()`. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length && failure === null && !stop()) {
        const item = items[next++]!;
        try {
          await work(item);
        } catch (error) {
          failure ??= { error };
        }
      }
    }),
  );
  if (failure) throw (failure as { error: unknown }).error;
}

/**
 * A per-invocation rate limit: each call waits for its own slot, `perSecond` slots a second (a
 * number, or read at each call when the rate can change during the invocation).
 */
export function pacer(perSecond: number | (() => number), timer: Timer): () => Promise<void> {
  const rate = typeof perSecond === 'number' ? () => perSecond : perSecond;
  let nextSlot = 0;
  return async () => {
    const now = timer.elapsed();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + 1000 / rate();
    if (slot > now) await timer.sleep(slot - now);
  };
}
