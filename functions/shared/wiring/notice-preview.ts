/** Wiring: what a notice preview reads (preview-notice; core/notices/preview.ts previewNoticeById). */

import { DynamoAudience } from '../../adapters/dynamodb/audience.ts';
import { DynamoNoticeStore } from '../../adapters/dynamodb/notices.ts';
import { accountDirectory } from '../../adapters/wechat/accounts.ts';
import type { NoticePreviewDeps } from '../../core/notices/preview.ts';
import { bookOf } from '../../core/restrictions/engine.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { clock } from '../clock.ts';
import { env, tableName } from '../config.ts';
import { policyStore } from './pushes.ts';
import { restrictionData } from './restriction-data.ts';
import { catalogue, settings } from './sms.ts';

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
