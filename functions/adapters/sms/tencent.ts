/**
 * Tencent Cloud SMS (API 3.0, SendSms 2021-01-11): one signed JSON POST to sms.tencentcloudapi.com
 * over node:http (the provider transport, ../../shared/clients/http-json.ts), signed
 * TC3-HMAC-SHA256 (./tc3.ts). Hand-written rather than through `tencentcloud-sdk-nodejs-sms`:
 * SendSms is the one call we make, and the SDK brought ~600 KiB into every sending function's
 * bundle (node-fetch/whatwg-url/tr46, form-data/mime-db) for it. One
 * number per call here (the deliver path sends per recipient; SendSms takes up to 200). Never retried
 * (SendSms is not idempotent). Codes: SendStatusSet `Ok`; `LimitExceeded.PhoneNumber*` the gateway's
 * per-number limits; `InvalidParameterValue.*PhoneNumber*`/`UnsupportedOperation.*` permanent for
 * the number; `FailedOperation.*`, `UnauthorizedOperation.*`, `AuthFailure.*` configuration.
 */
import { errorName } from '../../core/errors.ts';
import type { OutboundSms, SendResult, SmsGateway } from '../../core/sms/ports.ts';
import { httpJson } from '../../shared/clients/http-json.ts';
import { splitEndpoint } from './endpoint.ts';
import { signTc3 } from './tc3.ts';

export interface TencentSmsConfig {
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  region: string;
  /** Override of sms.tencentcloudapi.com (the local sandbox). */
  endpoint?: string;
  timeoutSeconds?: number;
}

const HOST = 'sms.tencentcloudapi.com';
const SERVICE = 'sms';
const VERSION = '2021-01-11';

/** What SendSms answers (the members read here). */
interface SendSmsAnswer {
  Response?: {
    Error?: { Code?: string; Message?: string };
    SendStatusSet?: Array<{ SerialNo?: string; Code?: string }>;
    RequestId?: string;
  };
}

export function classifyTencent(code: string): SendResult['status'] {
  if (code === 'Ok') return 'sent';
  if (code.startsWith('LimitExceeded.PhoneNumber')) return 'rate-limited';
  if (
    /^InvalidParameterValue\..*(PhoneNumber|Mobile)/.test(code) ||
    code.startsWith('UnsupportedOperation.') ||
    code === 'FailedOperation.PhoneNumberInBlacklist'
  )
    return 'permanent';
  return 'failed';
}

const isConfiguration = (code: string) =>
  /^(AuthFailure|UnauthorizedOperation)\b/.test(code) ||
  /^FailedOperation\.(TemplateIncorrectOrUnapproved|SignatureIncorrectOrUnapproved|InsufficientBalanceInSmsPackage)/.test(
    code,
  ) ||
  code.startsWith('InvalidParameterValue.TemplateParameter');

export class TencentSmsGateway implements SmsGateway {
  readonly provider = 'tencent' as const;
  private readonly config: TencentSmsConfig;
  private readonly url: string;
  private readonly host: string;

  constructor(config: TencentSmsConfig) {
    const endpoint = config.endpoint ? splitEndpoint(config.endpoint) : { protocol: 'https', host: HOST };
    this.config = config;
    this.host = endpoint.host;
    this.url = `${endpoint.protocol}://${endpoint.host}/`;
  }

  async send(sms: OutboundSms): Promise<SendResult> {
    const payload = JSON.stringify({
      PhoneNumberSet: [sms.phone],
      SmsSdkAppId: this.config.sdkAppId,
      SignName: sms.message.signName,
      TemplateId: sms.message.ids.tencent,
      TemplateParamSet: sms.message.params,
      SessionContext: sms.reference,
    });
    const headers = signTc3({
      secretId: this.config.secretId,
      secretKey: this.config.secretKey,
      service: SERVICE,
      host: this.host,
      action: 'SendSms',
      version: VERSION,
      region: this.config.region,
      // The signature's time is the wall clock (Tencent refuses one more than 5 minutes off), not a
      // domain clock.
      timestamp: Math.floor(Date.now() / 1000),
      payload,
    });
    let answer: SendSmsAnswer['Response'];
    try {
      const res = await httpJson(this.url, {
        method: 'POST',
        headers,
        body: payload,
        signal: AbortSignal.timeout((this.config.timeoutSeconds ?? 5) * 1000),
      });
      // API 3.0 answers every request it handled with 200 and the outcome in the body; anything
      // else came from in between, and the send may or may not have happened.
      if (res.status !== 200) return { status: 'unknown', code: `http-${res.status}` };
      answer = ((await res.json()) as SendSmsAnswer | null)?.Response;
    } catch (error) {
      // The socket's error code where there is one (ECONNREFUSED, ECONNRESET), else the error's name.
      const { code } = error as { code?: unknown };
      return { status: 'unknown', code: typeof code === 'string' ? code : errorName(error) || 'network' };
    }
    // An API error (Response.Error) has a code: the request was answered, nothing was sent.
    const code = answer?.Error?.Code;
    if (code) {
      const status = classifyTencent(code);
      return status === 'failed' || status === 'sent'
        ? { status: 'failed', code, configuration: isConfiguration(code) }
        : { status, code };
    }
    const s = answer?.SendStatusSet?.[0];
    if (!s?.Code) return { status: 'unknown', code: 'no-status' };
    const status = classifyTencent(s.Code);
    if (status === 'sent') {
      if (!s.SerialNo) return { status: 'unknown', code: 'no-serial' };
      return { status, messageId: s.SerialNo };
    }
    if (status === 'failed') return { status, code: s.Code, configuration: isConfiguration(s.Code) };
    return { status, code: s.Code };
  }
}
