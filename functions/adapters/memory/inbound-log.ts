/** In-memory InboundLog for unit tests, with the DynamoDB one's semantics (expiry checked on claim). */
import { INBOUND_RETENTION_SECONDS, type InboundLog, type InboundRecord } from '../dynamodb/inbound-log.ts';

export class MemoryInboundLog implements InboundLog {
  readonly records = new Map<string, InboundRecord>();
  async claim(key: string, nowMs: number) {
    const existing = this.records.get(key);
    if (existing && existing.expiresAt >= Math.floor(nowMs / 1000)) return structuredClone(existing);
    this.records.set(key, {
      state: 'processing',
      reply: null,
      async: false,
      asyncSent: false,
      claimedAt: nowMs,
      expiresAt: Math.floor(nowMs / 1000) + INBOUND_RETENTION_SECONDS,
    });
    return 'claimed' as const;
  }
  async get(key: string) {
    const r = this.records.get(key);
    return r ? structuredClone(r) : undefined;
  }
  async complete(key: string, reply: string | null) {
    const r = this.records.get(key);
    if (r) Object.assign(r, { state: 'done', reply });
  }
  async markAsync(key: string) {
    const r = this.records.get(key);
    if (!r || r.async) return false;
    r.async = true;
    return true;
  }
  async releaseAsyncSend(key: string) {
    const r = this.records.get(key);
    if (r) r.asyncSent = false;
  }
  readonly nonces = new Map<string, string>();
  async bindNonce(nonceKey: string, messageKey: string) {
    const bound = this.nonces.get(nonceKey);
    if (bound && bound !== messageKey) return false;
    this.nonces.set(nonceKey, messageKey);
    return true;
  }
  async release(key: string) {
    if (this.records.get(key)?.state === 'processing') this.records.delete(key);
  }
  async claimAsyncSend(key: string) {
    const r = this.records.get(key);
    if (!r || r.asyncSent || r.state !== 'done') return false;
    r.asyncSent = true;
    return true;
  }
}
