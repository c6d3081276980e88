import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { queryProblem } from '../../../functions/adapters/wechat/webhook.ts';
import {
  cdata,
  extractEncrypt,
  field,
  parseWeChatXml,
  renderReply,
  WeChatXmlError,
  type XmlNode,
} from '../../../functions/adapters/wechat/xml.ts';
import { V1 } from '../../fixtures/wechat.ts';
import {
  previousExtractEncrypt,
  previousParseWeChatXml,
  previousQueryProblem,
} from '../../fixtures/wechat-xml-previous.ts';

/** The parse as JSON (key order included), or the error's message. */
function outcome(parse: (xml: string) => XmlNode, xml: string): { json: string } | { error: string } {
  try {
    return { json: JSON.stringify(parse(xml)) };
  } catch (e) {
    if (!(e instanceof WeChatXmlError)) throw e;
    return { error: e.message };
  }
}
const refusal = (xml: string) => {
  const o = outcome(parseWeChatXml, xml);
  return 'error' in o ? o.error : `accepted ${o.json}`;
};

// ----- generated documents of WeChat's shape ------------------------------------------------------
const knownNames = [
  'ToUserName',
  'FromUserName',
  'CreateTime',
  'MsgType',
  'Content',
  'MsgId',
  'Event',
  'EventKey',
  'PicUrl',
  'MediaId',
  'Location_X',
  'Label',
  'Status',
  'TemplateId',
  'ScanCodeInfo',
  'item',
  'List',
];
const PROTOTYPE_NAMES = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);
const nameArb = fc.oneof(
  fc.constantFrom(...knownNames),
  fc
    .tuple(
      fc.constantFrom(...'ABCXYZabcxyz_'),
      fc.string({ unit: fc.constantFrom(...'Aaz09_.-'), maxLength: 8 }),
    )
    .map(([a, b]) => a + b)
    .filter((n) => !PROTOTYPE_NAMES.has(n)),
);
/** Whitespace between elements, as WeChat and hand-written XML put it. */
const gapArb = fc.constantFrom('', '', '\n', ' ', '\n    ', '\t', '\r\n', '\r');
/** Text outside CDATA: what XML allows there except references (`&`), and never `]]>`. */
const plainTextArb = fc
  .string({ unit: fc.constantFrom(...'0123456789 abcXYZ.:-_/>]\n\t限😀'), maxLength: 20 })
  .filter((t) => !t.includes(']]>'));
const leafArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }).map((v) => cdata(v)),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map((v) => cdata(v)),
  plainTextArb,
  fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => cdata(a) + cdata(b)),
  fc.constant(''),
  fc.constant(null), // <Name/>
);
const { element } = fc.letrec<{ element: string }>((tie) => ({
  element: fc.oneof(
    { depthSize: 'small', maxDepth: 6, withCrossShrink: true }, // nesting past 10 is refused on purpose
    fc.tuple(nameArb, leafArb).map(([n, v]) => (v === null ? `<${n}/>` : `<${n}>${v}</${n}>`)),
    fc
      .tuple(nameArb, fc.array(fc.tuple(gapArb, tie('element')), { minLength: 1, maxLength: 5 }), gapArb)
      .map(([n, kids, end]) => `<${n}>${kids.map(([g, k]) => g + k).join('')}${end}</${n}>`),
  ),
}));
const documentArb = fc
  .tuple(
    fc.constantFrom('', '<?xml version="1.0" encoding="UTF-8"?>', '\n'),
    fc.array(fc.tuple(gapArb, element), { minLength: 1, maxLength: 12 }),
    gapArb,
    fc.constantFrom('', '\n'),
  )
  .map(
    ([decl, kids, end, after]) => `${decl}<xml>${kids.map(([g, k]) => g + k).join('')}${end}</xml>${after}`,
  );

describe('parseWeChatXml gives what the previous parser gave', () => {
  it('for generated documents of WeChat shape (CDATA, ]]> splits, non-BMP text, lists, repeats, whitespace)', () => {
    fc.assert(
      fc.property(documentArb, (xml) => {
        const previous = outcome(previousParseWeChatXml, xml);
        expect('json' in previous).toBe(true); // the generator makes only valid documents
        expect(outcome(parseWeChatXml, xml)).toEqual(previous);
      }),
      { numRuns: 2000 },
    );
  });

  it('for the messages and events WeChat documents, and the official sample', () => {
    const samples = [
      V1.decrypted,
      '<xml><ToUserName><![CDATA[toUser]]></ToUserName>\n<FromUserName><![CDATA[FromUser]]></FromUserName>\n<CreateTime>123456789</CreateTime>\n<MsgType><![CDATA[event]]></MsgType>\n<Event><![CDATA[subscribe]]></Event>\n<EventKey><![CDATA[qrscene_123123]]></EventKey>\n<Ticket><![CDATA[TICKET]]></Ticket>\n</xml>',
      '<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1610969440</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe_msg_popup_event]]></Event><SubscribeMsgPopupEvent><List><TemplateId><![CDATA[VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc]]></TemplateId><SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString><PopupScene>2</PopupScene></List><List><TemplateId><![CDATA[9nLIlbOQZC5Y89AZteFEux3WCXRRRG5Wfzkpssu4bLI]]></TemplateId><SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString><PopupScene>2</PopupScene></List></SubscribeMsgPopupEvent></xml>',
      '<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1408090651</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[pic_sysphoto]]></Event><EventKey><![CDATA[6]]></EventKey><SendPicsInfo><Count>1</Count><PicList><item><PicMd5Sum><![CDATA[1b5f7c23b5bf75682a53e7b6d163e185]]></PicMd5Sum></item></PicList></SendPicsInfo></xml>',
      '<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1394524295</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[MASSSENDJOBFINISH]]></Event><MsgID>1988</MsgID><Status><![CDATA[sendsuccess]]></Status><TotalCount>100</TotalCount><FilterCount>80</FilterCount><SentCount>75</SentCount><ErrorCount>5</ErrorCount><CopyrightCheckResult><Count>2</Count><ResultList><item><ArticleIdx>1</ArticleIdx><UserDeclareState>0</UserDeclareState><AuditState>2</AuditState><OriginalArticleUrl><![CDATA[Url_1]]></OriginalArticleUrl><OriginalArticleType>1</OriginalArticleType><CanReprint>1</CanReprint><NeedReplaceContent>1</NeedReplaceContent><NeedShowReprintSource>1</NeedShowReprintSource></item></ResultList><CheckState>2</CheckState></CopyrightCheckResult></xml>',
      renderReply(
        {
          type: 'news',
          articles: [{ title: 't]]>x', description: 'd', url: 'https://example.cn/n/1?a=1&b=2' }],
        },
        'o1',
        'gh_x',
        1,
      ),
    ];
    for (const xml of samples) {
      expect(outcome(parseWeChatXml, xml)).toEqual(outcome(previousParseWeChatXml, xml));
      expect('json' in outcome(parseWeChatXml, xml)).toBe(true);
    }
  });

  // Anything built from XML's pieces, valid or not: the new parser may refuse more than the old
  // one did, never less, and what it accepts it reads the same way.
  const piece = fc.constantFrom(
    '<xml>',
    '</xml>',
    '<A>',
    '</A>',
    '<B/>',
    '<item>',
    '</item>',
    '<List>',
    '</List>',
    '<A k="v">',
    '<![CDATA[',
    ']]>',
    '<!DOCTYPE x>',
    '<!ENTITY e "x">',
    '&amp;',
    '&#60;',
    '&e;',
    '<!--',
    '-->',
    '<?pi x?>',
    '<?xml version="1.0"?>',
    '<__proto__>',
    '</__proto__>',
    '<constructor>',
    '<a:b>',
    '<限>',
    '</限>',
    ' ',
    '\n',
    '\r',
    '\t',
    'x',
    '7',
    '限行',
    '😀',
    '<',
    '>',
    '/',
    '=',
    '"',
    ']',
    '\u0000',
  );
  const soupArb = fc.array(piece, { maxLength: 24 }).map((p) => p.join(''));
  const framedSoupArb = soupArb.map((s) => `<xml>${s}</xml>`);
  /** A valid document with a few pieces inserted, or spans deleted or repeated: often still valid. */
  const mutatedArb = fc
    .tuple(
      documentArb,
      fc.array(
        fc.tuple(fc.nat(), fc.nat({ max: 12 }), fc.constantFrom('insert', 'delete', 'repeat'), piece),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
    )
    .map(([xml, edits]) =>
      edits.reduce((x, [at, length, kind, p]) => {
        const i = at % (x.length + 1);
        if (kind === 'insert') return x.slice(0, i) + p + x.slice(i);
        if (kind === 'delete') return x.slice(0, i) + x.slice(i + length);
        return x.slice(0, i + length) + x.slice(i, i + length) + x.slice(i + length);
      }, xml),
    );

  it('refusing at least everything the previous parser refused, for any arrangement of XML pieces', () => {
    fc.assert(
      fc.property(fc.oneof(soupArb, framedSoupArb, { arbitrary: mutatedArb, weight: 3 }), (xml) => {
        const now = outcome(parseWeChatXml, xml);
        const previous = outcome(previousParseWeChatXml, xml);
        if ('json' in now) expect(previous).toEqual(now);
        if ('error' in previous) expect('error' in now).toBe(true);
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('parseWeChatXml refuses what WeChat never sends', () => {
  it.each([
    ['a DOCTYPE', '<!DOCTYPE xml><xml><A>1</A></xml>', 'DOCTYPE and ENTITY declarations are not accepted'],
    [
      'an entity bomb',
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><xml><A>&lol2;</A></xml>',
      'DOCTYPE and ENTITY declarations are not accepted',
    ],
    [
      'an ENTITY inside the root',
      '<xml><!ENTITY x "y"><A>1</A></xml>',
      'DOCTYPE and ENTITY declarations are not accepted',
    ],
    [
      'a lower-case doctype',
      '<!doctype xml><xml><A>1</A></xml>',
      'DOCTYPE and ENTITY declarations are not accepted',
    ],
    [
      'a named entity reference',
      '<xml><A>&amp;</A></xml>',
      'entity and character references are not accepted',
    ],
    ['a character reference', '<xml><A>&#x3C;</A></xml>', 'entity and character references are not accepted'],
    ['an undeclared entity', '<xml><A>&lol;</A></xml>', 'entity and character references are not accepted'],
    [
      'a processing instruction',
      '<xml><?php echo 1 ?><A>1</A></xml>',
      'processing instructions are not accepted',
    ],
    [
      'a stylesheet instruction',
      '<?xml-stylesheet href="x"?><xml><A>1</A></xml>',
      'processing instructions are not accepted',
    ],
    [
      'a declaration after the start',
      ' <?xml version="1.0"?><xml><A>1</A></xml>',
      'processing instructions are not accepted',
    ],
    ['a comment', '<xml><!-- hi --><A>1</A></xml>', 'comments are not accepted'],
    ['a comment after the root', '<xml><A>1</A></xml><!-- hi -->', 'comments are not accepted'],
    ['an attribute', '<xml><A type="x">1</A></xml>', 'attributes are not accepted'],
    ['text beside elements', '<xml>hello<A>1</A></xml>', 'text mixed with elements is not accepted'],
    ['CDATA beside elements', '<xml><![CDATA[ ]]><A>1</A></xml>', 'text mixed with elements is not accepted'],
    ['a namespace prefix', '<xml><a:A>1</a:A></xml>', 'element names must be ASCII XML names'],
    ['a non-ASCII name', '<xml><限行>1</限行></xml>', 'element names must be ASCII XML names'],
    ['__proto__', '<xml><__proto__><A>1</A></__proto__></xml>', 'body cannot be parsed safely'],
    ['constructor', '<xml><constructor>1</constructor></xml>', 'body cannot be parsed safely'],
    ['hasOwnProperty', '<xml><hasOwnProperty>1</hasOwnProperty></xml>', 'body cannot be parsed safely'],
    [
      'nesting deeper than 10',
      `<xml>${'<A>'.repeat(10)}1${'</A>'.repeat(10)}</xml>`,
      'nesting deeper than 10 elements is not accepted',
    ],
    ['a second root', '<xml><A>1</A></xml><xml><A>2</A></xml>', 'body is not well-formed XML'],
    ['trailing text', '<xml><A>1</A></xml>x', 'body is not well-formed XML'],
    ['a mismatched end tag', '<xml><A>1</B></xml>', 'body is not well-formed XML'],
    ['an end tag with a longer name', '<xml><A>1</AB></xml>', 'body is not well-formed XML'],
    ['an unterminated CDATA section', '<xml><A><![CDATA[1</A></xml>', 'body is not well-formed XML'],
    ['a bare ]]> in text', '<xml><A>a]]>b</A></xml>', 'body is not well-formed XML'],
    ['a truncated document', '<xml><A>1</A>', 'body is not well-formed XML'],
    ['a byte-order mark', '\uFEFF<xml><A>1</A></xml>', 'body is not well-formed XML'],
    ['JSON', '{"json": true}', 'body is not well-formed XML'],
    ['an empty body', '', 'body is not well-formed XML'],
    ['another root', '<msg><Content>x</Content></msg>', 'root element must be <xml>'],
    ['an empty root', '<xml></xml>', 'root element must be <xml>'],
    ['a text root', '<xml>text</xml>', 'root element must be <xml>'],
  ])('%s', (_name, xml, reason) => {
    expect(refusal(xml)).toBe(reason);
  });

  it('accepts nesting of 10 (the root and nine levels)', () => {
    const xml = `<xml>${'<A>'.repeat(9)}1${'</A>'.repeat(9)}</xml>`;
    expect(outcome(parseWeChatXml, xml)).toEqual(outcome(previousParseWeChatXml, xml));
  });
});

describe('CDATA and text edge cases', () => {
  const message = (content: string) =>
    `<xml><ToUserName><![CDATA[gh_x]]></ToUserName><MsgType><![CDATA[text]]></MsgType><Content>${content}</Content></xml>`;

  it('reads ]]> split across CDATA sections, and markup inside CDATA as text', () => {
    expect(field(parseWeChatXml(message(cdata('a]]>b]]>'))), 'Content')).toBe('a]]>b]]>');
    expect(field(parseWeChatXml(message('<![CDATA[a]]]]><![CDATA[>b]]>')), 'Content')).toBe('a]]>b');
    expect(
      field(parseWeChatXml(message(cdata('<!DOCTYPE x [<!ENTITY e "y">]>&e;<?pi?><!-- -->'))), 'Content'),
    ).toBe('<!DOCTYPE x [<!ENTITY e "y">]>&e;<?pi?><!-- -->');
    expect(field(parseWeChatXml(message(cdata('</Content></xml>'))), 'Content')).toBe('</Content></xml>');
    expect(field(parseWeChatXml(message('<![CDATA[]]>')), 'Content')).toBe('');
    expect(field(parseWeChatXml(message('<![CDATA[]]]>')), 'Content')).toBe(']');
  });

  it('keeps non-BMP characters, and normalises line ends as XML does', () => {
    expect(field(parseWeChatXml(message(cdata('限行😀𠮷👨‍👩‍👧'))), 'Content')).toBe('限行😀𠮷👨‍👩‍👧');
    expect(field(parseWeChatXml(message(cdata('a\r\nb\rc\nd'))), 'Content')).toBe('a\nb\nc\nd');
  });

  it('reads very long fields the same way as before', () => {
    for (const content of [cdata('限'.repeat(20_000)), cdata(']]>'.repeat(5_000)), '7'.repeat(60_000)]) {
      const xml = message(content);
      expect(outcome(parseWeChatXml, xml)).toEqual(outcome(previousParseWeChatXml, xml));
    }
  });

  it('reads back every reply it renders, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }).filter((t) => !t.includes('\r')),
        (text) => {
          const m = parseWeChatXml(renderReply({ type: 'text', content: text }, 'o1', 'gh_x', 1));
          expect(field(m, 'Content')).toBe(text);
          expect(field(m, 'ToUserName')).toBe('o1');
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('leaves no way to reach Object.prototype', () => {
    const m = parseWeChatXml('<xml><A>1</A></xml>');
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).A).toBeUndefined();
  });
});

describe('extractEncrypt finds what the global-regex scan found', () => {
  const piece = fc.constantFrom(
    '<Encrypt>',
    '</Encrypt>',
    '<![CDATA[',
    ']]>',
    'QUJD',
    'ab+/',
    '==',
    '=',
    ' ',
    '\n',
    '\u00a0',
    '\u2028',
    '\ufeff',
    '<',
    '<xml>',
    '</xml>',
    'x!',
  );
  it('for any arrangement of its pieces', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (pieces) => {
        const xml = pieces.join('');
        expect(extractEncrypt(xml)).toBe(previousExtractEncrypt(xml));
      }),
      { numRuns: 10_000 },
    );
  });

  it('for real envelopes, one or two of them, and a run over its bound', () => {
    const env = (e: string) =>
      `<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[${e}]]></Encrypt></xml>`;
    for (const xml of [
      env(V1.encrypt),
      `${env(V1.encrypt)}${env(V1.encrypt)}`,
      env('A'.repeat(100_000)),
      env('A'.repeat(100_001)),
      `<xml><Encrypt>\n ${V1.encrypt} \n</Encrypt></xml>`,
    ])
      expect(extractEncrypt(xml)).toBe(previousExtractEncrypt(xml));
    expect(extractEncrypt(env(V1.encrypt))).toBe(V1.encrypt);
  });
});

describe('queryProblem decides as the split-and-decode version did', () => {
  it('for any query built from names, separators and escapes', () => {
    const piece = fc.constantFrom(
      'a',
      'b',
      'nonce',
      '=',
      '&',
      '&&',
      '%',
      '%E0',
      '%41',
      '%61',
      '%2',
      '+',
      '==',
      'x',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 16 }), (pieces) => {
        const raw = pieces.join('');
        expect(queryProblem(raw)).toBe(previousQueryProblem(raw));
      }),
      { numRuns: 10_000 },
    );
    expect(
      queryProblem('signature=1&timestamp=2&nonce=3&openid=o&encrypt_type=aes&msg_signature=4'),
    ).toBeNull();
    expect(queryProblem('a=1&%61=2')).toBe('repeated query parameter');
    expect(queryProblem('a=1&a=2&%E0=3')).toBe('malformed query parameter');
  });
});
