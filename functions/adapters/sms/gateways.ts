/**
 * The deployment's SMS gateway, with credentials from the secret. Each provider's SDK is loaded only
 * when that provider is chosen (a dynamic import): a Tencent deployment never evaluates Aliyun's SDK,
 * and functions that only read SMS settings (./settings.ts) do not bundle any gateway.
 */
import type { SmsProvider } from '../../../schemas/sms.ts';
import type { SmsGateway } from '../../core/sms/ports.ts';
import type { SmsSecret } from './settings.ts';

export async function gatewayFor(
  provider: SmsProvider,
  secret: SmsSecret,
  endpoint?: string,
): Promise<SmsGateway> {
  const at = endpoint ? { endpoint } : {};
  if (provider === 'tencent') {
    if (!secret.tencent)
      throw new Error('SMS_PROVIDER=tencent but the SMS secret has no `tencent` credentials');
    const { TencentSmsGateway } = await import('./tencent.ts');
    return new TencentSmsGateway({ ...secret.tencent, ...at });
  }
  if (provider === 'aliyun') {
    if (!secret.aliyun) throw new Error('SMS_PROVIDER=aliyun but the SMS secret has no `aliyun` credentials');
    const { AliyunSmsGateway } = await import('./aliyun.ts');
    return new AliyunSmsGateway({ ...secret.aliyun, ...at });
  }
  const { SnsSmsGateway } = await import('./sns.ts');
  return new SnsSmsGateway(at);
}
