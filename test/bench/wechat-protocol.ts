/**
 * The WeChat webhook's protocol path, ours against node-webot/wechat (npm `wechat`, its
 * `wechat-crypto` and xml2js) on the same Node, in the same process, on the same encrypted
 * safe-mode requests: a 限行 text, a subscribe event, a menu CLICK, an image and a location.
 *
 * What each side does per request:
 *  - ours: the production code of functions/adapters/wechat/webhook.ts — `openRequest` (body size
 *    cap, DOCTYPE/ENTITY refusal on the raw body, repeated/undecodable query keys, `signature`
 *    and `msg_signature` both verified in constant time, the ±300 s freshness window the deployed
 *    function uses, `<Encrypt>` found with a bounded scanner, AES-256-CBC with full PKCS#7 (pad
 *    1..32, every pad byte), length-field bounds, appId trailer and strict UTF-8, the decrypted XML
 *    parsed with DOCTYPE/entities refused and values kept as strings, the required fields and
 *    CreateTime checked), `toInbound`, `renderReply` (with `]]>` split across CDATA sections),
 *    `sealReply` (encrypt with a CSPRNG prefix, a random nonce, TimeStamp in seconds, MsgSignature,
 *    the envelope).
 *  - wechat: its middleware as an Express app would call it (`req.query` already parsed, the body
 *    as `req.rawBody`): xml2js parses the envelope, `msg_signature` compared with `!==`, wechat-
 *    crypto decrypts, xml2js parses the message, its EJS template renders the reply, wechat-crypto
 *    encrypts, it signs and renders the envelope.
 *  - what wechat skips that we do: it does not verify `signature` in encrypted mode, compares with
 *    `!==` (not constant time), has no body size cap, does not refuse DOCTYPE/ENTITY (xml2js/sax
 *    ignores declared entities), does not check query keys or a freshness window, accepts any
 *    PKCS#7 pad (an out-of-range pad byte means "no padding"; pad bytes are never compared), does
 *    not bound the length field, never compares the appId trailer (only an empty message fails),
 *    decodes UTF-8 leniently, checks no required field, does not split `]]>` in replies, and puts
 *    milliseconds in TimeStamp. It trims every value; we keep values verbatim.
 *  - neither side does I/O (no de-duplication, no conversation): the reply text is chosen from the
 *    parsed message by the same function on both sides.
 *
 *   node test/bench/wechat-protocol.ts [--messages 5000] [--runs 5] [--stages]
 *
 * Both sides run alternately in chunks of 250 requests (the order flips every chunk) after a
 * warm-up; each run reports messages/s (requests ÷ the time spent in that side's chunks) and the
 * p50 of per-request times; the table shows the medians over --runs. --stages adds a breakdown of
 * our path by stage (the same building blocks called one by one; medians, so
 * the sum is below the p50 of the whole).
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import WXBizMsgCrypt from 'wechat-crypto';
import {
  aesKeyOf,
  decrypt,
  encrypt,
  signature,
  signaturesEqual,
} from '../../functions/adapters/wechat/crypto.ts';
import {
  type Opened,
  openRequest,
  queryProblem,
  sealReply,
  toInbound,
  type WebhookRequest,
} from '../../functions/adapters/wechat/webhook.ts';
import {
  cdata,
  extractEncrypt,
  field,
  hasForbiddenDeclarations,
  type PassiveReply,
  parseWeChatXml,
  renderEncryptedEnvelope,
  renderReply,
  type XmlNode,
} from '../../functions/adapters/wechat/xml.ts';
import { v1Account } from '../fixtures/wechat.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '5' },
    stages: { type: 'boolean', default: false },
  },
});
const N = Number(values.messages);
const RUNS = Number(values.runs);
const CHUNK = 250;

// The package under comparison is CommonJS and untyped; it is loaded for this bench only.
type Middleware = (req: WechatReq, res: WechatRes, next: (err?: unknown) => void) => void;
interface WechatReq {
  method: string;
  query: Record<string, string>;
  rawBody: string;
  weixin?: Record<string, unknown>;
}
interface WechatRes {
  writeHead(status: number): void;
  end(body?: string): void;
  reply?: (content: unknown) => void;
}
const wechat = createRequire(import.meta.url)('wechat') as (
  config: { token: string; appid: string; encodingAESKey: string },
  handle: (req: WechatReq, res: WechatRes, next: () => void) => void,
) => Middleware;

const account = v1Account({
  id: 'bench',
  appId: 'wx5823bf96d3bd56c7',
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  mode: 'safe',
});
const ORIGINAL_ID = 'gh_3a1b2c3d4e5f';
const NOW_S = 1_779_240_000; // a fixed clock: the freshness window is checked against it
const deps = { now: () => NOW_S * 1000, maxSkewSeconds: 300, log: () => {} };

// ----- the messages, as WeChat formats them (one field per line) ----------------------------------
type Kind = 'text' | 'subscribe' | 'click' | 'image' | 'location';
const KINDS: Kind[] = ['text', 'subscribe', 'click', 'image', 'location'];
const lines = (fields: Array<[string, string | number]>) =>
  `<xml>${fields.map(([k, v]) => `<${k}>${typeof v === 'number' ? v : cdata(v)}</${k}>`).join('\n')}</xml>`;
function messageXml(kind: Kind, i: number): string {
  const head: Array<[string, string | number]> = [
    ['ToUserName', ORIGINAL_ID],
    ['FromUserName', `oyORnuP8q7ou2gfYjqLz${String(i).padStart(8, '0')}`],
    ['CreateTime', NOW_S - 2],
  ];
  const msgId = (6054768590064713728n + BigInt(i)).toString();
  switch (kind) {
    case 'text':
      return lines([...head, ['MsgType', 'text'], ['Content', '限行'], ['MsgId', msgId]]);
    case 'subscribe':
      return lines([...head, ['MsgType', 'event'], ['Event', 'subscribe'], ['EventKey', '']]);
    case 'click':
      return lines([...head, ['MsgType', 'event'], ['Event', 'CLICK'], ['EventKey', 'MENU_NOTICES']]);
    case 'image':
      return lines([
        ...head,
        ['MsgType', 'image'],
        ['PicUrl', `http://mmbiz.qpic.cn/mmbiz_jpg/${'x'.repeat(40)}${i}/0`],
        ['MsgId', msgId],
        ['MediaId', `hQD9sL4Yy1mWkQ6vE0rTn8JpZ3cX2bA5fG7hK9mN1qR3sT5uV7wY9zA${i}`],
      ]);
    case 'location':
      return lines([
        ...head,
        ['MsgType', 'location'],
        ['Location_X', '39.908823'],
        ['Location_Y', '116.397470'],
        ['Scale', '15'],
        ['Label', '北京市东城区东长安街 天安门'],
        ['MsgId', msgId],
      ]);
  }
}

const theirCrypto = new WXBizMsgCrypt(account.token, account.encodingAesKey, account.appId);
interface Request {
  kind: Kind;
  query: Record<string, string>;
  rawQueryString: string;
  body: string;
}
function request(kind: Kind, i: number): Request {
  const timestamp = String(NOW_S - 1);
  const nonce = String(1_000_000_000 + i * 7919);
  const encrypted = encrypt(messageXml(kind, i), aesKeyOf(account.encodingAesKey), account.appId);
  const query = {
    signature: signature(account.token, timestamp, nonce),
    timestamp,
    nonce,
    openid: `oyORnuP8q7ou2gfYjqLz${String(i).padStart(8, '0')}`,
    encrypt_type: 'aes',
    msg_signature: signature(account.token, timestamp, nonce, encrypted),
  };
  return {
    kind,
    query,
    rawQueryString: new URLSearchParams(query).toString(),
    body: `<xml>\n    <ToUserName>${cdata(ORIGINAL_ID)}</ToUserName>\n    <Encrypt>${cdata(encrypted)}</Encrypt>\n</xml>`,
  };
}
const POOL = 500; // distinct requests per kind (openids, MsgIds, nonces, ciphertexts all differ)
const requests = Array.from({ length: POOL * KINDS.length }, (_, i) => request(KINDS[i % KINDS.length]!, i));

// ----- the reply, chosen from the parsed message the same way on both sides ------------------------
const RESTRICTION =
  '今天（5月20日 星期三）北京限行尾号 4 和 9，时间 7:00–20:00，范围五环路以内道路（不含五环路）。回复“绑定 京A12345”可每天收到提醒。';
const WELCOME = '欢迎关注！回复“限行”查询今日尾号限行，回复“路况”查看实时路况，回复“1”查看办事指南。';
const IMAGE = '已收到您的图片。如需举报交通违法，请通过“随手拍”菜单提交，我们会在 3 个工作日内处理。';
const ARTICLE = {
  title: '关于 5 月 20 日部分道路交通管制的通告',
  description: '因道路施工，5 月 20 日 22:00 至次日 6:00 长安街部分路段实施交通管制，请提前绕行。',
  url: 'https://jtgl.example.gov.cn/notices/2026-0520-01',
};
type Get = (name: string) => string;
function replyFor(get: Get): PassiveReply {
  const type = get('MsgType');
  if (type === 'text') return { type: 'text', content: get('Content') === '限行' ? RESTRICTION : WELCOME };
  if (type === 'image') return { type: 'text', content: IMAGE };
  if (type === 'location') return { type: 'text', content: `您的位置：${get('Label')}。附近暂无交通管制。` };
  if (get('Event').toLowerCase() === 'subscribe') return { type: 'text', content: WELCOME };
  return { type: 'news', articles: [ARTICLE] };
}

// ----- our path ------------------------------------------------------------------------------------
function ours(r: Request): string {
  const req: WebhookRequest = {
    accountId: account.id,
    query: r.query,
    rawQueryString: r.rawQueryString,
    body: r.body,
    startedAt: 0,
  };
  const opened: Opened = openRequest(account, req, deps);
  const m = opened.message;
  if ('unreadable' in m) throw new Error(`unreadable: ${m.unreadable}`);
  if (!toInbound(m)) throw new Error('no inbound');
  const reply = replyFor((name) => field(m, name));
  const xml = renderReply(
    reply,
    field(m, 'FromUserName'),
    field(m, 'ToUserName'),
    Math.floor(deps.now() / 1000),
  );
  return sealReply(opened, xml, deps).body;
}

// ----- wechat's path -------------------------------------------------------------------------------
const middleware = wechat(
  { token: account.token, appid: account.appId, encodingAESKey: account.encodingAesKey },
  (req, res) => {
    const m = req.weixin as Record<string, string>;
    const reply = replyFor((name) => m[name] ?? '');
    res.reply!(
      reply.type === 'text'
        ? reply.content
        : reply.articles.map((a) => ({ title: a.title, description: a.description, picurl: '', url: a.url })),
    );
  },
);
function theirs(r: Request): string {
  let body: string | undefined;
  let failed: unknown;
  const res: WechatRes = {
    writeHead(status) {
      if (status !== 200) failed = new Error(`wechat answered ${status}`);
    },
    end(b) {
      body = b;
    },
  };
  middleware({ method: 'POST', query: r.query, rawBody: r.body }, res, (err) => {
    failed = err ?? new Error('wechat passed the request on');
  });
  if (failed) throw failed;
  if (body === undefined) throw new Error('wechat did not answer synchronously');
  return body;
}

// ----- both answer every request correctly, as a WeChat client checks it ----------------------------
function openEnvelope(body: string): string {
  const outer = parseWeChatXml(body);
  const enc = field(outer, 'Encrypt');
  const expected = signature(account.token, field(outer, 'TimeStamp'), field(outer, 'Nonce'), enc);
  if (!signaturesEqual(expected, field(outer, 'MsgSignature'))) throw new Error('reply signature');
  return decrypt(enc, aesKeyOf(account.encodingAesKey), account.appId);
}
function replyText(xml: string): string {
  const m = parseWeChatXml(xml);
  if (field(m, 'MsgType') === 'text') return field(m, 'Content');
  const item = ((m.Articles as XmlNode).item as XmlNode[])[0]!;
  return `${field(item, 'Title')}|${field(item, 'Url')}`;
}
for (const r of requests.slice(0, KINDS.length * 3)) {
  const a = replyText(openEnvelope(ours(r)));
  const b = replyText(openEnvelope(theirs(r)));
  if (a !== b) throw new Error(`the two sides answer ${r.kind} differently: ${a} / ${b}`);
  if (theirCrypto.decrypt(field(parseWeChatXml(ours(r)), 'Encrypt')).id !== account.appId)
    throw new Error('wechat-crypto cannot open our reply');
}

// ----- measurement ---------------------------------------------------------------------------------
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sides = { ours, wechat: theirs } as const;
type Side = keyof typeof sides;
let sink = 0;

function chunk(side: Side, from: number, latencies: number[]): number {
  const fn = sides[side];
  const began = performance.now();
  for (let i = from; i < from + CHUNK; i++) {
    const t0 = performance.now();
    sink += fn(requests[i % requests.length]!).length;
    latencies.push(performance.now() - t0);
  }
  return performance.now() - began;
}

function run(count: number) {
  const lat: Record<Side, number[]> = { ours: [], wechat: [] };
  const ms: Record<Side, number> = { ours: 0, wechat: 0 };
  for (let c = 0; c * CHUNK < count; c++) {
    const order: Side[] = c % 2 === 0 ? ['ours', 'wechat'] : ['wechat', 'ours'];
    for (const side of order) ms[side] += chunk(side, c * CHUNK, lat[side]);
  }
  const p50 = (xs: number[]) => median(xs) * 1000;
  return {
    ours: { perSec: (lat.ours.length / ms.ours) * 1000, p50: p50(lat.ours) },
    wechat: { perSec: (lat.wechat.length / ms.wechat) * 1000, p50: p50(lat.wechat) },
  };
}

const load0 = loadavg();
run(Math.max(N, 5000)); // warm-up: both sides' code optimised before anything counts
const runs = Array.from({ length: RUNS }, () => run(N));
const load1 = loadavg();

const med = (side: Side, k: 'perSec' | 'p50') => median(runs.map((r) => r[side][k]));
const ratio = median(runs.map((r) => r.ours.perSec / r.wechat.perSec));
const p50Ratio = median(runs.map((r) => r.wechat.p50 / r.ours.p50));
console.log(
  `\nWeChat protocol path — ${N} requests per side per run (5 kinds, ${POOL} distinct each), median of ${RUNS} runs, Node ${process.version}`,
);
console.log(
  `load average before/after: ${load0.map((l) => l.toFixed(2)).join(' ')} / ${load1.map((l) => l.toFixed(2)).join(' ')}\n`,
);
console.log('| path | messages/s | p50 µs |');
console.log('| --- | ---: | ---: |');
console.log(
  `| ours (functions/adapters/wechat) | ${med('ours', 'perSec').toFixed(0)} | ${med('ours', 'p50').toFixed(1)} |`,
);
console.log(
  `| node-webot/wechat 2.1.0 | ${med('wechat', 'perSec').toFixed(0)} | ${med('wechat', 'p50').toFixed(1)} |`,
);
console.log(
  `| ratio, ours ÷ wechat (median of per-run ratios) | ${ratio.toFixed(2)}× | ${p50Ratio.toFixed(2)}× faster |`,
);

// ----- where our time goes -------------------------------------------------------------------------
if (values.stages) {
  const key = aesKeyOf(account.encodingAesKey);
  const stages: Record<string, number[]> = {};
  const time = <T>(name: string, fn: () => T): T => {
    const t0 = performance.now();
    const v = fn();
    const took = performance.now() - t0;
    if (stages[name]) stages[name].push(took);
    else stages[name] = [took];
    return v;
  };
  for (let n = 0; n < 2; n++) {
    for (const k of Object.keys(stages)) stages[k] = []; // the first pass warms up
    for (let i = 0; i < Math.max(N, 5000); i++) {
      const r = requests[i % requests.length]!;
      const q = r.query;
      time('body checks (size, DOCTYPE/ENTITY)', () => {
        Buffer.byteLength(r.body, 'utf8');
        return hasForbiddenDeclarations(r.body);
      });
      time('query keys', () => queryProblem(r.rawQueryString));
      time('signature', () => signaturesEqual(signature(account.token, q.timestamp!, q.nonce!), q.signature));
      const enc = time('extract <Encrypt>', () => extractEncrypt(r.body)!);
      time('msg_signature', () =>
        signaturesEqual(signature(account.token, q.timestamp!, q.nonce!, enc), q.msg_signature),
      );
      const k = time('AES key of the account', () => aesKeyOf(account.encodingAesKey));
      const xml = time('decrypt + checks', () => decrypt(enc, k, account.appId));
      const m = time('parse XML', () => parseWeChatXml(xml));
      const reply = time('reply render', () =>
        renderReply(
          replyFor((nm) => field(m, nm)),
          field(m, 'FromUserName'),
          field(m, 'ToUserName'),
          NOW_S,
        ),
      );
      const encrypted = time('encrypt', () => encrypt(reply, key, account.appId));
      time('sign + envelope', () =>
        renderEncryptedEnvelope(
          encrypted,
          signature(account.token, '1779240000', 'abc', encrypted),
          '1779240000',
          'abc',
        ),
      );
    }
  }
  console.log('\n| our stage | median µs | share |');
  console.log('| --- | ---: | ---: |');
  const medians = Object.entries(stages).map(([k, xs]) => [k, median(xs) * 1000] as const);
  const total = medians.reduce((a, [, v]) => a + v, 0);
  for (const [k, v] of medians)
    console.log(`| ${k} | ${v.toFixed(2)} | ${((v / total) * 100).toFixed(0)}% |`);
  console.log(`| total | ${total.toFixed(2)} | |`);
}
if (sink === 0) console.log('(nothing measured)');
