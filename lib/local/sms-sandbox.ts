/**
 * SMS gateway sandboxes for the local stack and the tests: a Tencent-shaped (API 3.0 SendSms, JSON,
 * header X-TC-Action) and an Aliyun-shaped (RPC SendSms, query parameters, header x-acs-action)
 * endpoint that the real SDKs call when SMS_API_ENDPOINT points here. Sends land in an outbox;
 * faults an operator or a test can switch on: a per-number daily limit (the gateway's own flow
 * control), numbers that fail permanently, a failure rate, and requests that never answer in time.
 *
 * Tencent-shaped calls must carry a valid TC3-HMAC-SHA256 Authorization for the sandbox's credentials
 * (recomputed from the request as received, compared in constant time), or are refused as API 3.0
 * refuses them: `Response.Error.Code` AuthFailure.InvalidAuthorization (malformed; only
 * `SignedHeaders=content-type;host` is accepted here), AuthFailure.SecretIdNotFound,
 * AuthFailure.SignatureExpire (more than 5 minutes off), AuthFailure.SignatureFailure. Aliyun-shaped
 * calls are not checked (the SDK signs them; the sandbox is not its credential check).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { smsSecretFromEnv } from '../../functions/adapters/sms/settings.ts';
import { tc3Authorization } from '../../functions/adapters/sms/tc3.ts';
import { listenLoopback } from './ports.ts';

export interface SmsOutboxEntry {
  seq: number;
  at: string;
  provider: 'tencent' | 'aliyun' | 'sns';
  /** National number (local sandbox only: a real number never leaves the functions in clear). */
  phone: string;
  signName: string;
  templateId: string;
  params: string[] | Record<string, string>;
  reference: string;
  messageId: string;
}

export interface SmsFaults {
  /** The gateway's per-number daily limit (null = none). */
  perNumberDailyLimit: number | null;
  /** National numbers the gateway refuses permanently (invalid / blacklisted). */
  rejectNumbers: string[];
  /** Probability of a transient gateway error per send. */
  failRate: number;
  /** The next N sends get no answer within the client's timeout. */
  timeouts: number;
  /** Answer an authentication error (misconfigured credentials). */
  authError: boolean;
}

const NO_FAULTS: SmsFaults = {
  perNumberDailyLimit: null,
  rejectNumbers: [],
  failRate: 0,
  timeouts: 0,
  authError: false,
};

type Outcome = 'ok' | 'limit' | 'reject' | 'fail' | 'auth';

/** The credentials the sandbox checks signatures with (the local stack's: those its functions send with). */
export interface SmsSandboxCredentials {
  /** None: every Tencent call is refused as signed by an unknown secret id. */
  tencent?: { secretId: string; secretKey: string } | undefined;
}

const DEV_CREDENTIALS: SmsSandboxCredentials = { tencent: smsSecretFromEnv({}).tencent };

const TC3_AUTHORIZATION =
  /^TC3-HMAC-SHA256 Credential=([^/]+)\/\d{4}-\d{2}-\d{2}\/[^/]+\/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$/;

export class SmsSandbox {
  readonly outbox: SmsOutboxEntry[] = [];
  /** Every send the gateway answered, sent or not (the outbox holds only those sent). */
  attempts = 0;
  faults: SmsFaults = { ...NO_FAULTS };
  private seq = 0;
  private perNumber = new Map<string, number>();
  /** How long a "timeout" request is held (longer than the adapters' timeouts). */
  holdMs = 8000;
  private readonly credentials: SmsSandboxCredentials;

  constructor(credentials: SmsSandboxCredentials = DEV_CREDENTIALS) {
    this.credentials = credentials;
  }

  reset(): void {
    this.outbox.splice(0);
    this.attempts = 0;
    this.perNumber.clear();
    this.faults = { ...NO_FAULTS };
  }

  private decide(phone: string): Outcome {
    this.attempts++;
    if (this.faults.authError) return 'auth';
    if (this.faults.rejectNumbers.includes(phone)) return 'reject';
    if (Math.random() < this.faults.failRate) return 'fail';
    const day = `${new Date().toISOString().slice(0, 10)}#${phone}`;
    const n = this.perNumber.get(day) ?? 0;
    if (this.faults.perNumberDailyLimit !== null && n >= this.faults.perNumberDailyLimit) return 'limit';
    this.perNumber.set(day, n + 1);
    return 'ok';
  }

  private record(e: Omit<SmsOutboxEntry, 'seq' | 'at' | 'messageId'>, prefix: string): string {
    const seq = ++this.seq;
    const messageId = `${prefix}-${String(seq).padStart(8, '0')}`;
    this.outbox.push({ ...e, seq, at: new Date().toISOString(), messageId });
    return messageId;
  }

  /** SNS Publish to a phone number: the rendered text, no template; SNS error codes. */
  sns(phoneNumber: string, text: string): { messageId: string } | { error: string } {
    const phone = phoneNumber.replace(/^\+86/, '');
    const outcome = this.decide(phone);
    if (outcome === 'auth') return { error: 'AuthorizationError' };
    if (outcome === 'reject') return { error: 'InvalidParameter' };
    if (outcome === 'limit') return { error: 'Throttled' };
    if (outcome === 'fail') return { error: 'InternalError' };
    return {
      messageId: this.record(
        { provider: 'sns', phone, signName: '', templateId: '', params: [text], reference: '' },
        'sns',
      ),
    };
  }

  /** Tencent SendSms (JSON body); answers as API 3.0 does. */
  tencent(body: Record<string, unknown>): Record<string, unknown> {
    const requestId = `sandbox-${this.seq + 1}`;
    const phones = Array.isArray(body.PhoneNumberSet) ? body.PhoneNumberSet.map(String) : [];
    if (!phones.length || typeof body.TemplateId !== 'string' || typeof body.SignName !== 'string')
      return {
        Response: {
          Error: { Code: 'MissingParameter', Message: 'PhoneNumberSet, TemplateId, SignName' },
          RequestId: requestId,
        },
      };
    const SendStatusSet = phones.map((raw) => {
      const phone = raw.replace(/^(\+86|0086|86)/, '');
      const outcome = this.decide(phone);
      const base = {
        PhoneNumber: raw,
        SessionContext: String(body.SessionContext ?? ''),
        IsoCode: 'CN',
        Fee: 0,
      };
      if (outcome === 'auth')
        return {
          ...base,
          SerialNo: '',
          Code: 'UnauthorizedOperation.SmsSdkAppIdVerifyFail',
          Message: 'sandbox',
        };
      if (outcome === 'reject')
        return {
          ...base,
          SerialNo: '',
          Code: 'InvalidParameterValue.IncorrectPhoneNumber',
          Message: 'sandbox',
        };
      if (outcome === 'fail')
        return { ...base, SerialNo: '', Code: 'InternalError.Timeout', Message: 'sandbox' };
      if (outcome === 'limit')
        return { ...base, SerialNo: '', Code: 'LimitExceeded.PhoneNumberDailyLimit', Message: 'sandbox' };
      const params = Array.isArray(body.TemplateParamSet) ? body.TemplateParamSet.map(String) : [];
      const SerialNo = this.record(
        {
          provider: 'tencent',
          phone,
          signName: String(body.SignName),
          templateId: String(body.TemplateId),
          params,
          reference: String(body.SessionContext ?? ''),
        },
        'tc',
      );
      return { ...base, SerialNo, Fee: 1, Code: 'Ok', Message: 'send success' };
    });
    return { Response: { SendStatusSet, RequestId: requestId } };
  }

  /**
   * Why API 3.0 would refuse this request's signature, or null when it holds: the Authorization
   * recomputed from the headers and body as received with the configured secret key.
   */
  tencentAuthFailure(req: IncomingMessage, raw: Buffer): string | null {
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const given = header('authorization') ?? '';
    const host = header('host');
    const contentType = header('content-type');
    const timestamp = Number(header('x-tc-timestamp'));
    const match = TC3_AUTHORIZATION.exec(given);
    if (!match || !host || !contentType || !Number.isSafeInteger(timestamp))
      return 'AuthFailure.InvalidAuthorization';
    const known = this.credentials.tencent;
    if (!known || match[1] !== known.secretId) return 'AuthFailure.SecretIdNotFound';
    const { secretId, secretKey } = known;
    if (Math.abs(Date.now() / 1000 - timestamp) > 300) return 'AuthFailure.SignatureExpire';
    // Tencent signs for the product of the host called (sms), whatever the credential scope claims.
    const expected = Buffer.from(
      tc3Authorization({ secretId, secretKey, service: 'sms', host, contentType, timestamp, payload: raw }),
    );
    const actual = Buffer.from(given);
    return expected.length === actual.length && timingSafeEqual(expected, actual)
      ? null
      : 'AuthFailure.SignatureFailure';
  }

  /** Aliyun SendSms (query parameters); answers as dysmsapi does. */
  aliyun(query: URLSearchParams): Record<string, unknown> {
    const RequestId = `sandbox-${this.seq + 1}`;
    const phone = query.get('PhoneNumbers') ?? '';
    const signName = query.get('SignName');
    const templateCode = query.get('TemplateCode');
    if (!phone || !signName || !templateCode)
      return { Code: 'isv.INVALID_PARAMETERS', Message: 'PhoneNumbers, SignName, TemplateCode', RequestId };
    const outcome = this.decide(phone);
    if (outcome === 'auth') return { Code: 'isv.ACCOUNT_ABNORMAL', Message: 'sandbox', RequestId };
    if (outcome === 'reject') return { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: 'sandbox', RequestId };
    if (outcome === 'fail') return { Code: 'isp.SYSTEM_ERROR', Message: 'sandbox', RequestId };
    if (outcome === 'limit') return { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: 'sandbox', RequestId };
    let params: Record<string, string> = {};
    try {
      params = JSON.parse(query.get('TemplateParam') ?? '{}');
    } catch {
      return { Code: 'isv.INVALID_JSON_PARAM', Message: 'TemplateParam is not JSON', RequestId };
    }
    const BizId = this.record(
      {
        provider: 'aliyun',
        phone,
        signName,
        templateId: templateCode,
        params,
        reference: query.get('OutId') ?? '',
      },
      'ali',
    );
    return { Code: 'OK', Message: 'OK', BizId, RequestId };
  }

  /** True when the request was a gateway call (headers X-TC-Action / x-acs-action) and was answered. */
  async handleHttp(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<boolean> {
    const tc = req.headers['x-tc-action'];
    const acs = req.headers['x-acs-action'];
    if (!tc && !acs) return false;
    if (this.faults.timeouts > 0) {
      this.faults.timeouts--;
      await new Promise((r) => setTimeout(r, this.holdMs));
      if (!res.destroyed) res.destroy();
      return true;
    }
    const url = new URL(req.url ?? '/', 'http://sandbox');
    let answer: Record<string, unknown>;
    const refused = tc ? this.tencentAuthFailure(req, raw) : null;
    if (refused) {
      this.attempts++;
      answer = {
        Response: {
          Error: { Code: refused, Message: 'the sandbox refused the request signature' },
          RequestId: `sandbox-${this.seq + 1}`,
        },
      };
    } else if (tc === 'SendSms') {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw.toString('utf8') || '{}');
      } catch {
        body = {};
      }
      answer = this.tencent(body);
    } else if (acs === 'SendSms') {
      answer = this.aliyun(url.searchParams);
    } else {
      answer = { Code: 'InvalidAction', Message: `the sandbox has no ${String(tc ?? acs)}` };
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
    return true;
  }

  /** A standalone server (tests): resolves with its base URL and a stop function. */
  async listen(): Promise<{ url: string; stop: () => Promise<void> }> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.handleHttp(req, res, Buffer.concat(chunks)).then((handled) => {
          if (!handled) {
            res.writeHead(404);
            res.end();
          }
        });
      });
    });
    const port = await listenLoopback(server, 0);
    return {
      url: `http://127.0.0.1:${port}`,
      stop: () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    };
  }
}
