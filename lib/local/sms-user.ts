/**
 * Plays an SMS gateway calling our webhooks back, for `npm run sms` and the end-to-end test: a
 * citizen's reply in Tencent's or Aliyun's shape, or a delivery receipt, with the callback token.
 */
import { DEV_SMS_DEFAULTS } from '../../functions/adapters/sms/settings.ts';

export type GatewayName = 'tencent' | 'aliyun';

export interface Callback {
  path: string;
  query: string;
  body: string;
}

const tokenOf = (provider: GatewayName, env: NodeJS.ProcessEnv) =>
  provider === 'tencent'
    ? (env.SMS_CALLBACK_SECRET_TENCENT ?? DEV_SMS_DEFAULTS.SMS_CALLBACK_SECRET_TENCENT)
    : (env.SMS_CALLBACK_SECRET_ALIYUN ?? DEV_SMS_DEFAULTS.SMS_CALLBACK_SECRET_ALIYUN);

/** `from`: an 11-digit mainland mobile number (the gateways report it without +86). */
export function replyCallback(
  provider: GatewayName,
  from: string,
  text: string,
  at = new Date(),
  env: NodeJS.ProcessEnv = process.env,
): Callback {
  const mobile = from.replace(/^(\+86|0086|86)/, '');
  const body =
    provider === 'tencent'
      ? {
          extend: '',
          mobile,
          nationcode: '86',
          sign: '城市交警',
          text,
          time: Math.floor(at.getTime() / 1000),
        }
      : {
          phone_number: mobile,
          content: text,
          send_time: at.toISOString().replace('T', ' ').slice(0, 19),
          dest_code: '',
          sequence_id: at.getTime(),
        };
  return {
    path: `/webhooks/sms/${provider}/replies`,
    query: new URLSearchParams({ token: tokenOf(provider, env) }).toString(),
    body: JSON.stringify([body]),
  };
}

export function receiptCallback(
  provider: GatewayName,
  messageId: string,
  to: string,
  delivered: boolean,
  at = new Date(),
  env: NodeJS.ProcessEnv = process.env,
): Callback {
  const mobile = to.replace(/^(\+86|0086|86)/, '');
  const time = at.toISOString().replace('T', ' ').slice(0, 19);
  const body =
    provider === 'tencent'
      ? {
          user_receive_time: time,
          nationcode: '86',
          mobile,
          report_status: delivered ? 'SUCCESS' : 'FAIL',
          errmsg: delivered ? 'DELIVRD' : 'MK:0001',
          description: delivered ? '用户短信接收成功' : '用户关机',
          sid: messageId,
        }
      : {
          phone_number: mobile,
          send_time: time,
          report_time: time,
          success: delivered,
          err_code: delivered ? 'DELIVERED' : 'MK:0001',
          err_msg: delivered ? '用户接收成功' : '用户关机',
          sms_size: '1',
          biz_id: messageId,
          out_id: null,
        };
  return {
    path: `/webhooks/sms/${provider}/receipts`,
    query: new URLSearchParams({ token: tokenOf(provider, env) }).toString(),
    body: JSON.stringify([body]),
  };
}
