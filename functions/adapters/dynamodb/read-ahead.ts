/**
 * Reads begun early and taken once. The WeChat webhook begins the reads a message will need beside
 * its de-duplication claim (functions/adapters/wechat/webhook.ts `prefetch`), so a question waits one
 * round trip, not two, before its answer is decided. The first use within a few seconds takes the
 * early read; after that, or when it failed, the read is made again. An early read that went stale
 * meanwhile is safe: every write that follows one is conditioned on what it read.
 */

/** How long an early read waits to be taken (the webhook takes it within milliseconds). */
const TTL_MS = 3000;

export class ReadAhead<V> {
  private readonly early = new Map<string, Promise<V>>();

  /** Starts `read` now, for the next `take` of `key`. */
  begin(key: string, read: () => Promise<V>): void {
    const started = read();
    started.catch(() => {}); // a failed early read is made again by whoever takes it
    this.early.set(key, started);
    setTimeout(() => {
      if (this.early.get(key) === started) this.early.delete(key);
    }, TTL_MS).unref();
  }

  /** Drops an early read of `key` not yet taken: the caller is about to change what it read. */
  forget(key: string): void {
    this.early.delete(key);
  }

  /** The early read of `key` if one was begun (once), else `read` now. */
  take(key: string, read: () => Promise<V>): Promise<V> {
    const started = this.taken(key);
    return started ? started.catch(() => read()) : read();
  }

  /** The early read of `key` if one was begun (once), as it ended (rejected if it failed). */
  taken(key: string): Promise<V> | undefined {
    const started = this.early.get(key);
    this.early.delete(key);
    return started;
  }
}
