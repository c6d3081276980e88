/** Wiring: WeChat push delivery (functions/core/delivery/wechat.ts) for deliver-wechat. */

import { DynamoDeferredPushes } from '../../adapters/dynamodb/deferred-pushes.ts';
import { DynamoDailyQuota } from '../../adapters/dynamodb/quota.ts';
import { DynamoSubscriptionConsents } from '../../adapters/dynamodb/wechat-followers.ts';
import type { WeChatDeliveryDeps } from '../../core/delivery/wechat.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { topics } from '../clients/sns.ts';
import { clock } from '../clock.ts';
import { tableName, topicArn } from '../config.ts';
import { telemetry, timer } from '../telemetry.ts';
import { restrictions } from './delivery.ts';
import { policyStore } from './pushes.ts';
import { accounts, subscribers, wechatMessages } from './wechat.ts';

export function weChatDeliveryDeps(settings: WeChatDeliveryDeps['settings']): WeChatDeliveryDeps {
  return {
    account: (id) => accounts.get(id),
    subscribers,
    wechat: wechatMessages(),
    consents: new DynamoSubscriptionConsents(documentClient, tableName('subscribers')),
    deferred: new DynamoDeferredPushes(documentClient, tableName('ledger')),
    quota: new DynamoDailyQuota(documentClient, tableName('operations')),
    policy: policyStore,
    restrictions,
    deliveries: topics.deliveryQueue(topicArn('push-deliveries')),
    clock,
    timer,
    telemetry,
    settings,
  };
}
