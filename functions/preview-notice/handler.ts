/**
 * POST /v1/admin/notices/{id}/preview — what publishing would do now (or at its publishAt): audience
 * per channel, how many the cap would hold back (exact up to 2,000 members a channel, estimated from
 * an even sample beyond, `capEstimate`) or quiet hours defer, the WeChat template values and the SMS
 * text with its billing parts (functions/core/notices/preview.ts). Nothing is sent or written.
 */
import { DynamoAudience } from '../adapters/dynamodb/audience.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoNoticeStore } from '../adapters/dynamodb/notices.ts';
import { accountDirectory } from '../adapters/wechat/accounts.ts';
import { previewNoticeById } from '../core/notices/preview.ts';
import { clock } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { httpRouter } from '../shared/http.ts';
import { policyStore } from '../shared/pushes.ts';
import { catalogue, settings } from '../shared/sms.ts';

const store = new DynamoNoticeStore(documentClient, {
  content: tableName('content'),
  operations: tableName('operations'),
});
const accounts = accountDirectory();
const audience = new DynamoAudience(documentClient, {
  subscribers: tableName('subscribers'),
  ledger: tableName('ledger'),
});
const deps = {
  notice: (id: string) => store.get(id),
  accounts: () => accounts.all(),
  census: () => audience.census(),
  ledgerCounts: audience.ledgerCounts.bind(audience),
  policy: async () => (await policyStore.get()).policy,
  clock,
  sms: { catalogue, maxParts: settings.maxParts },
};

export const handler = httpRouter('preview-notice', {
  'POST /v1/admin/notices/{id}/preview': async ({ path }) => ({
    status: 200,
    body: await previewNoticeById(path.id, deps),
  }),
});
