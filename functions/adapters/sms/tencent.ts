/**
 * Tencent Cloud SMS (API 3.0, SendSms 2021-01-11) through `tencentcloud-sdk-nodejs-sms`. One number
 * per call here (the deliver path sends per recipient; SendSms takes up to 200). Codes: SendStatusSet
 * `Ok`; `LimitExceeded.PhoneNumber*` the gateway's per-number limits; `InvalidParameterValue.*
 * PhoneNumber*`/`UnsupportedOperation.*` permanent for the number; `FailedOperation.*`,
 * `UnauthorizedOperation.*`, `AuthFailure.*` configuration.
 */
import * as tencentSms from 'tencentcloud-sdk-nodejs-sms';
import { errorName } from '../../core/errors.ts';
import type { OutboundSms, SendResult, SmsGateway } from '../../core/sms/ports.ts';
import { splitEndpoint } from './endpoint.ts';

export interface TencentSmsConfig {
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  region: string;
  /** Override of sms.tencentcloudapi.com (the local sandbox). */
  endpoint?: string;
  timeoutSeconds?: number;
}

type Client = InstanceType<typeof tencentSms.sms.v20210111.Client>;

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
  private readonly client: Client;
  private readonly sdkAppId: string;

  constructor(config: TencentSmsConfig) {
    const endpoint = config.endpoint ? splitEndpoint(config.endpoint) : undefined;
    this.sdkAppId = config.sdkAppId;
    this.client = new tencentSms.sms.v20210111.Client({
      credential: { secretId: config.secretId, secretKey: config.secretKey },
      region: config.region,
      profile: {
        httpProfile: {
          reqTimeout: config.timeoutSeconds ?? 5,
          ...(endpoint ? { endpoint: endpoint.host, protocol: `${endpoint.protocol}://` } : {}),
        },
      },
    });
  }

  async send(sms: OutboundSms): Promise<SendResult> {
    let res: Awaited<ReturnType<Client['SendSms']>>;
    try {
      res = await this.client.SendSms({
        PhoneNumberSet: [sms.phone],
        SmsSdkAppId: this.sdkAppId,
        SignName: sms.message.signName,
        TemplateId: sms.message.ids.tencent,
        TemplateParamSet: sms.message.params,
        SessionContext: sms.reference,
      });
    } catch (error) {
      // An API error (Response.Error) has a code: the request was answered, nothing was sent.
      const code = (error as { code?: string }).code;
      if (code) {
        const status = classifyTencent(code);
        return status === 'failed' || status === 'sent'
          ? { status: 'failed', code, configuration: isConfiguration(code) }
          : { status, code };
      }
      return { status: 'unknown', code: errorName(error) || 'network' };
    }
    const s = res.SendStatusSet?.[0];
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
