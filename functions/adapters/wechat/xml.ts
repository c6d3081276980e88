/**
 * WeChat's XML, handled defensively: a body with a DOCTYPE or ENTITY declaration is refused before
 * any parsing; the parser runs with entity processing off and keeps every value a string (MsgId
 * exceeds 2^53); `item` and `List` are always arrays. Replies are rendered with `]]>` split across
 * CDATA sections so user text can never break out of them.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export class WeChatXmlError extends Error {
  override name = 'WeChatXmlError';
}

const FORBIDDEN = /<!DOCTYPE|<!ENTITY/i;

/** DOCTYPE/ENTITY declarations outside CDATA (a citizen may type "<!doctype" as message text). */
export function hasForbiddenDeclarations(xml: string): boolean {
  return FORBIDDEN.test(xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ''));
}

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: false,
  isArray: (name) => name === 'item' || name === 'List',
});

export type XmlValue = string | XmlNode | XmlNode[] | string[];
export interface XmlNode {
  [key: string]: XmlValue;
}

/** Parses `<xml>…</xml>` into its children; throws WeChatXmlError for anything else. */
export function parseWeChatXml(xml: string): XmlNode {
  if (hasForbiddenDeclarations(xml))
    throw new WeChatXmlError('DOCTYPE and ENTITY declarations are not accepted');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new WeChatXmlError('body is not well-formed XML');
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch {
    // e.g. element names such as <__proto__> or <constructor>, which the parser refuses
    throw new WeChatXmlError('body cannot be parsed safely');
  }
  const root = doc.xml;
  if (!root || typeof root !== 'object' || Array.isArray(root))
    throw new WeChatXmlError('root element must be <xml>');
  return root as XmlNode;
}

/** A top-level string field (empty string when absent or not a plain value). */
export function field(node: XmlNode, name: string): string {
  const v = node[name];
  return typeof v === 'string' ? v : '';
}

/**
 * The `<Encrypt>` text of a body, found with a bounded scanner (no parser), so msg_signature can be
 * checked before the attacker-controlled XML is parsed. Exactly one occurrence is accepted.
 */
export function extractEncrypt(xml: string): string | undefined {
  const re =
    /<Encrypt>\s*(?:<!\[CDATA\[([A-Za-z0-9+/=]{1,100000})\]\]>|([A-Za-z0-9+/=]{1,100000}))\s*<\/Encrypt>/g;
  const matches = [...xml.matchAll(re)];
  if (matches.length !== 1) return undefined;
  return matches[0]![1] ?? matches[0]![2];
}

export function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

export type PassiveReply =
  | { type: 'text'; content: string }
  | { type: 'news'; articles: Array<{ title: string; description: string; url: string; picUrl?: string }> };

/** The passive reply XML (addresses swapped by the caller: `to` is the user's openid). */
export function renderReply(reply: PassiveReply, to: string, from: string, createTime: number): string {
  const head = `<ToUserName>${cdata(to)}</ToUserName><FromUserName>${cdata(from)}</FromUserName><CreateTime>${createTime}</CreateTime>`;
  if (reply.type === 'text') {
    return `<xml>${head}<MsgType>${cdata('text')}</MsgType><Content>${cdata(reply.content)}</Content></xml>`;
  }
  const items = reply.articles
    .map(
      (a) =>
        `<item><Title>${cdata(a.title)}</Title><Description>${cdata(a.description)}</Description><PicUrl>${cdata(a.picUrl ?? '')}</PicUrl><Url>${cdata(a.url)}</Url></item>`,
    )
    .join('');
  return `<xml>${head}<MsgType>${cdata('news')}</MsgType><ArticleCount>${reply.articles.length}</ArticleCount><Articles>${items}</Articles></xml>`;
}

/** The encrypted reply envelope; TimeStamp in seconds. */
export function renderEncryptedEnvelope(
  encrypted: string,
  msgSignature: string,
  timestamp: string,
  nonce: string,
): string {
  return `<xml><Encrypt>${cdata(encrypted)}</Encrypt><MsgSignature>${cdata(msgSignature)}</MsgSignature><TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`;
}
