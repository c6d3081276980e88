/** Wiring: SMS push delivery (functions/core/delivery/sms.ts) for deliver-sms. */

import type { SmsDeliveryDeps } from '../../core/delivery/sms.ts';
import { timer } from '../telemetry.ts';
import { restrictions } from './delivery.ts';
import { smsSendingDeps } from './sms-sending.ts';

/** SMS delivery's dependencies; the gateway and the vault from the secret, read on first use. */
export function smsDeliveryDeps(pacing: SmsDeliveryDeps['pacing']) {
  const sending = smsSendingDeps();
  return async (): Promise<SmsDeliveryDeps> => ({ ...(await sending()), restrictions, timer, pacing });
}
