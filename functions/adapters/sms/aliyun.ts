/**
 * Aliyun SMS (dysmsapi 2017-05-25, SendSms) through `@alicloud/dysmsapi20170525`. One number per
 * call; the SDK's automatic retry stays off (SendSms is not idempotent). Codes: `OK`;
 * `isv.BUSINESS_LIMIT_CONTROL` the per-number flow control; `isv.MOBILE_NUMBER_ILLEGAL`,
 * `isv.BLACK_KEY_CONTROL_LIMIT`, `isv.DENY_IP_RANGE`… permanent for the number; `isv.SMS_*_ILLEGAL`,
 * `isv.AMOUNT_NOT_ENOUGH`, `isv.ACCOUNT_*`, `InvalidAccessKeyId.*`, `SignatureDoesNotMatch` configuration.
 */
import * as dysms from '@alicloud/dysmsapi20170525';
import * as openapi from '@alicloud/openapi-core';
import { errorName } from '../../core/errors.ts';
import type { OutboundSms, SendResult, SmsGateway } from '../../core/sms/ports.ts';
import { splitEndpoint } from './endpoint.ts';

export interface AliyunSmsConfig {
  accessKeyId: string;
  accessKeySecret: string;
  /** Override of dysmsapi.aliyuncs.com (the local sandbox). */
  endpoint?: string;
  timeoutMs?: number;
}

// The package is CommonJS with `exports.default = Client`: under ESM the default import is `module.exports`.
// (Vitest's loader hands over the class itself; accept both.)
const loaded = dysms.default as unknown as typeof dysms.default.default | typeof dysms.default;
const DysmsClient: typeof dysms.default.default = typeof loaded === 'function' ? loaded : loaded.default;

export function classifyAliyun(code: string): SendResult['status'] {
  if (code === 'OK') return 'sent';
  if (code === 'isv.BUSINESS_LIMIT_CONTROL' || code === 'isv.DAY_LIMIT_CONTROL') return 'rate-limited';
  if (
    ['isv.MOBILE_NUMBER_ILLEGAL', 'isv.BLACK_KEY_CONTROL_LIMIT', 'isv.MOBILE_COUNT_OVER_LIMIT'].includes(code)
  )
    return 'permanent';
  return 'failed';
}

const isConfiguration = (code: string) =>
  /^isv\.(SMS_(TEMPLATE|SIGNATURE|SIGN)|AMOUNT_NOT_ENOUGH|ACCOUNT_|TEMPLATE_|PARAM_)/.test(code) ||
  /^(InvalidAccessKeyId|SignatureDoesNotMatch|Forbidden)/.test(code);

export class AliyunSmsGateway implements SmsGateway {
  readonly provider = 'aliyun' as const;
  private readonly client: InstanceType<typeof DysmsClient>;

  constructor(config: AliyunSmsConfig) {
    const endpoint = config.endpoint ? splitEndpoint(config.endpoint) : undefined;
    this.client = new DysmsClient(
      new openapi.$OpenApiUtil.Config({
        accessKeyId: config.accessKeyId,
        accessKeySecret: config.accessKeySecret,
        endpoint: endpoint?.host ?? 'dysmsapi.aliyuncs.com',
        protocol: endpoint?.protocol ?? 'https',
        readTimeout: config.timeoutMs ?? 5000,
        connectTimeout: Math.min(config.timeoutMs ?? 5000, 3000),
      }),
    );
  }

  async send(sms: OutboundSms): Promise<SendResult> {
    let body: { code?: string; bizId?: string } | undefined;
    try {
      const res = await this.client.sendSms(
        new dysms.SendSmsRequest({
          phoneNumbers: sms.phone.replace(/^\+86/, ''),
          signName: sms.message.signName,
          templateCode: sms.message.ids.aliyun,
          templateParam: JSON.stringify(sms.message.named),
          outId: sms.reference,
        }),
      );
      body = res.body;
    } catch (error) {
      // An HTTP error answer carries the gateway's code; a timeout or reset does not.
      const code = (error as { code?: string }).code;
      const answered = typeof (error as { statusCode?: number }).statusCode === 'number';
      if (code && answered) return { status: 'failed', code, configuration: isConfiguration(code) };
      return { status: 'unknown', code: code ?? (errorName(error) || 'network') };
    }
    const code = body?.code ?? '';
    const status = classifyAliyun(code);
    if (status === 'sent')
      return body?.bizId ? { status, messageId: body.bizId } : { status: 'unknown', code: 'no-biz-id' };
    if (status === 'failed') return { status, code, configuration: isConfiguration(code) };
    return { status, code };
  }
}
