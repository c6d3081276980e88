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
 *  6. converse within a ~3.5 s budget; past it, answer `success` and deliver asynchronously.
 * Nothing is stored before step 5, so a rejected request changes no state.
 */
import { randomBytes } from 'node:crypto';
import { OpenIdSchema, type WeChatAccount } from '../../../schemas/wechat.ts';
import type { Inbound } from '../../core/conversation/converse.ts';
import type { SubscriberRef } from '../../core/subscribers/subscriber.ts';
import type { InboundLog, InboundRecord } from '../dynamodb/inbound-log.ts';
import type { AccountDirectory } from './accounts.ts';
import { aesKeyOf, decrypt, encrypt, signature, signaturesEqual, WeChatCryptoError } from './crypto.ts';
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
  converse: (account: WeChatAccount, ref: SubscriberRef, inbound: Inbound) => Promise<string | null>;
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

/** Repeated or undecodable query parameter names: WeChat sends neither. */
function queryProblem(rawQueryString: string): string | null {
  const names: string[] = [];
  for (const part of rawQueryString.split('&').filter(Boolean)) {
    try {
      names.push(decodeURIComponent(part.split('=')[0] ?? ''));
    } catch {
      return 'malformed query parameter';
    }
  }
  return new Set(names).size !== names.length ? 'repeated query parameter' : null;
}

function checkSignature(account: WeChatAccount, q: WebhookRequest['query']): void {
  const { timestamp, nonce } = q;
  if (!timestamp || !nonce || !signaturesEqual(signature(account.token, timestamp, nonce), q.signature)) {
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

interface Opened {
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

function open(account: WeChatAccount, req: WebhookRequest, deps: WebhookDeps): Opened {
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
  if (!signaturesEqual(signature(account.token, q.timestamp!, q.nonce!, encryptText), q.msg_signature)) {
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

/** Translates a parsed message into what the conversation understands; undefined = nothing to do. */
export function toInbound(
  m: XmlNode,
): Inbound | { kind: 'template-finished'; msgId: string; status: string } | undefined {
  const type = field(m, 'MsgType');
  if (type === 'text') return { kind: 'text', text: field(m, 'Content') };
  if (type !== 'event') return undefined;
  const event = field(m, 'Event');
  const eventKey = field(m, 'EventKey');
  switch (event.toLowerCase()) {
    case 'subscribe':
      return {
        kind: 'follow',
        scene: eventKey.startsWith('qrscene_') ? eventKey.slice('qrscene_'.length) : null,
      };
    case 'unsubscribe':
      return { kind: 'unfollow' };
    case 'click':
      return { kind: 'click', key: eventKey };
    case 'templatesendjobfinish':
      return { kind: 'template-finished', msgId: field(m, 'MsgID'), status: field(m, 'Status') };
    default:
      return undefined; // LOCATION, VIEW, SCAN, …: not handled, not stored
  }
}

export function dedupeKey(accountId: string, m: XmlNode): string {
  const from = field(m, 'FromUserName');
  const msgId = field(m, 'MsgId') || field(m, 'MsgID');
  if (field(m, 'MsgType') !== 'event' && msgId) return `${accountId}#${from}#${msgId}`;
  return `${accountId}#${from}#${field(m, 'CreateTime')}#${field(m, 'Event')}#${field(m, 'EventKey')}#${msgId}`;
}

function seal(opened: Opened, replyXml: string | null, deps: WebhookDeps): WebhookResponse {
  if (replyXml === null) return SUCCESS;
  if (!opened.key) return { status: 200, contentType: 'application/xml; charset=utf-8', body: replyXml };
  const timestamp = String(Math.floor(deps.now() / 1000));
  const nonce = randomBytes(8).toString('hex');
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
    opened = open(account, req, deps);
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

  const claim = await deps.inbound.claim(key, deps.now());
  if (claim !== 'claimed')
    return seal(opened, await replayOrHandOff(claim, key, openid, translated, deps), deps);

  if (translated.kind === 'template-finished') {
    try {
      await deps.templateJobFinished(account, ref, translated.msgId, translated.status);
    } catch (error) {
      await deps.inbound.release(key); // let WeChat's retry record it
      throw error;
    }
    await deps.inbound.complete(key, null);
    return SUCCESS;
  }

  const render = (content: string | null) =>
    content === null
      ? null
      : renderReply({ type: 'text', content }, openid, field(m, 'ToUserName'), Math.floor(deps.now() / 1000));
  const work = deps.converse(account, ref, translated).then(async (content) => {
    const reply = render(content);
    await deps.inbound.complete(key, reply);
    return reply;
  });
  const remaining = req.startedAt + deps.budgetMs - deps.now();
  const outcome = await Promise.race([
    work.then((reply) => ({ done: true as const, reply })),
    sleep(Math.max(0, remaining)).then(() => ({ done: false as const })),
  ]).catch((error: unknown) => ({ done: false as const, error }));

  if (outcome.done) return seal(opened, outcome.reply, deps);
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

/** A repeated delivery: replay the stored reply, or wait briefly, then hand off to async delivery once. */
async function replayOrHandOff(
  record: InboundRecord,
  key: string,
  openid: string,
  inbound: Inbound | { kind: 'template-finished' },
  deps: WebhookDeps,
): Promise<string | null> {
  let current: InboundRecord | undefined = record;
  const until = deps.now() + deps.retryWaitMs;
  while (current?.state === 'processing' && deps.now() < until) {
    await sleep(100);
    current = await deps.inbound.get(key);
  }
  if (current?.state === 'done') return current.async ? null : current.reply;
  if (inbound.kind !== 'template-finished' && !current?.async) {
    await deps.enqueueAsyncReply({ accountId: key.split('#')[0]!, openid, dedupeKey: key, inbound });
    await deps.inbound.markAsync(key);
  }
  return null;
}
