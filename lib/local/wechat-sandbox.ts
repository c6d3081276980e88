/**
 * A WeChat API sandbox for the local stack (WECHAT_API_BASE points here): stable_token, template
 * send, subscription notices (bizsend), customer-service send (text, news), user info, the custom
 * menu (create, get_current_selfmenu_info), drafts and article mass sends, with what would have been
 * sent recorded in an outbox. It checks what WeChat checks: typed template values as WeChat states
 * the rules (47003, written here from the platform's table, independently of the code that makes
 * values valid), the keys of a template it knows, consent to a subscription template (43101), the
 * menu's limits (40016–40027 family), a mass send's clientmsgid (45065). Faults an operator or a test
 * can switch on: 43004 for unfollowed openids, 45009 after N sends, -1 at a given rate, 40001 once
 * or at a given rate (the token is invalidated each time, as when another caller refreshed it with
 * force_refresh), 43117 for chosen openids, 45015 (the customer-service window closed, as WeChat
 * counts it) for others. With `keepOutboxIn` (the local stack gives it the data folder), the outbox
 * outlives a crash of the stack, as WeChat's record of what it received would: after a restart, what
 * went out before is still there.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface OutboxEntry {
  seq: number;
  at: string;
  kind: 'custom' | 'template' | 'subscribe' | 'menu' | 'draft' | 'mass';
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
  /**
   * Openids whose customer-service window WeChat says is closed (45015), whatever we counted: what a
   * follower 48 hours after their last message gets, without waiting 48 hours (protocol time).
   */
  windowClosed?: string[];
  /** Probability that a call answers 40001 and invalidates the token (default 0). */
  invalidTokenRate?: number;
  /** Openids answered 43117 (messaged too often) for this many more template sends. */
  tooFrequent?: Record<string, number>;
  /**
   * Templates the account has, as added in the MP console: id → each key and, for `const` keys, the
   * declared values (null otherwise). A send to a known template must carry exactly its keys.
   */
  templates?: Record<string, Record<string, string[] | null>>;
  /** Followers who accepted a subscription template in WeChat: openid → template ids (bizsend needs it). */
  subscribeConsents?: Record<string, string[]>;
}

const HAN = /\p{Script=Han}/u;
const DATE = String.raw`\d{4}年\d{1,2}月\d{1,2}日`;
const HM = String.raw`([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?`;
const TIME_POINT = new RegExp(`^(${DATE} ?)?${HM}$`);
const DATE_POINT = new RegExp(`^${DATE}( ${HM})?$`);
const range = (v: string, point: RegExp) => {
  const parts = v.split('~');
  return parts.length <= 2 && parts.every((p) => point.test(p));
};
const chars = (v: string) => [...v].length;

/**
 * Whether a value is one WeChat accepts for a key of this type (the platform's table, §4.1 of
 * wechat-platform-2026.md). Emoji are refused everywhere (WeChat removed them in 2023).
 */
export function weChatAccepts(type: string, v: string, declared: string[] | null = null): boolean {
  if (/\p{Extended_Pictographic}/u.test(v)) return false;
  switch (type) {
    case 'keyword':
      return true; // pre-2023 templates: WeChat shows 20 characters and cuts the rest
    case 'thing':
      return v.length > 0 && chars(v) <= 20 && !/[\n\r\t]/.test(v);
    case 'character_string':
      return chars(v) >= 1 && chars(v) <= 32 && /^[\x21-\x7e]+$/.test(v);
    case 'car_number':
      return chars(v) <= 8 && /^\p{Script=Han}?[A-Z0-9]+\p{Script=Han}?$/u.test(v);
    case 'phrase':
      return /^\p{Script=Han}{1,5}$/u.test(v);
    case 'number':
      return v.length <= 32 && /^-?\d+(\.\d+)?$/.test(v);
    case 'amount':
      return /^[¥￥$€£]?\d{1,10}(\.\d{1,2})?元?$/.test(v);
    case 'phone_number':
      return chars(v) <= 17 && /^\+?[\d][\d -]*$/.test(v);
    case 'name':
      return (HAN.test(v) && /^[\p{Script=Han}·]{1,10}$/u.test(v)) || /^[A-Za-z][A-Za-z .'-]{0,19}$/.test(v);
    case 'letter':
      return /^[A-Za-z]{1,32}$/.test(v);
    case 'symbol':
      return chars(v) <= 5 && /^[^\p{L}\p{N}\s]+$/u.test(v);
    case 'time':
      return range(v, TIME_POINT);
    case 'date':
      return range(v, DATE_POINT);
    case 'const':
      return chars(v) <= 20 && (declared ?? []).includes(v);
    default:
      return false;
  }
}

/** A data key's type: its prefix (`thing1` → thing), as WeChat reads it. */
export const keyType = (key: string) => /^([a-z_]+?)\d+$/.exec(key)?.[1] ?? key;

/** 47003 for the first key whose value WeChat would refuse, or a missing / extra key of a known template. */
function dataProblem(
  data: unknown,
  known: Record<string, string[] | null> | undefined,
): { errcode: number; errmsg: string } | null {
  if (!data || typeof data !== 'object') return { errcode: 47001, errmsg: 'data format error (sandbox)' };
  const entries = Object.entries(data as Record<string, unknown>);
  for (const [key, item] of entries) {
    const value = (item as { value?: unknown } | null)?.value;
    if (typeof value !== 'string')
      return { errcode: 47001, errmsg: `data.${key} has no string value (sandbox)` };
    if (known && !(key in known))
      return {
        errcode: 47003,
        errmsg: `argument invalid! data.${key} is not a key of this template (sandbox)`,
      };
    if (!weChatAccepts(keyType(key), value, known?.[key] ?? null))
      return { errcode: 47003, errmsg: `argument invalid! data.${key}.value invalid (sandbox)` };
  }
  if (known)
    for (const key of Object.keys(known))
      if (!entries.some(([k]) => k === key))
        return { errcode: 47003, errmsg: `argument invalid! data.${key} missing (sandbox)` };
  return null;
}

const MENU_TYPES = new Set([
  'click',
  'view',
  'miniprogram',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
  'article_id',
  'article_view_limited',
]);
const bytes = (s: unknown) => Buffer.byteLength(String(s ?? ''), 'utf8');

/** What menu/create refuses (errcodes as WeChat's): button counts, name sizes, keys, urls. */
function menuProblem(body: Record<string, unknown>): { errcode: number; errmsg: string } | null {
  const buttons = body.button;
  if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3)
    return { errcode: 40016, errmsg: 'invalid button size (sandbox)' };
  const check = (b: Record<string, unknown>, sub: boolean): { errcode: number; errmsg: string } | null => {
    if (bytes(b.name) === 0 || bytes(b.name) > (sub ? 60 : 16))
      return { errcode: 40018, errmsg: 'invalid button name size (sandbox)' };
    const children = b.sub_button;
    if (!sub && Array.isArray(children) && children.length > 0) {
      if (children.length > 5) return { errcode: 40017, errmsg: 'invalid sub button size (sandbox)' };
      for (const c of children) {
        const p = check(c as Record<string, unknown>, true);
        if (p) return p;
      }
      return null;
    }
    if (!MENU_TYPES.has(String(b.type))) return { errcode: 40019, errmsg: 'invalid button type (sandbox)' };
    if (b.type === 'view' || b.type === 'miniprogram') {
      if (!/^https?:\/\//.test(String(b.url ?? '')) || bytes(b.url) > 1024)
        return { errcode: 40055, errmsg: 'invalid button url domain (sandbox)' };
    } else if (!['article_id', 'article_view_limited'].includes(String(b.type))) {
      if (bytes(b.key) === 0 || bytes(b.key) > 128)
        return { errcode: 40019, errmsg: 'invalid button key size (sandbox)' };
    }
    return null;
  };
  for (const b of buttons) {
    const p = check(b as Record<string, unknown>, false);
    if (p) return p;
  }
  return null;
}

/** The menu as get_current_selfmenu_info reports it: sub buttons under `sub_button.list`. */
function selfMenuInfo(menu: Record<string, unknown> | undefined) {
  if (!menu) return { is_menu_open: 0, selfmenu_info: { button: [] } };
  const shape = (b: Record<string, unknown>): Record<string, unknown> => {
    const { sub_button, ...rest } = b;
    return Array.isArray(sub_button) && sub_button.length
      ? { name: b.name, sub_button: { list: sub_button.map((c) => shape(c as Record<string, unknown>)) } }
      : rest;
  };
  return {
    is_menu_open: 1,
    selfmenu_info: { button: (menu.button as Record<string, unknown>[]).map(shape) },
  };
}

export class WeChatSandbox {
  readonly outbox: OutboxEntry[] = [];
  faults: Faults = {
    unfollowed: [],
    quotaRemaining: null,
    busyRate: 0,
    invalidTokenOnce: false,
  };
  stableTokenCalls = 0;
  /** The custom menu of each account (appId), as last created. */
  readonly menus = new Map<string, Record<string, unknown>>();
  private readonly drafts = new Map<string, Record<string, unknown>>();
  private readonly massClientMsgIds = new Set<string>();
  private tokens = new Map<string, { token: string; expiresAt: number }>();
  /** Temporary media by MediaId (what a follower's photo or voice message carries), as WeChat keeps it for 3 days. */
  private readonly media = new Map<string, { bytes: Buffer; contentType: string; at: number }>();
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
    // What WeChat keeps besides: each account's menu, the drafts, the mass sends' clientmsgids.
    for (const { kind, appId, body } of this.outbox) {
      if (kind === 'menu') this.menus.set(appId, body);
      if (kind === 'draft') {
        const { media_id, ...draft } = body;
        this.drafts.set(String(media_id), draft);
      }
      if (kind === 'mass' && typeof body.clientmsgid === 'string')
        this.massClientMsgIds.add(body.clientmsgid);
    }
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

  private record(
    kind: OutboxEntry['kind'],
    appId: string,
    touser: string,
    body: Record<string, unknown>,
    now: number,
  ) {
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
    return msgid;
  }

  putMedia(mediaId: string, bytes: Buffer, contentType: string, now = Date.now()): void {
    this.media.set(mediaId, { bytes, contentType, at: now });
  }

  /** `GET /cgi-bin/media/get`: the file, or WeChat's JSON error (40001 token, 40007 unknown or expired). */
  getMedia(
    query: URLSearchParams,
    now = Date.now(),
  ): { bytes: Buffer; contentType: string } | { errcode: number; errmsg: string } {
    if (!this.appIdOf(query.get('access_token')))
      return {
        errcode: 40001,
        errmsg: 'invalid credential, access_token is invalid or not latest (sandbox)',
      };
    const m = this.media.get(query.get('media_id') ?? '');
    if (!m || now - m.at > 3 * 86_400_000) return { errcode: 40007, errmsg: 'invalid media_id (sandbox)' };
    return { bytes: m.bytes, contentType: m.contentType };
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
    if (path === '/cgi-bin/get_current_selfmenu_info' && method === 'GET')
      return selfMenuInfo(this.menus.get(appId));
    if (path === '/cgi-bin/menu/create' && method === 'POST') {
      const problem = menuProblem(body);
      if (problem) return problem;
      this.menus.set(appId, body);
      this.record('menu', appId, '', body, now);
      return { errcode: 0, errmsg: 'ok' };
    }
    if (path === '/cgi-bin/draft/add' && method === 'POST') {
      const articles = body.articles;
      if (!Array.isArray(articles) || articles.length === 0)
        return { errcode: 47001, errmsg: 'data format error (sandbox)' };
      for (const a of articles as Record<string, unknown>[])
        if (!a.title || !a.content || !a.thumb_media_id)
          return {
            errcode: 40007,
            errmsg: 'invalid media_id: title, content and thumb_media_id are required (sandbox)',
          };
      const mediaId = `draft-${randomBytes(8).toString('hex')}`;
      this.drafts.set(mediaId, body);
      this.record('draft', appId, '', { media_id: mediaId, ...body }, now);
      return { media_id: mediaId };
    }
    if (path === '/cgi-bin/message/mass/sendall' && method === 'POST') {
      const mediaId = (body.mpnews as { media_id?: string } | undefined)?.media_id;
      if (body.msgtype !== 'mpnews' || !mediaId || !this.drafts.has(mediaId))
        return { errcode: 40007, errmsg: 'invalid media_id (sandbox)' };
      const clientMsgId = typeof body.clientmsgid === 'string' ? body.clientmsgid : null;
      if (clientMsgId && this.massClientMsgIds.has(clientMsgId))
        return { errcode: 45065, errmsg: 'clientmsgid exist (sandbox)' };
      if (clientMsgId) this.massClientMsgIds.add(clientMsgId);
      const msgid = this.record('mass', appId, '', body, now);
      return { errcode: 0, errmsg: 'send job submission success', msg_id: msgid, msg_data_id: msgid };
    }
    const kind =
      path === '/cgi-bin/message/custom/send'
        ? 'custom'
        : path === '/cgi-bin/message/template/send'
          ? 'template'
          : path === '/cgi-bin/message/subscribe/bizsend'
            ? 'subscribe'
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
    if (kind === 'custom' && this.faults.windowClosed?.includes(touser))
      return { errcode: 45015, errmsg: 'response out of time limit or subscription is canceled (sandbox)' };
    if (kind === 'template' || kind === 'subscribe') {
      const templateId = String(body.template_id ?? '');
      const problem = dataProblem(body.data, this.faults.templates?.[templateId]);
      if (problem) return problem;
      if (body.url !== undefined && !/^https?:\/\//.test(String(body.url)))
        return { errcode: 47003, errmsg: 'argument invalid! url (sandbox)' };
      if (kind === 'subscribe' && !(this.faults.subscribeConsents?.[touser] ?? []).includes(templateId))
        return { errcode: 43101, errmsg: 'user refuse to accept the msg (sandbox)' };
      const frequent = this.faults.tooFrequent?.[touser] ?? 0;
      if (kind === 'template' && frequent > 0) {
        this.faults.tooFrequent = { ...this.faults.tooFrequent, [touser]: frequent - 1 };
        return { errcode: 43117, errmsg: 'send message to this openid too frequently (sandbox)' };
      }
    }
    if (kind === 'custom' && body.msgtype === 'news') {
      const articles = (body.news as { articles?: unknown[] } | undefined)?.articles;
      if (!Array.isArray(articles) || articles.length !== 1)
        return { errcode: 45008, errmsg: 'article size out of limit (sandbox: one article)' };
    }
    if (this.faults.quotaRemaining !== null) this.faults.quotaRemaining--;
    const msgid = this.record(kind, appId, touser, body, now);
    return { errcode: 0, errmsg: 'ok', ...(kind === 'template' || kind === 'subscribe' ? { msgid } : {}) };
  }
}
