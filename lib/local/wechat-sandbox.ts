/**
 * A WeChat API sandbox for the local stack (WECHAT_API_BASE points here): stable_token, template
 * send, customer-service send and user info, with what would have been sent recorded in an outbox,
 * and faults an operator or a test can switch on: 43004 for unfollowed openids, 45009 after N
 * sends, -1 at a given rate, 40001 once or at a given rate (the token is invalidated each time, as
 * when another caller refreshed it with force_refresh). With `keepOutboxIn` (the local stack gives
 * it the data folder), the outbox outlives a crash of the stack, as WeChat's record of what it
 * received would: after a restart, what went out before is still there.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface OutboxEntry {
  seq: number;
  at: string;
  kind: 'custom' | 'template';
  appId: string;
  touser: string;
  body: Record<string, unknown>;
  msgid: number;
}

export interface Faults {
  unfollowed: string[];
  /** Sends allowed today before 45009 (null = unlimited). */
  quotaRemaining: number | null;
  /** Probability of errcode -1 per send. */
  busyRate: number;
  /** The next call with a token answers 40001 once. */
  invalidTokenOnce: boolean;
  /** Probability that a call answers 40001 and invalidates the token (default 0). */
  invalidTokenRate?: number;
}

export class WeChatSandbox {
  readonly outbox: OutboxEntry[] = [];
  faults: Faults = { unfollowed: [], quotaRemaining: null, busyRate: 0, invalidTokenOnce: false };
  stableTokenCalls = 0;
  private tokens = new Map<string, { token: string; expiresAt: number }>();
  private seq = 0;
  private outboxFile: string | undefined;

  /** Keeps the outbox in `file` (one JSON line per message), after taking back what it holds. */
  keepOutboxIn(file: string): void {
    if (existsSync(file))
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        try {
          if (line) this.outbox.push(JSON.parse(line) as OutboxEntry);
        } catch {
          // the last line of a process killed while writing it
        }
      }
    this.seq = Math.max(this.seq, ...this.outbox.map((o) => o.seq));
    this.outboxFile = file;
  }

  private tokenFor(appId: string, now: number) {
    let t = this.tokens.get(appId);
    if (!t || t.expiresAt - now < 5 * 60_000) {
      t = { token: `sandbox-${randomBytes(12).toString('hex')}`, expiresAt: now + 7200_000 };
      this.tokens.set(appId, t);
    }
    return t;
  }

  private appIdOf(token: string | null): string | undefined {
    for (const [appId, t] of this.tokens) if (t.token === token) return appId;
    return undefined;
  }

  /** Empties the outbox (and its file); returns how many messages it held. */
  clearOutbox(): number {
    if (this.outboxFile) writeFileSync(this.outboxFile, '');
    return this.outbox.splice(0).length;
  }

  /** Handles `/cgi-bin/...`; returns the JSON answer WeChat would give. */
  handle(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Record<string, unknown>,
    now = Date.now(),
  ): Record<string, unknown> {
    if (path === '/cgi-bin/stable_token' && method === 'POST') {
      this.stableTokenCalls++;
      if (typeof body.appid !== 'string' || typeof body.secret !== 'string')
        return { errcode: 40013, errmsg: 'invalid appid' };
      const t = this.tokenFor(body.appid, now);
      return { access_token: t.token, expires_in: Math.floor((t.expiresAt - now) / 1000) };
    }
    const token = query.get('access_token');
    const appId = this.appIdOf(token);
    if (!appId)
      return {
        errcode: 40001,
        errmsg: 'invalid credential, access_token is invalid or not latest (sandbox)',
      };
    if (this.faults.invalidTokenOnce || Math.random() < (this.faults.invalidTokenRate ?? 0)) {
      this.faults.invalidTokenOnce = false;
      this.tokens.delete(appId);
      return { errcode: 40001, errmsg: 'invalid credential (sandbox fault)' };
    }
    if (path === '/cgi-bin/user/info' && method === 'GET') {
      const openid = query.get('openid') ?? '';
      return { subscribe: this.faults.unfollowed.includes(openid) ? 0 : 1, openid };
    }
    const kind =
      path === '/cgi-bin/message/custom/send'
        ? 'custom'
        : path === '/cgi-bin/message/template/send'
          ? 'template'
          : null;
    if (!kind || method !== 'POST')
      return { errcode: 48001, errmsg: `api unauthorized (sandbox has no ${method} ${path})` };
    const touser = String(body.touser ?? '');
    if (this.faults.unfollowed.includes(touser))
      return { errcode: 43004, errmsg: 'require subscribe (sandbox)' };
    if (this.faults.quotaRemaining !== null && this.faults.quotaRemaining <= 0) {
      return { errcode: 45009, errmsg: 'reach max api daily quota limit (sandbox)' };
    }
    if (Math.random() < this.faults.busyRate) return { errcode: -1, errmsg: 'system error (sandbox)' };
    if (this.faults.quotaRemaining !== null) this.faults.quotaRemaining--;
    const msgid = 1_000_000 + ++this.seq;
    const entry: OutboxEntry = {
      seq: this.seq,
      at: new Date(now).toISOString(),
      kind,
      appId,
      touser,
      body,
      msgid,
    };
    if (this.outboxFile) appendFileSync(this.outboxFile, `${JSON.stringify(entry)}\n`);
    this.outbox.push(entry);
    return { errcode: 0, errmsg: 'ok', ...(kind === 'template' ? { msgid } : {}) };
  }
}
