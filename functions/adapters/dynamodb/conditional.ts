/**
 * Conditional writes: `conditionally` runs one and says whether its condition held; `retryOnConflict`
 * repeats an optimistic read-modify-write that met a concurrent writer, a bounded number of times
 * with full-jitter exponential backoff, so writers that collided do not collide again in lockstep.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/** Runs a conditional write; true when it happened, false when its condition did not hold. */
export async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** A conditional write (or a transaction) that lost to another writer. */
export const isConflict = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || error instanceof TransactionCanceledException;

export interface ConflictRetries {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The backoff before attempt n+1 is random in [0, min(capMs, baseMs · 2^n)]. */
  baseMs: number;
  capMs: number;
}

/**
 * Reads on each attempt (the attempt re-reads what it changes) and retries it while it throws a
 * conflict; the last conflict is rethrown. The defaults fit inside the WeChat webhook's reply budget:
 * at most ~1.6 s of waiting in all.
 */
export async function retryOnConflict<T>(
  attempt: () => Promise<T>,
  retries: ConflictRetries = { attempts: 12, baseMs: 10, capMs: 250 },
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isConflict(error) || n >= retries.attempts) throw error;
      await sleep(Math.random() * Math.min(retries.capMs, retries.baseMs * 2 ** n));
    }
  }
}
