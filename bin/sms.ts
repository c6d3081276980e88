#!/usr/bin/env node
/**
 * `npm run sms -- --from 13800138000 TD` — plays the SMS gateway for one citizen against the local
 * webhooks: posts their reply in Tencent's (default) or Aliyun's shape with the callback token.
 *
 *   npm run sms -- --from 13800138000 "BD 京A12345"
 *   npm run sms -- --from 13800138000 限行
 *   npm run sms -- --from 13800138000 TD
 *   npm run sms -- --provider aliyun --from 13800138000 退订
 *   npm run sms -- --receipt tc-00000001 --to 13800138000 [--failed]
 */
import { cliArgs, fetchOrExplain, localStackUrl, usageError } from '../lib/local/cli.ts';
import { type GatewayName, receiptCallback, replyCallback } from '../lib/local/sms-user.ts';

const USAGE =
  'usage: npm run sms -- [--provider tencent|aliyun] [--from 13800138000] "TD"   |   --receipt MSGID [--to NUMBER] [--failed]   [--url URL]';

const { values, positionals } = cliArgs(USAGE, {
  allowPositionals: true,
  options: {
    provider: { type: 'string', default: 'tencent' },
    from: { type: 'string', default: '13800138000' },
    to: { type: 'string', default: '13800138000' },
    receipt: { type: 'string' },
    failed: { type: 'boolean', default: false },
    url: { type: 'string', default: localStackUrl() },
  },
});
const provider = values.provider as GatewayName;
if (provider !== 'tencent' && provider !== 'aliyun') usageError(USAGE, '--provider is tencent or aliyun');
const text = positionals.join(' ');
if (!values.receipt && !text) usageError(USAGE);
const callback = values.receipt
  ? receiptCallback(provider, values.receipt, values.to, !values.failed)
  : replyCallback(provider, values.from, text);
const res = await fetchOrExplain(`${values.url}${callback.path}?${callback.query}`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: callback.body,
});
console.log(`HTTP ${res.status} ${await res.text()}`);
if (res.status !== 200) process.exit(1);
