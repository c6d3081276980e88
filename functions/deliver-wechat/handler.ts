/**
 * The `push-deliveries-wechat` queue: bundles of up to 50 WeChat followers of one push. The bundle
 * loop (functions/core/delivery/bundles.ts: run status, quiet hours, receipts, counts) around WeChat
 * delivery (functions/core/delivery/wechat.ts: statuses, quota, the cap + dedupe in one ledger write,
 * the template send, SMS fallback). The only way a push reaches a WeChat follower.
 */
import { DeliveryMessageSchema } from '../../schemas/pushes.ts';
import { DeliverWeChatSettingsSchema } from '../../schemas/settings.ts';
import { bundleDelivery } from '../core/delivery/bundles.ts';
import { weChatDelivery } from '../core/delivery/wechat.ts';
import { settings } from '../shared/config.ts';
import { queueHandler } from '../shared/queue.ts';
import { bundleDeps } from '../shared/wiring/delivery.ts';
import { weChatDeliveryDeps } from '../shared/wiring/wechat-delivery.ts';

const deps = weChatDeliveryDeps(settings(DeliverWeChatSettingsSchema));

export const handler = queueHandler({
  schema: DeliveryMessageSchema,
  retrying: 'delivery will be retried',
  begin: () => bundleDelivery(bundleDeps('wechat'), weChatDelivery(deps)),
  record: (bundle, delivery, attempt) => delivery.deliver(bundle, attempt),
  end: (delivery) => delivery.finish(),
});
