/**
 * A simulated WeChat server for one follower: builds the request WeChat would send (plain, or
 * encrypted and msg_signed in safe/compatible mode) and opens the reply. Used by
 * `npm run wechat`, the end-to-end tests and the webhook benchmark.
 */
import { randomBytes } from 'node:crypto';
import { aesKeyOf, decrypt, encrypt, signature } from '../../functions/adapters/wechat/crypto.ts';
import { cdata, field, parseWeChatXml, type XmlNode } from '../../functions/adapters/wechat/xml.ts';
import type { WeChatAccount } from '../../schemas/wechat.ts';

export type SimulatedMessage =
  | { kind: 'text'; text: string; msgId?: string }
  | { kind: 'event'; event: string; eventKey?: string; extra?: Record<string, string> }
  /** Any other message type (image, voice, video, shortvideo, location, link, …) with its fields. */
  | { kind: 'message'; msgType: string; fields: Record<string, string>; msgId?: string };

export interface SimulatedRequest {
  query: string;
  body: string;
}

let counter = 0;
/** A MsgId above 2^53, unique per call, as WeChat's are. */
export const nextMsgId = () =>
  (6054768590064713728n + BigInt(Date.now()) * 1000n + BigInt(counter++)).toString();

export function messageXml(
  m: SimulatedMessage,
  openid: string,
  originalId: string,
  createTime: number,
): string {
  const head = `<ToUserName>${cdata(originalId)}</ToUserName><FromUserName>${cdata(openid)}</FromUserName><CreateTime>${createTime}</CreateTime>`;
  if (m.kind === 'text') {
    return `<xml>${head}<MsgType>${cdata('text')}</MsgType><Content>${cdata(m.text)}</Content><MsgId>${m.msgId ?? nextMsgId()}</MsgId></xml>`;
  }
  if (m.kind === 'message') {
    const fields = Object.entries(m.fields)
      .map(([k, v]) => `<${k}>${cdata(v)}</${k}>`)
      .join('');
    return `<xml>${head}<MsgType>${cdata(m.msgType)}</MsgType>${fields}<MsgId>${m.msgId ?? nextMsgId()}</MsgId></xml>`;
  }
  const extra = Object.entries(m.extra ?? {})
    .map(([k, v]) => (v.startsWith('<') ? `<${k}>${v}</${k}>` : `<${k}>${cdata(v)}</${k}>`))
    .join('');
  return `<xml>${head}<MsgType>${cdata('event')}</MsgType><Event>${cdata(m.event)}</Event><EventKey>${cdata(m.eventKey ?? '')}</EventKey>${extra}</xml>`;
}

export function buildRequest(
  account: WeChatAccount,
  xml: string,
  options: { encrypted: boolean; timestamp?: number; nonce?: string; key?: string },
): SimulatedRequest {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? String(randomBytes(4).readUInt32BE(0));
  const params = new URLSearchParams({
    signature: signature(account.token, timestamp, nonce),
    timestamp,
    nonce,
    openid: field(parseWeChatXml(xml), 'FromUserName'),
  });
  if (!options.encrypted) return { query: params.toString(), body: xml };
  const encrypted = encrypt(xml, aesKeyOf(options.key ?? account.encodingAesKey), account.appId);
  params.set('encrypt_type', 'aes');
  params.set('msg_signature', signature(account.token, timestamp, nonce, encrypted));
  const to = field(parseWeChatXml(xml), 'ToUserName');
  return {
    query: params.toString(),
    body: `<xml><ToUserName>${cdata(to)}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt></xml>`,
  };
}

export interface OpenedReply {
  xml: string | null;
  content: string | null;
  /** A news reply's article (title, description, url), as the client shows it. */
  article: { title: string; description: string; url: string } | null;
}

function read(xml: string): OpenedReply {
  const m = parseWeChatXml(xml);
  const articles = m.Articles;
  const item =
    articles && typeof articles === 'object' && !Array.isArray(articles)
      ? ((articles as XmlNode).item as XmlNode[] | undefined)?.[0]
      : undefined;
  return {
    xml,
    content: field(m, 'Content') || null,
    article: item
      ? { title: field(item, 'Title'), description: field(item, 'Description'), url: field(item, 'Url') }
      : null,
  };
}

/** Opens a webhook reply as the WeChat client would: verifies and decrypts an encrypted envelope. */
export function openReply(account: WeChatAccount, body: string, key?: string): OpenedReply {
  if (body === 'success' || body === '') return { xml: null, content: null, article: null };
  const outer = parseWeChatXml(body);
  const encrypted = field(outer, 'Encrypt');
  if (!encrypted) return read(body);
  const expected = signature(account.token, field(outer, 'TimeStamp'), field(outer, 'Nonce'), encrypted);
  if (expected !== field(outer, 'MsgSignature')) throw new Error('reply MsgSignature does not verify');
  return read(decrypt(encrypted, aesKeyOf(key ?? account.encodingAesKey), account.appId));
}
