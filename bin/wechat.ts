#!/usr/bin/env node
/**
 * `npm run wechat -- [--account dev] [--user OPENID] [--url URL] [--plain] "限行"` — plays WeChat for
 * one follower against the local webhook: signs (and in safe/compatible mode encrypts) exactly as
 * WeChat does, posts, then verifies/decrypts and prints the reply.
 *
 *   npm run wechat -- --event subscribe
 *   npm run wechat -- "绑定 京A12345"
 *   npm run wechat -- 限行
 *   npm run wechat -- --event CLICK --key XIANXING
 *   npm run wechat -- --type image --field PicUrl=https://example.com/p.jpg --field MediaId=m1
 *   npm run wechat -- --type voice --field Recognition=明天限行 --field MediaId=m2
 *   npm run wechat -- --receipt 1000001 [--status "failed:user block"]   # WeChat's TEMPLATESENDJOBFINISH
 *
 * A receipt's msgid is the one the template send returned (GET /_local/outbox shows it).
 */
import { accountsFromEnv } from '../functions/adapters/wechat/accounts.ts';
import { cliArgs, fetchOrExplain, localStackUrl, usageError } from '../lib/local/cli.ts';
import { buildRequest, messageXml, openReply, type SimulatedMessage } from '../lib/local/wechat-user.ts';

const USAGE =
  'usage: npm run wechat -- [--account dev] [--user OPENID] [--plain] "限行"   |   --event subscribe|unsubscribe|CLICK|SCAN|LOCATION [--key KEY] [--field K=V]   |   --type image|voice|video|location|link --field K=V …   |   --receipt MSGID [--status success|"failed:user block"|"failed:system failed"]   [--url URL]';

const { values, positionals } = cliArgs(USAGE, {
  allowPositionals: true,
  options: {
    account: { type: 'string', default: 'dev' },
    user: { type: 'string', default: 'o-local-citizen-0001' },
    url: { type: 'string', default: localStackUrl() },
    event: { type: 'string' },
    key: { type: 'string' },
    type: { type: 'string' },
    field: { type: 'string', multiple: true, default: [] },
    receipt: { type: 'string' },
    status: { type: 'string', default: 'success' },
    plain: { type: 'boolean', default: false },
  },
});
const account = accountsFromEnv(process.env).find((a) => a.id === values.account);
if (!account) {
  console.error(`unknown account '${values.account}' (configure more with WECHAT_ACCOUNTS)`);
  process.exit(2);
}
const text = positionals.join(' ');
if (!values.event && !values.type && !values.receipt && !text) usageError(USAGE);
const fields = Object.fromEntries(
  values.field.map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)] as const),
);
const message: SimulatedMessage = values.receipt
  ? {
      kind: 'event',
      event: 'TEMPLATESENDJOBFINISH',
      extra: { MsgID: values.receipt, Status: values.status },
    }
  : values.event
    ? { kind: 'event', event: values.event, ...(values.key ? { eventKey: values.key } : {}), extra: fields }
    : values.type
      ? { kind: 'message', msgType: values.type, fields }
      : { kind: 'text', text };
const xml = messageXml(message, values.user, 'gh_local_account', Math.floor(Date.now() / 1000));
const encrypted = !values.plain && account.mode !== 'plain';
const request = buildRequest(account, xml, { encrypted });
const res = await fetchOrExplain(`${values.url}/webhooks/wechat/${account.id}?${request.query}`, {
  method: 'POST',
  headers: { 'content-type': 'text/xml' },
  body: request.body,
});
const body = await res.text();
if (res.status !== 200) {
  console.error(`HTTP ${res.status}: ${body}`);
  process.exit(1);
}
const reply = openReply(account, body);
if (reply.article)
  console.log(`[article] ${reply.article.title}\n${reply.article.description}\n${reply.article.url}`);
else console.log(reply.content ?? '(no passive reply: "success")');
