/**
 * The `push-deliveries-sms` queue: bundles of SMS recipients of one push. The bundle loop
 * (functions/core/delivery/bundles.ts) around SMS delivery (functions/core/delivery/sms.ts: status,
 * per-number cap, the cap + dedupe in one ledger write, the month's budget, the gateway). The only
 * way a push reaches an SMS subscriber.
 */
import { DeliveryMessageSchema } from '../../schemas/pushes.ts';
import { DeliverSmsSettingsSchema } from '../../schemas/settings.ts';
import { bundleDelivery } from '../core/delivery/bundles.ts';
import { smsDelivery } from '../core/delivery/sms.ts';
import { settings } from '../shared/config.ts';
import { queueHandler } from '../shared/queue.ts';
import { bundleDeps } from '../shared/wiring/delivery.ts';
import { smsDeliveryDeps } from '../shared/wiring/sms-delivery.ts';

const deps = smsDeliveryDeps(settings(DeliverSmsSettingsSchema));

export const handler = queueHandler({
  schema: DeliveryMessageSchema,
  retrying: 'delivery will be retried',
  begin: async () => bundleDelivery(bundleDeps('sms'), smsDelivery(await deps())),
  record: (bundle, delivery, attempt) => delivery.deliver(bundle, attempt),
  end: (delivery) => delivery.finish(),
});
