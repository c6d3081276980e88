/**
 * The SMS gateways' callbacks (replies and delivery receipts), protocol only:
 *  1. the caller: optional IP allow-list, then the per-provider secret — `?token=` in the callback
 *     URL (the gateways sign nothing) or, behind a signing proxy, `X-Sms-Signature: hex(HMAC-SHA256(
 *     secret, timestamp + "." + body))` with `X-Sms-Timestamp` within 5 minutes — compared in
 *     constant time, before the body is parsed;
 *  2. the body: JSON, one object or an array (a batch), validated with zod field by field;
 *  3. each item is claimed once in the inbound log (48 h, past every gateway retry schedule), then
 *     handled; a duplicate changes nothing;
 *  4. the answer each gateway expects so it does not retry: Tencent {"result":0,"errmsg":"OK"},
 *     Aliyun {"code":0,"msg":"接收成功"}. Bad input gets 4xx in the same shape; a failure of ours gets
 *     500 (the gateway retries it, and the claim was released).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type * as z from 'zod';
import {
  type AliyunReceipt,
  AliyunReceiptSchema,
  type AliyunReply,
  AliyunReplySchema,
  batchOf,
  type CallbackProvider,
  CallbackProviderSchema,
  type TencentReceipt,
  TencentReceiptSchema,
  type TencentReply,
  TencentReplySchema,
} from '../../../schemas/sms.ts';
import type { InboundLog } from '../dynamodb/inbound-log.ts';

export const MAX_CALLBACK_BYTES = 256 * 1024;
/** Past Aliyun's longest retry schedule (1, 5, 10, 30, 60 × 5 min). */
export const SMS_INBOUND_RETENTION_SECONDS = 48 * 3600;
const MAX_SKEW_SECONDS = 300;

export interface SmsReply {
  provider: CallbackProvider;
  /** As the gateway wrote it; normalised by the reply handler. */
  phone: string;
  text: string;
  key: string;
}
export interface SmsReceipt {
  provider: CallbackProvider;
  messageId: string;
  delivered: boolean;
  code: string;
  /** When the handset received it, as a UTC instant; null when the gateway's time is not readable. */
  reportedAt: string | null;
  key: string;
}

/**
 * The gateways report times as Beijing wall-clock text without a zone ("2026-11-16 09:00:05",
 * Tencent's user_receive_time, Aliyun's report_time): stored as the UTC instant they mean, so they
 * compare with every other instant the system keeps.
 */
export function gatewayInstant(text: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(text.trim());
  const ms = m ? Date.parse(`${m[1]}T${m[2]}+08:00`) : Number.NaN;
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export interface SmsCallbackRequest {
  provider: string;
  kind: 'replies' | 'receipts';
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  sourceIp: string;
  body: string;
}

export interface SmsCallbackDeps {
  secret: (provider: CallbackProvider) => Promise<string | undefined>;
  auth: 'token' | 'hmac';
  allowedIps: string[];
  inbound: Pick<InboundLog, 'claim' | 'complete' | 'release'>;
  /** Keys of a number in dedupe records: its HMAC, never the number. */
  numberKey: (raw: string) => string;
  reply: (r: SmsReply) => Promise<string>;
  receipt: (r: SmsReceipt) => Promise<'updated' | 'unknown'>;
  now: () => number;
  log: (message: string, details: Record<string, unknown>) => void;
}

export interface SmsCallbackResult {
  status: number;
  body: Record<string, unknown>;
  counts: { items: number; handled: number; duplicates: number; unknownReceipts: number };
}

const answer = (provider: CallbackProvider | null, status: number, message?: string) => {
  const ok = status === 200;
  if (provider === 'aliyun') return { code: ok ? 0 : 1, msg: ok ? '接收成功' : (message ?? 'error') };
  return { result: ok ? 0 : 1, errmsg: ok ? 'OK' : (message ?? 'error') };
};

/** Constant time whatever the lengths: both sides are hashed first. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

function ipv4(ip: string): number | null {
  const m = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** Whether `ip` is in one of `allowed` (IPv4 addresses or CIDRs); an empty list allows every caller. */
export function ipAllowed(ip: string, allowed: string[]): boolean {
  if (allowed.length === 0) return true;
  const addr = ipv4(ip);
  if (addr === null) return false;
  return allowed.some((entry) => {
    const [base, bits = '32'] = entry.split('/');
    const net = ipv4(base ?? '');
    const n = Number(bits);
    if (net === null || !Number.isInteger(n) || n < 0 || n > 32) return false;
    const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
    return (addr & mask) === (net & mask);
  });
}

async function authenticate(
  req: SmsCallbackRequest,
  provider: CallbackProvider,
  deps: SmsCallbackDeps,
): Promise<boolean> {
  const secret = await deps.secret(provider);
  if (!secret) return false;
  if (deps.auth === 'token') return safeEqual(req.query.token ?? '', secret);
  const ts = req.headers['x-sms-timestamp'] ?? '';
  const sig = (req.headers['x-sms-signature'] ?? '').toLowerCase();
  if (!/^\d{1,12}$/.test(ts) || Math.abs(deps.now() / 1000 - Number(ts)) > MAX_SKEW_SECONDS) return false;
  const expected = createHmac('sha256', secret).update(`${ts}.${req.body}`).digest('hex');
  return safeEqual(sig, expected);
}

const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 24);

function items(
  provider: CallbackProvider,
  kind: 'replies' | 'receipts',
  json: unknown,
  numberKey: (raw: string) => string,
): { ok: true; items: Array<SmsReply | SmsReceipt> } | { ok: false; message: string } {
  const parse = <T>(schema: z.ZodType<T>) => {
    const r = batchOf(schema).safeParse(json);
    return r.success
      ? ({ ok: true, data: r.data as T[] } as const)
      : ({
          ok: false,
          message: r.error.issues
            .slice(0, 5)
            .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
            .join('; '),
        } as const);
  };
  if (kind === 'replies') {
    if (provider === 'tencent') {
      const r = parse<TencentReply>(TencentReplySchema);
      if (!r.ok) return r;
      return {
        ok: true,
        items: r.data.map((x) => {
          const phone = `+${x.nationcode}${x.mobile}`;
          return {
            provider,
            phone,
            text: x.text,
            key: `sms:tencent:reply:${numberKey(phone)}:${x.time}:${digest(x.text)}`,
          };
        }),
      };
    }
    const r = parse<AliyunReply>(AliyunReplySchema);
    if (!r.ok) return r;
    return {
      ok: true,
      items: r.data.map((x) => ({
        provider,
        phone: x.phone_number,
        text: x.content,
        key: `sms:aliyun:reply:${numberKey(x.phone_number)}:${x.sequence_id}`,
      })),
    };
  }
  if (provider === 'tencent') {
    const r = parse<TencentReceipt>(TencentReceiptSchema);
    if (!r.ok) return r;
    return {
      ok: true,
      items: r.data.map((x) => ({
        provider,
        messageId: x.sid,
        delivered: x.report_status === 'SUCCESS',
        code: x.errmsg,
        reportedAt: gatewayInstant(x.user_receive_time),
        key: `sms:tencent:receipt:${x.sid}:${x.report_status}`,
      })),
    };
  }
  const r = parse<AliyunReceipt>(AliyunReceiptSchema);
  if (!r.ok) return r;
  return {
    ok: true,
    items: r.data.map((x) => ({
      provider,
      messageId: x.biz_id,
      delivered: x.success,
      code: x.err_code,
      reportedAt: gatewayInstant(x.report_time),
      key: `sms:aliyun:receipt:${x.biz_id}:${numberKey(x.phone_number)}:${x.success}`,
    })),
  };
}

export async function receiveSmsCallback(
  req: SmsCallbackRequest,
  deps: SmsCallbackDeps,
): Promise<SmsCallbackResult> {
  const counts = { items: 0, handled: 0, duplicates: 0, unknownReceipts: 0 };
  const fail = (provider: CallbackProvider | null, status: number, message: string) => {
    deps.log('SMS callback refused', { provider: req.provider, kind: req.kind, status, reason: message });
    return { status, body: answer(provider, status, message), counts };
  };
  const p = CallbackProviderSchema.safeParse(req.provider);
  if (!p.success) return fail(null, 404, 'unknown provider');
  const provider = p.data;
  if (!ipAllowed(req.sourceIp, deps.allowedIps)) return fail(provider, 403, 'caller not allowed');
  if (!(await authenticate(req, provider, deps))) return fail(provider, 401, 'unauthorized');
  if (Buffer.byteLength(req.body) > MAX_CALLBACK_BYTES) return fail(provider, 413, 'body too large');
  let json: unknown;
  try {
    json = JSON.parse(req.body);
  } catch {
    return fail(provider, 400, 'body is not JSON');
  }
  const parsed = items(provider, req.kind, json, deps.numberKey);
  if (!parsed.ok) return fail(provider, 400, parsed.message);

  for (const item of parsed.items) {
    counts.items++;
    const claim = await deps.inbound.claim(item.key, deps.now(), SMS_INBOUND_RETENTION_SECONDS);
    if (claim !== 'claimed') {
      counts.duplicates++;
      continue;
    }
    try {
      if ('text' in item) {
        await deps.inbound.complete(item.key, await deps.reply(item));
      } else {
        const outcome = await deps.receipt(item);
        if (outcome === 'unknown') counts.unknownReceipts++;
        await deps.inbound.complete(item.key, `receipt:${outcome}`);
      }
      counts.handled++;
    } catch (error) {
      // Forget the claim so the gateway's retry is handled afresh.
      await deps.inbound.release(item.key);
      throw error;
    }
  }
  return { status: 200, body: answer(provider, 200), counts };
}
