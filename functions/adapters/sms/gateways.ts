/**
 * The deployment's SMS gateway, with credentials from the secret. Each provider's SDK is loaded only
 * when that provider is chosen (a dynamic import): a Tencent deployment never evaluates Aliyun's SDK,
 * and functions that only read SMS settings (./settings.ts) do not bundle any gateway.
 *
 * A deployed bundle holds one gateway only. The build replaces `process.env.SMS_BUNDLED_PROVIDER` with
 * the provider the function is deployed with (lib/aws/bundling.ts), so esbuild drops the other
 * branches and their SDKs (Aliyun's alone is over half a megabyte). Run from source (tests, the local
 * stack) it is undefined and every gateway is there.
 */
import type { SmsProvider } from '../../../schemas/sms.ts';
import type { SmsGateway } from '../../core/sms/ports.ts';
import type { SmsSecret } from './settings.ts';

export async function gatewayFor(
  provider: SmsProvider,
  secret: SmsSecret,
  endpoint?: string,
): Promise<SmsGateway> {
  const bundled = process.env.SMS_BUNDLED_PROVIDER;
  if (bundled !== undefined && bundled !== provider)
    throw new Error(
      `SMS_PROVIDER=${provider}, but this function was built with the ${bundled} gateway only: ` +
        `deploy again with -c smsProvider=${provider} rather than changing the variable`,
    );
  const at = endpoint ? { endpoint } : {};
  if (provider === 'tencent' && (process.env.SMS_BUNDLED_PROVIDER ?? 'tencent') === 'tencent') {
    if (!secret.tencent)
      throw new Error('SMS_PROVIDER=tencent but the SMS secret has no `tencent` credentials');
    const { TencentSmsGateway } = await import('./tencent.ts');
    return new TencentSmsGateway({ ...secret.tencent, ...at });
  }
  if (provider === 'aliyun' && (process.env.SMS_BUNDLED_PROVIDER ?? 'aliyun') === 'aliyun') {
    if (!secret.aliyun) throw new Error('SMS_PROVIDER=aliyun but the SMS secret has no `aliyun` credentials');
    const { AliyunSmsGateway } = await import('./aliyun.ts');
    return new AliyunSmsGateway({ ...secret.aliyun, ...at });
  }
  if (provider === 'sns' && (process.env.SMS_BUNDLED_PROVIDER ?? 'sns') === 'sns') {
    const { SnsSmsGateway } = await import('./sns.ts');
    return new SnsSmsGateway(at);
  }
  throw new Error(`SMS_PROVIDER=${provider} has no gateway`);
}
