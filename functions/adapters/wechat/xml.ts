/**
 * WeChat's XML, handled defensively and by hand: WeChat sends small documents of elements, text and
 * CDATA (`<xml><Tag><![CDATA[…]]></Tag>…</xml>`, a few nested lists), and the parser accepts that
 * shape and nothing else. A DOCTYPE or ENTITY declaration, an entity or character reference, a
 * comment, a processing instruction, an attribute, text mixed with elements, a name that is not an
 * ASCII XML name or that an object already has (`__proto__`, `constructor`, `toString`, …), nesting
 * deeper than 10, or anything after the root is refused with a WeChatXmlError; a leading
 * `<?xml version…?>` declaration is allowed. Every value stays a string (MsgId exceeds 2^53);
 * `item` and `List` are always arrays; a repeated element becomes an array; line ends are
 * normalised as XML requires. For what it accepts, the result is the one the previous parser
 * (fast-xml-parser with entities off, values as strings) gave — property tests compare the two —
 * including its `#text` key for the whitespace between elements. Replies are rendered with `]]>`
 * split across CDATA sections so user text can never break out of them.
 */

export class WeChatXmlError extends Error {
  override name = 'WeChatXmlError';
}

const FORBIDDEN = /<!DOCTYPE|<!ENTITY/i;

/** DOCTYPE/ENTITY declarations outside CDATA (a citizen may type "<!doctype" as message text). */
export function hasForbiddenDeclarations(xml: string): boolean {
  return FORBIDDEN.test(xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ''));
}

export type XmlValue = string | XmlNode | XmlNode[] | string[];
export interface XmlNode {
  [key: string]: XmlValue;
}

const MAX_DEPTH = 10;
const ALWAYS_ARRAYS = new Set(['item', 'List']);
const XML_DECLARATION =
  /<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(?:"[A-Za-z][A-Za-z0-9._-]*"|'[A-Za-z][A-Za-z0-9._-]*'))?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\n]*\?>/y;

const NOT_WELL_FORMED = 'body is not well-formed XML';
const fail = (message: string): never => {
  throw new WeChatXmlError(message);
};

const isSpace = (c: number) => c === 32 || c === 10 || c === 9 || c === 13;
const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46;

/** A recursive-descent reader over one document (after line-end normalisation). */
class Reader {
  private readonly s: string;
  private i = 0;

  constructor(s: string) {
    this.s = s;
  }

  document(): { name: string; value: string | XmlNode } {
    const s = this.s;
    if (s.startsWith('<?xml', 0)) {
      XML_DECLARATION.lastIndex = 0;
      if (!XML_DECLARATION.test(s)) fail('processing instructions are not accepted');
      this.i = XML_DECLARATION.lastIndex;
    }
    this.skipSpace();
    if (s.charCodeAt(this.i) !== 60 /* < */) fail(NOT_WELL_FORMED);
    this.markup(this.i); // a declaration, comment or instruction before the root is refused here
    const root = this.element(1);
    this.skipSpace();
    if (this.i !== s.length) {
      if (s.charCodeAt(this.i) === 60) this.markup(this.i);
      fail(NOT_WELL_FORMED);
    }
    return root;
  }

  private skipSpace(): void {
    while (this.i < this.s.length && isSpace(this.s.charCodeAt(this.i))) this.i++;
  }

  /** Refuses what `<!` and `<?` open at `at`, other than CDATA. */
  private markup(at: number): void {
    const c = this.s.charCodeAt(at + 1);
    if (c === 33 /* ! */) {
      if (/^<!(?:DOCTYPE|ENTITY)/i.test(this.s.slice(at, at + 9)))
        fail('DOCTYPE and ENTITY declarations are not accepted');
      if (this.s.startsWith('<!--', at)) fail('comments are not accepted');
      if (!this.s.startsWith('<![CDATA[', at)) fail(NOT_WELL_FORMED);
    } else if (c === 63 /* ? */) {
      fail('processing instructions are not accepted');
    }
  }

  private name(): string {
    const s = this.s;
    const start = this.i;
    if (!isNameStart(s.charCodeAt(start))) {
      const c = s.charCodeAt(start);
      fail(c > 127 || c === 58 ? 'element names must be ASCII XML names' : NOT_WELL_FORMED);
    }
    let j = start + 1;
    while (j < s.length && isNameChar(s.charCodeAt(j))) j++;
    const c = s.charCodeAt(j);
    if (c > 127 || c === 58 /* : */) fail('element names must be ASCII XML names');
    this.i = j;
    const name = s.slice(start, j);
    // Names an object already has would reach its prototype or shadow its methods.
    if (name in Object.prototype || name === 'prototype') fail('body cannot be parsed safely');
    return name;
  }

  /** The element that starts at `<` at this.i: its name and value (a string, or its children). */
  private element(depth: number): { name: string; value: string | XmlNode } {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} elements is not accepted`);
    const s = this.s;
    this.i++; // <
    const name = this.name();
    this.skipSpace();
    if (s.charCodeAt(this.i) === 47 /* / */ && s.charCodeAt(this.i + 1) === 62 /* > */) {
      this.i += 2;
      return { name, value: '' };
    }
    if (s.charCodeAt(this.i) !== 62) {
      fail(isNameStart(s.charCodeAt(this.i)) ? 'attributes are not accepted' : NOT_WELL_FORMED);
    }
    this.i++;
    let text = '';
    let cdata = false;
    let children: XmlNode | null = null;
    for (;;) {
      const lt = s.indexOf('<', this.i);
      if (lt === -1) fail(NOT_WELL_FORMED);
      if (lt > this.i) {
        const chunk = s.slice(this.i, lt);
        if (chunk.includes('&')) fail('entity and character references are not accepted');
        if (chunk.includes(']]>')) fail(NOT_WELL_FORMED);
        text += chunk;
      }
      this.i = lt;
      const next = s.charCodeAt(lt + 1);
      if (next === 47 /* / */) {
        // The end tag: the same name, optional space, then `>`.
        if (!s.startsWith(name, lt + 2)) fail(NOT_WELL_FORMED);
        this.i = lt + 2 + name.length;
        this.skipSpace();
        if (s.charCodeAt(this.i) !== 62) fail(NOT_WELL_FORMED);
        this.i++;
        break;
      }
      if (next === 33 /* ! */ && s.startsWith('<![CDATA[', lt)) {
        const close = s.indexOf(']]>', lt + 9);
        if (close === -1) fail(NOT_WELL_FORMED);
        text += s.slice(lt + 9, close);
        cdata = true;
        this.i = close + 3;
        continue;
      }
      this.markup(lt);
      const child = this.element(depth + 1);
      children ??= {};
      const prev = children[child.name];
      if (prev === undefined) {
        children[child.name] = ALWAYS_ARRAYS.has(child.name) ? ([child.value] as XmlValue) : child.value;
      } else if (Array.isArray(prev)) {
        (prev as Array<string | XmlNode>).push(child.value);
      } else {
        children[child.name] = [prev, child.value] as XmlValue;
      }
    }
    if (children === null) return { name, value: text };
    if (cdata) fail('text mixed with elements is not accepted');
    for (let k = 0; k < text.length; k++) {
      if (!isSpace(text.charCodeAt(k))) fail('text mixed with elements is not accepted');
    }
    if (text !== '') children['#text'] = text; // the whitespace between elements, as before
    return { name, value: children };
  }
}

/** Parses `<xml>…</xml>` into its children; throws WeChatXmlError for anything else. */
export function parseWeChatXml(xml: string): XmlNode {
  const doc = new Reader(xml.includes('\r') ? xml.replace(/\r\n?/g, '\n') : xml).document();
  if (doc.name !== 'xml' || typeof doc.value !== 'object') fail('root element must be <xml>');
  return doc.value as XmlNode;
}

/** A top-level string field (empty string when absent or not a plain value). */
export function field(node: XmlNode, name: string): string {
  const v = node[name];
  return typeof v === 'string' ? v : '';
}

const ENCRYPT =
  /<Encrypt>\s*(?:<!\[CDATA\[([A-Za-z0-9+/=]{1,100000})\]\]>|([A-Za-z0-9+/=]{1,100000}))\s*<\/Encrypt>/y;

/**
 * The `<Encrypt>` text of a body, found with a bounded scanner (no parser), so msg_signature can be
 * checked before the attacker-controlled XML is parsed. Exactly one occurrence is accepted. (The
 * pattern is tried only where `<Encrypt>` occurs, and after a match from its end: the matches a
 * global scan would find.)
 */
export function extractEncrypt(xml: string): string | undefined {
  let found: string | undefined;
  let from = 0;
  for (let at = xml.indexOf('<Encrypt>'); at !== -1; at = xml.indexOf('<Encrypt>', from)) {
    ENCRYPT.lastIndex = at;
    const m = ENCRYPT.exec(xml);
    if (!m) {
      from = at + 1;
      continue;
    }
    if (found !== undefined) return undefined;
    found = m[1] ?? m[2];
    from = ENCRYPT.lastIndex;
  }
  return found;
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
