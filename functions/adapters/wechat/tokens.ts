/**
 * access_token from `/cgi-bin/stable_token` only. In normal mode stable_token returns the same
 * token while it is valid, so many containers fetching at once cannot invalidate each other; the
 * DynamoDB copy spares them the call and the in-memory copy (with one in-flight fetch per account)
 * spares DynamoDB. A token is refreshed when under 4 minutes remain. On 40001/40014/42001 the
 * caller asks `invalidate(account, failedToken)`: the cached token is expired only if it is still
 * the one that failed (compare-and-expire), so a storm of failures causes one refresh, not many.
 * force_refresh is never used (it would invalidate every other container's token).
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { conditionally } from '../dynamodb/conditional.ts';
import { keys } from '../dynamodb/keys.ts';
import { WeChatApiError } from './errors.ts';

export interface CachedToken {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface TokenStore {
  read(appId: string): Promise<CachedToken | undefined>;
  write(appId: string, token: CachedToken): Promise<void>;
  /** Expires the stored token only if it is `failed`. */
  expireIf(appId: string, failed: string): Promise<void>;
  /** True for the one caller that may fetch now (a short lease); the others wait for its token. */
  tryLease(appId: string, nowMs: number, leaseMs: number): Promise<boolean>;
}

export interface TokenManager {
  get(account: WeChatAccount): Promise<string>;
  invalidate(account: WeChatAccount, failedToken: string): Promise<void>;
}

/**
 * stable_token hands out a new token only in the last 5 minutes of the old one (until then it returns
 * the same token), so we refresh below 4 minutes: earlier would refetch the same token on every call.
 */
export const REFRESH_BELOW_MS = 4 * 60 * 1000;
const LEASE_MS = 3000;

export interface StableTokenOptions {
  baseUrl: string;
  store: TokenStore;
  now?: () => number;
  fetch?: typeof fetch;
}

export class StableTokenManager implements TokenManager {
  private readonly memory = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly options: Required<StableTokenOptions>;
  /** stable_token calls this instance made (for tests and metrics). */
  fetches = 0;

  constructor(options: StableTokenOptions) {
    this.options = { now: Date.now, fetch: globalThis.fetch, ...options };
  }

  private fresh(t: CachedToken | undefined): t is CachedToken {
    return t !== undefined && t.expiresAt - this.options.now() > REFRESH_BELOW_MS;
  }

  async get(account: WeChatAccount): Promise<string> {
    const cached = this.memory.get(account.appId);
    if (this.fresh(cached)) return cached.token;
    let pending = this.inFlight.get(account.appId);
    if (!pending) {
      pending = this.load(account).finally(() => this.inFlight.delete(account.appId));
      this.inFlight.set(account.appId, pending);
    }
    return pending;
  }

  private async load(account: WeChatAccount): Promise<string> {
    const { store } = this.options;
    const stored = await store.read(account.appId);
    if (this.fresh(stored)) {
      this.memory.set(account.appId, stored);
      return stored.token;
    }
    // Many cold containers at once: one fetches, the rest wait briefly for its token. If the lease
    // holder dies, the wait ends and each fetches itself (stable_token is safe to call concurrently).
    if (await store.tryLease(account.appId, this.options.now(), LEASE_MS)) {
      // Double-check under the lease: another container may have stored a token meanwhile.
      const again = await store.read(account.appId);
      if (this.fresh(again)) {
        this.memory.set(account.appId, again);
        return again.token;
      }
    } else {
      for (let waited = 0; waited < LEASE_MS; waited += 100) {
        await new Promise((r) => setTimeout(r, 100));
        const shared = await store.read(account.appId);
        if (this.fresh(shared)) {
          this.memory.set(account.appId, shared);
          return shared.token;
        }
      }
    }
    const fetched = await this.fetchStable(account);
    await this.options.store.write(account.appId, fetched);
    this.memory.set(account.appId, fetched);
    return fetched.token;
  }

  private async fetchStable(account: WeChatAccount): Promise<CachedToken> {
    this.fetches++;
    const res = await this.options.fetch(`${this.options.baseUrl}/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credential',
        appid: account.appId,
        secret: account.appSecret,
        force_refresh: false,
      }),
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json()) as {
      access_token?: string;
      expires_in?: number;
      errcode?: number;
      errmsg?: string;
    };
    if (!body.access_token || typeof body.expires_in !== 'number') {
      throw new WeChatApiError(body.errcode ?? -1, body.errmsg ?? `stable_token HTTP ${res.status}`);
    }
    return { token: body.access_token, expiresAt: this.options.now() + body.expires_in * 1000 };
  }

  async invalidate(account: WeChatAccount, failedToken: string): Promise<void> {
    if (this.memory.get(account.appId)?.token === failedToken) this.memory.delete(account.appId);
    await this.options.store.expireIf(account.appId, failedToken);
  }
}

/** The shared copy in the operations table (`TOKEN#{appId}`), encrypted at rest with the CMK. */
export class DynamoTokenStore implements TokenStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }
  private key = keys.wechatToken;

  async read(appId: string) {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: this.key(appId), ConsistentRead: true }),
    );
    const item = res.Item;
    return item && typeof item.token === 'string'
      ? { token: item.token, expiresAt: Number(item.expiresAtMs) }
      : undefined;
  }

  async write(appId: string, t: CachedToken) {
    // Never replace a token that lives longer than ours (a slower writer must not roll it back).
    await conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...this.key(appId),
            token: t.token,
            expiresAtMs: t.expiresAt,
            expiresAt: Math.ceil(t.expiresAt / 1000),
          },
          ConditionExpression: 'attribute_not_exists(expiresAtMs) OR expiresAtMs <= :e',
          ExpressionAttributeValues: { ':e': t.expiresAt },
        }),
      ),
    );
  }

  async tryLease(appId: string, nowMs: number, leaseMs: number) {
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(appId),
          UpdateExpression: 'SET leaseUntil = :until',
          ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :now',
          ExpressionAttributeValues: { ':until': nowMs + leaseMs, ':now': nowMs },
        }),
      ),
    );
  }

  async expireIf(appId: string, failed: string) {
    await conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(appId),
          UpdateExpression: 'SET expiresAtMs = :zero',
          ConditionExpression: '#t = :failed',
          ExpressionAttributeNames: { '#t': 'token' },
          ExpressionAttributeValues: { ':zero': 0, ':failed': failed },
        }),
      ),
    );
  }
}
