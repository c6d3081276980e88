/**
 * The Official Account webhook, in the order that keeps an attacker-controlled body harmless:
 *  1. size limit (64 KB → 413), no DOCTYPE/ENTITY (400), no repeated query keys (400);
 *  2. `signature` (and in encrypted modes `msg_signature` over <Encrypt>), constant time → 401;
 *  3. optional timestamp freshness window → 401; the account's mode (a safe account refuses
 *     plaintext → 403);
 *  4. decrypt with full validation, current key then the previous one (the reply uses whichever
 *     worked) → 400; parse the (decrypted only) XML with entities off, values as strings. A message
 *     that passed the signature checks (and decrypted) but is not XML or lacks a required field is
 *     answered `success` and counted (metric WeChatMessageUnreadable): any other answer makes WeChat
 *     retry twice and then tell the follower "该公众号暂时无法提供服务"; so is a sender that is not an
 *     openid (metric WeChatSenderRefused): nothing about it is stored;
 *  5. de-duplicate (FromUserName + MsgId, or + CreateTime + Event + EventKey) with reply replay;
 *  6. open the follower's customer-service window (a message: 48 h / 5; a click, follow or scan:
 *     1 min / 3) and converse within a ~3.5 s budget; past it, answer `success` and deliver
 *     asynchronously. Every message type gets an answer: voice WeChat recognised is text, images,
 *     videos, locations and links are answered with what the account can do with them.
 * Platform events are recorded, not conversed: template and mass-send reports, consents to
 * subscription templates; LOCATION reports are kept only for followers who opted in (not
 * de-duplicated: a repeat overwrites the same last location). Nothing is stored before step 5 (or
 * the location), so a rejected request changes no state.
 */
import { OpenIdSchema, type WeChatAccount } from '../../../schemas/wechat.ts';
import type { Attachment, Inbound, Reply } from '../../core/conversation/converse.ts';
import type { WindowTrigger } from '../../core/delivery/customer-service.ts';
import type { SubscriberRef } from '../../core/subscribers/subscriber.ts';
import type { PlatformEvent } from '../../core/subscribers/wechat-events.ts';
import { noticePageUrl } from '../../core/wechat/templates.ts';
import type { InboundLog, InboundRecord } from '../dynamodb/inbound-log.ts';
import type { AccountDirectory } from './accounts.ts';
import {
  aesKeyOf,
  decrypt,
  encrypt,
  randomNonce,
  signature,
  signatureMatches,
  WeChatCryptoError,
} from './crypto.ts';
import {
  extractEncrypt,
  field,
  hasForbiddenDeclarations,
  parseWeChatXml,
  renderEncryptedEnvelope,
  renderReply,
  WeChatXmlError,
  type XmlNode,
} from './xml.ts';

export const MAX_BODY_BYTES = 64 * 1024;

export interface WebhookResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface WebhookRequest {
  accountId: string;
  /** Query parameters as API Gateway passes them (duplicates comma-joined). */
  query: Record<string, string | undefined>;
  rawQueryString: string;
  body: string;
  /** When the invocation started (ms), for the reply budget. */
  startedAt: number;
}

export interface AsyncReplyJob {
  accountId: string;
  openid: string;
  dedupeKey: string;
  /** The message, so the worker can answer it if the first attempt never finished. */
  inbound: Inbound;
}

export interface WebhookDeps {
  accounts: AccountDirectory;
  inbound: InboundLog;
  /** The reply: text, or text with the notice it is about (shown as an article linking to its page). */
  converse: (account: WeChatAccount, ref: SubscriberRef, inbound: Inbound) => Promise<string | Reply | null>;
  /**
   * Begins the reads the message will need (the follower's record; the case or the driver records a
   * question reads) before the claim: the conversation takes them.
   */
  prefetch?: (ref: SubscriberRef, inbound: Inbound) => void;
  /** Waits for what the conversation left to write beside the reply (the last message's time). */
  settle?: (ref: SubscriberRef) => Promise<void>;
  /** Opens the follower's customer-service window (core/delivery/customer-service.ts) at `atMs`. */
  windowOpened: (
    account: WeChatAccount,
    openid: string,
    trigger: WindowTrigger,
    atMs: number,
  ) => Promise<void>;
  /** Records what WeChat reports outside a conversation (core/subscribers/wechat-events.ts). */
  event: (account: WeChatAccount, ref: SubscriberRef, event: PlatformEvent) => Promise<unknown>;
  templateJobFinished: (
    account: WeChatAccount,
    ref: SubscriberRef,
    msgId: string,
    status: string,
  ) => Promise<void>;
  enqueueAsyncReply: (job: AsyncReplyJob) => Promise<void>;
  now: () => number;
  /** 0 disables the freshness check. */
  maxSkewSeconds: number;
  budgetMs: number;
  /** How long a retry waits for the first attempt before going asynchronous. */
  retryWaitMs: number;
  log: (message: string, details: Record<string, unknown>) => void;
  /** Counts an event (an EMF metric on AWS). */
  metric: (name: string, value: number) => void;
}

class Rejection extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const text = (status: number, body: string): WebhookResponse => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body,
});
const SUCCESS = text(200, 'success');

/**
 * Repeated or undecodable query parameter names: WeChat sends neither. (A name is everything before
 * the first `=` of an `&`-separated part; empty parts are skipped; only a name with `%` needs
 * decoding.)
 */
export function queryProblem(rawQueryString: string): string | null {
  const names: string[] = [];
  let repeated = false;
  const raw = rawQueryString;
  for (let start = 0; start < raw.length; ) {
    let end = raw.indexOf('&', start);
    if (end === -1) end = raw.length;
    if (end > start) {
      const eq = raw.indexOf('=', start);
      let name = raw.slice(start, eq === -1 || eq > end ? end : eq);
      if (name.includes('%')) {
        try {
          name = decodeURIComponent(name);
        } catch {
          return 'malformed query parameter';
        }
      }
      if (names.includes(name)) repeated = true;
      else names.push(name);
    }
    start = end + 1;
  }
  return repeated ? 'repeated query parameter' : null;
}

function checkSignature(account: WeChatAccount, q: WebhookRequest['query']): void {
  const { timestamp, nonce } = q;
  if (!timestamp || !nonce || !signatureMatches(q.signature, account.token, timestamp, nonce)) {
    throw new Rejection(401, 'signature does not verify');
  }
}

/** GET: URL verification; echostr returned verbatim as text/plain. */
export async function verifyUrl(req: WebhookRequest, deps: WebhookDeps): Promise<WebhookResponse> {
  try {
    const account = await deps.accounts.get(req.accountId);
    if (!account) throw new Rejection(404, 'unknown account');
    const problem = queryProblem(req.rawQueryString);
    if (problem) throw new Rejection(400, problem);
    checkSignature(account, req.query);
    const echostr = req.query.echostr;
    if (!echostr) throw new Rejection(400, 'echostr missing');
    return text(200, echostr);
  } catch (e) {
    if (e instanceof Rejection) return text(e.status, e.message);
    throw e;
  }
}

export interface Opened {
  account: WeChatAccount;
  /** The message, or why an authenticated body could not be read as one. */
  message: XmlNode | { unreadable: string };
  /** The key that decrypted the request (the reply is encrypted with it), or null for plaintext. */
  key: Buffer | null;
}

/** Parses an authenticated body: what it says, or why it cannot be read (never a rejection). */
function read(xml: string): XmlNode | { unreadable: string } {
  let m: XmlNode;
  try {
    m = parseWeChatXml(xml);
  } catch (e) {
    if (e instanceof WeChatXmlError) return { unreadable: e.message };
    throw e;
  }
  const missing = missingFields(m);
  return missing.length ? { unreadable: `missing ${missing.join(', ')}` } : m;
}

/** The fields every message carries, and those its type needs to be answered. */
function missingFields(m: XmlNode): string[] {
  const required = ['ToUserName', 'FromUserName', 'CreateTime', 'MsgType'];
  const type = field(m, 'MsgType');
  if (type === 'text') required.push('Content');
  if (type === 'event') required.push('Event');
  const missing = required.filter((name) => field(m, name).trim() === '');
  if (!missing.includes('CreateTime') && !/^\d{1,12}$/.test(field(m, 'CreateTime')))
    missing.push('CreateTime');
  return missing;
}

/**
 * Steps 1–4 (the protocol path in): checks the request, verifies its signatures, decrypts and reads
 * it; throws a Rejection (answered with its status) for anything that is not an authentic request.
 */
export function openRequest(
  account: WeChatAccount,
  req: WebhookRequest,
  deps: Pick<WebhookDeps, 'now' | 'maxSkewSeconds' | 'log'>,
): Opened {
  if (Buffer.byteLength(req.body, 'utf8') > MAX_BODY_BYTES) throw new Rejection(413, 'body too large');
  if (hasForbiddenDeclarations(req.body))
    throw new Rejection(400, 'DOCTYPE/ENTITY declarations are not accepted');
  const problem = queryProblem(req.rawQueryString);
  if (problem) throw new Rejection(400, problem);
  const q = req.query;
  checkSignature(account, q);
  if (deps.maxSkewSeconds > 0) {
    const skew = Math.abs(deps.now() / 1000 - Number(q.timestamp));
    if (!Number.isFinite(skew) || skew > deps.maxSkewSeconds)
      throw new Rejection(401, 'timestamp outside the freshness window');
  }
  const encrypted = q.encrypt_type === 'aes';
  if (q.encrypt_type !== undefined && q.encrypt_type !== 'aes' && q.encrypt_type !== 'raw') {
    throw new Rejection(400, 'unknown encrypt_type');
  }
  if (!encrypted) {
    // WeChat sends encrypt_type=aes for compatible and safe accounts; only a plain account takes
    // plaintext (whose body no signature covers).
    if (account.mode !== 'plain') throw new Rejection(403, 'this account accepts encrypted messages only');
    return { account, message: read(req.body), key: null };
  }
  const encryptText = extractEncrypt(req.body);
  if (!encryptText) throw new Rejection(400, 'no single <Encrypt> element');
  if (!signatureMatches(q.msg_signature, account.token, q.timestamp!, q.nonce!, encryptText)) {
    throw new Rejection(401, 'msg_signature does not verify');
  }
  const keys = [account.encodingAesKey, account.previousEncodingAesKey].filter((k): k is string =>
    Boolean(k),
  );
  let lastFailure: string = 'cipher';
  for (const k of keys) {
    const key = aesKeyOf(k);
    let xml: string;
    try {
      xml = decrypt(encryptText, key, account.appId);
    } catch (e) {
      if (e instanceof WeChatCryptoError) {
        lastFailure = e.failure;
        continue;
      }
      throw e;
    }
    // Compatible mode: only the decrypted XML is trusted; the plaintext copy is ignored.
    return { account, message: read(xml), key };
  }
  // One answer for every decryption failure (no padding oracle); the reason goes to the log only.
  deps.log('wechat message could not be decrypted', { account: account.id, failure: lastFailure });
  throw new Rejection(400, 'cannot decrypt');
}

type Translated = Inbound | { kind: 'template-finished'; msgId: string; status: string } | PlatformEvent;

const num = (v: string) => (Number.isFinite(Number(v)) && v.trim() !== '' ? Number(v) : 0);

/** What a citizen sent that is not text, from its message fields. */
function attachmentOf(m: XmlNode, type: string): Attachment {
  switch (type) {
    case 'image':
      return { type: 'image', mediaId: field(m, 'MediaId'), url: field(m, 'PicUrl') };
    case 'voice':
      return { type: 'voice', mediaId: field(m, 'MediaId') };
    case 'video':
    case 'shortvideo':
      return { type: 'video', mediaId: field(m, 'MediaId') };
    case 'location':
      return {
        type: 'location',
        latitude: num(field(m, 'Location_X')),
        longitude: num(field(m, 'Location_Y')),
        label: field(m, 'Label'),
      };
    case 'link':
      return { type: 'link', title: field(m, 'Title'), url: field(m, 'Url') };
    default:
      return { type: 'other', what: type.slice(0, 32) };
  }
}

/** The `List` entries of a subscription-consent event (accept / reject per template). */
function consentChanges(m: XmlNode, wrapper: string) {
  const node = m[wrapper];
  const list = node && typeof node === 'object' && !Array.isArray(node) ? (node as XmlNode).List : undefined;
  return (Array.isArray(list) ? (list as XmlNode[]) : [])
    .map((item) => ({
      templateId: field(item, 'TemplateId'),
      accepted: field(item, 'SubscribeStatusString') === 'accept',
    }))
    .filter((c) => c.templateId !== '');
}

/** Translates a parsed message into what the conversation understands; undefined = nothing to do. */
export function toInbound(m: XmlNode): Translated | undefined {
  const type = field(m, 'MsgType');
  if (type === 'text') return { kind: 'text', text: field(m, 'Content') };
  // Voice WeChat recognised (语音识别 on) is what the citizen said.
  if (type === 'voice' && field(m, 'Recognition').trim())
    return { kind: 'text', text: field(m, 'Recognition').trim(), voice: { mediaId: field(m, 'MediaId') } };
  if (type !== 'event') return { kind: 'attachment', attachment: attachmentOf(m, type) };
  const event = field(m, 'Event');
  const eventKey = field(m, 'EventKey');
  switch (event.toLowerCase()) {
    case 'subscribe':
      return {
        kind: 'follow',
        scene: eventKey.startsWith('qrscene_') ? eventKey.slice('qrscene_'.length) : null,
      };
    case 'scan':
      return { kind: 'scan', scene: eventKey || null };
    case 'unsubscribe':
      return { kind: 'unfollow' };
    case 'click':
    case 'scancode_push':
    case 'scancode_waitmsg':
      return { kind: 'click', key: eventKey };
    case 'templatesendjobfinish':
      return { kind: 'template-finished', msgId: field(m, 'MsgID'), status: field(m, 'Status') };
    case 'location':
      return {
        kind: 'location-report',
        latitude: num(field(m, 'Latitude')),
        longitude: num(field(m, 'Longitude')),
        precision: num(field(m, 'Precision')),
        at: num(field(m, 'CreateTime')) * 1000,
      };
    case 'subscribe_msg_popup_event':
      return { kind: 'subscription-consent', changes: consentChanges(m, 'SubscribeMsgPopupEvent') };
    case 'subscribe_msg_change_event':
      return { kind: 'subscription-consent', changes: consentChanges(m, 'SubscribeMsgChangeEvent') };
    case 'masssendjobfinish':
      return {
        kind: 'mass-send-finished',
        msgId: field(m, 'MsgID'),
        status: field(m, 'Status'),
        sent: num(field(m, 'SentCount')),
        errors: num(field(m, 'ErrorCount')),
      };
    default:
      return undefined; // VIEW (a link opened), pic_* and location_select (their message follows), …
  }
}

/** Which customer-service window an inbound opens (WeChat's table; a VIEW or an unfollow opens none). */
function windowTrigger(i: Inbound): WindowTrigger | null {
  if (i.kind === 'text' || i.kind === 'attachment') return 'message';
  if (i.kind === 'click' || i.kind === 'follow' || i.kind === 'scan') return 'event';
  return null;
}

export function dedupeKey(accountId: string, m: XmlNode): string {
  const from = field(m, 'FromUserName');
  const msgId = field(m, 'MsgId') || field(m, 'MsgID');
  if (field(m, 'MsgType') !== 'event' && msgId) return `${accountId}#${from}#${msgId}`;
  return `${accountId}#${from}#${field(m, 'CreateTime')}#${field(m, 'Event')}#${field(m, 'EventKey')}#${msgId}`;
}

/** The protocol path out: the reply as WeChat expects it (encrypted and signed when the request was). */
export function sealReply(
  opened: Opened,
  replyXml: string | null,
  deps: Pick<WebhookDeps, 'now'>,
): WebhookResponse {
  if (replyXml === null) return SUCCESS;
  if (!opened.key) return { status: 200, contentType: 'application/xml; charset=utf-8', body: replyXml };
  const timestamp = String(Math.floor(deps.now() / 1000));
  const nonce = randomNonce(8);
  const encrypted = encrypt(replyXml, opened.key, opened.account.appId);
  const msgSignature = signature(opened.account.token, timestamp, nonce, encrypted);
  return {
    status: 200,
    contentType: 'application/xml; charset=utf-8',
    body: renderEncryptedEnvelope(encrypted, msgSignature, timestamp, nonce),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function receive(req: WebhookRequest, deps: WebhookDeps): Promise<WebhookResponse> {
  const account = await deps.accounts.get(req.accountId);
  if (!account) return text(404, 'unknown account');
  let opened: Opened;
  try {
    opened = openRequest(account, req, deps);
  } catch (e) {
    if (e instanceof Rejection) {
      deps.log('wechat request rejected', { account: account.id, status: e.status, reason: e.message });
      return text(e.status, e.message);
    }
    throw e;
  }
  if ('unreadable' in opened.message) {
    deps.log('wechat message authenticated but unreadable; answered success', {
      account: account.id,
      encrypted: opened.key !== null,
      reason: opened.message.unreadable,
    });
    deps.metric('WeChatMessageUnreadable', 1);
    return SUCCESS;
  }
  const m = opened.message;
  const openid = field(m, 'FromUserName');
  if (!OpenIdSchema.safeParse(openid).success) {
    deps.log('wechat message from a sender that is not an openid; answered success', {
      account: account.id,
      length: openid.length,
    });
    deps.metric('WeChatSenderRefused', 1);
    return SUCCESS;
  }
  const translated = toInbound(m);
  if (!translated) return SUCCESS;
  const ref: SubscriberRef = { channel: 'wechat', id: openid };
  if (translated.kind === 'location-report') {
    // Every few seconds while the follower is in the account: kept (if they opted in), never answered.
    await deps
      .event(account, ref, translated)
      .catch((error: unknown) =>
        deps.log('location report not recorded', { account: account.id, error: String(error) }),
      );
    return SUCCESS;
  }
  const key = dedupeKey(account.id, m);
  if (
    !opened.key &&
    !(await deps.inbound.bindNonce(
      `${account.id}#${req.query.timestamp}#${req.query.nonce}`,
      key,
      deps.now(),
    ))
  ) {
    deps.log('wechat request rejected', {
      account: account.id,
      status: 401,
      reason: 'plain-mode replay: nonce reused with another message',
    });
    return text(401, 'nonce already used');
  }

  // Begun beside the claim, so a question waits one round trip before its answer is decided: the
  // follower's record is read ahead (any write is still conditioned on its version) and the
  // customer-service window recorded (the same for a retried message: it opens at CreateTime).
  const conversing = isConversation(translated);
  if (conversing) deps.prefetch?.(ref, translated);
  const opening = conversing ? openWindow(account, m, translated, deps) : Promise.resolve();
  const claim = await deps.inbound.claim(key, deps.now());
  if (claim !== 'claimed') {
    const replied = await replayOrHandOff(claim, key, openid, translated, deps);
    await opening;
    return sealReply(opened, replied, deps);
  }

  if (!isConversation(translated)) {
    try {
      if (translated.kind === 'template-finished')
        await deps.templateJobFinished(account, ref, translated.msgId, translated.status);
      else await deps.event(account, ref, translated);
    } catch (error) {
      await deps.inbound.release(key); // let WeChat's retry record it
      throw error;
    }
    await deps.inbound.complete(key, null);
    return SUCCESS;
  }

  const render = (reply: string | Reply | null) =>
    reply === null
      ? null
      : renderReply(passive(account, reply), openid, field(m, 'ToUserName'), Math.floor(deps.now() / 1000));
  const work = deps.converse(account, ref, translated).then(async (content) => {
    const reply = render(content);
    // Written beside the stored reply, not before it: the last message's time (when nothing else
    // changed) and the customer-service window begun with the claim.
    await Promise.all([deps.inbound.complete(key, reply), deps.settle?.(ref), opening]);
    return reply;
  });
  const remaining = req.startedAt + deps.budgetMs - deps.now();
  const outcome = await Promise.race([
    work.then((reply) => ({ done: true as const, reply })),
    sleep(Math.max(0, remaining)).then(() => ({ done: false as const })),
  ]).catch((error: unknown) => ({ done: false as const, error }));

  if (outcome.done) return sealReply(opened, outcome.reply, deps);
  // Too slow or failed transiently: answer now, deliver the reply through the customer-service API.
  if ('error' in outcome)
    deps.log('conversation failed; answering asynchronously', {
      account: account.id,
      error: String(outcome.error),
    });
  work.catch(() => {}); // a late failure is the worker's to handle
  // Enqueue first, then flag: a failed publish leaves the flag unset, so WeChat's retry hands off again
  // (a duplicate job is harmless: the worker sends at most once).
  await deps.enqueueAsyncReply({ accountId: account.id, openid, dedupeKey: key, inbound: translated });
  await deps.inbound.markAsync(key);
  return SUCCESS;
}

const isConversation = (t: Translated): t is Inbound =>
  !['template-finished', 'location-report', 'subscription-consent', 'mass-send-finished'].includes(t.kind);

/** A reply as WeChat shows it: an article linking to the notice's page, when the account serves pages. */
export function passive(account: WeChatAccount, reply: string | Reply) {
  if (typeof reply === 'string') return { type: 'text' as const, content: reply };
  if (!reply.article || !account.pageBaseUrl) return { type: 'text' as const, content: reply.text };
  const { title, description, noticeId } = reply.article;
  return {
    type: 'news' as const,
    articles: [{ title, description, url: noticePageUrl(account.pageBaseUrl, noticeId) }],
  };
}

/** A repeated delivery: replay the stored reply, or wait briefly, then hand off to async delivery once. */
async function replayOrHandOff(
  record: InboundRecord,
  key: string,
  openid: string,
  inbound: Translated,
  deps: WebhookDeps,
): Promise<string | null> {
  let current: InboundRecord | undefined = record;
  const until = deps.now() + deps.retryWaitMs;
  while (current?.state === 'processing' && deps.now() < until) {
    await sleep(100);
    current = await deps.inbound.get(key);
  }
  if (current?.state === 'done') return current.async ? null : current.reply;
  if (isConversation(inbound) && !current?.async) {
    await deps.enqueueAsyncReply({ accountId: key.split('#')[0]!, openid, dedupeKey: key, inbound });
    await deps.inbound.markAsync(key);
  }
  return null;
}

/** Records the customer-service window a follower's action opens (never later than we saw it). */
function openWindow(account: WeChatAccount, m: XmlNode, inbound: Inbound, deps: WebhookDeps): Promise<void> {
  const trigger = windowTrigger(inbound);
  if (!trigger) return Promise.resolve();
  const sentAt = Math.min(Number(field(m, 'CreateTime')) * 1000, deps.now());
  return deps
    .windowOpened(account, field(m, 'FromUserName'), trigger, sentAt)
    .catch((error: unknown) =>
      deps.log('customer-service window not recorded', { account: account.id, error: String(error) }),
    );
}
