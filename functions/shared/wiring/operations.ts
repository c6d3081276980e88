/** Wiring: what the operators' reports read (report-operations, manage-sms, preview-notice). */

import { DynamoAudience } from '../../adapters/dynamodb/audience.ts';
import { auditEntries } from '../../adapters/dynamodb/audit-log.ts';
import { DynamoNoticeStore } from '../../adapters/dynamodb/notices.ts';
import { DynamoSmsBudget } from '../../adapters/dynamodb/sms.ts';
import { DynamoSubscriberRepository } from '../../adapters/dynamodb/subscribers.ts';
import { ledgerPushes } from '../../adapters/dynamodb/support.ts';
import { accountDirectory } from '../../adapters/wechat/accounts.ts';
import type { NoticePreviewDeps } from '../../core/notices/preview.ts';
import type { SubscriberRef } from '../../core/operations/support.ts';
import { bookOf } from '../../core/restrictions/engine.ts';
import { documentClient } from '../aws-clients.ts';
import { clock } from '../clock.ts';
import { env, tableName } from '../config.ts';
import { policyStore } from './pushes.ts';
import { restrictionData } from './restriction-data.ts';
import { catalogue, settings } from './sms.ts';

/** The month's SMS spend against the ceiling (core/sms/budget.ts budgetReport). */
export const smsBudgetDeps = () => ({
  budget: new DynamoSmsBudget(documentClient, tableName('operations')),
  settings,
});

/** Followers, the support view, the audit trail. */
export const reportDeps = () => ({
  subscribers: new DynamoSubscriberRepository(documentClient, tableName('subscribers')),
  audience: new DynamoAudience(documentClient, { subscribers: tableName('subscribers') }),
  audit: (range: Parameters<typeof auditEntries>[2], actor?: string) =>
    auditEntries(documentClient, tableName('operations'), range, actor),
  sms: smsBudgetDeps(),
  ledger: (ref: SubscriberRef) => ledgerPushes(documentClient, tableName('ledger'), ref),
});

/** What a notice preview reads (core/notices/preview.ts previewNoticeById). */
export function noticePreviewDeps(): NoticePreviewDeps {
  const store = new DynamoNoticeStore(documentClient, {
    content: tableName('content'),
    operations: tableName('operations'),
  });
  const accounts = accountDirectory(env());
  const audience = new DynamoAudience(documentClient, {
    subscribers: tableName('subscribers'),
    ledger: tableName('ledger'),
  });
  return {
    notice: (id) => store.get(id),
    accounts: () => accounts.all(),
    census: () => audience.census(),
    ledgerCounts: (members, date) => audience.ledgerCounts(members, date),
    policy: async () => (await policyStore.get()).policy,
    cityName: async (city) => bookOf(await restrictionData.load()).cities.get(city)?.name ?? city,
    clock,
    sms: { catalogue, maxParts: settings.maxParts },
  };
}
