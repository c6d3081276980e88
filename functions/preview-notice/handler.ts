/**
 * POST /v1/admin/notices/{id}/preview — what publishing would do now (or at its publishAt): audience
 * per channel, how many the cap would hold back (exact up to 2,000 members a channel, estimated from
 * an even sample beyond, `capEstimate`) or quiet hours defer, the WeChat template values and
 * the SMS text with its billing parts. Nothing is sent or written. A WeChat channel the account has
 * no template for is a 400 naming it.
 */
import { documentClient } from '../adapters/dynamodb/client.ts';
import { ledgerCounts } from '../adapters/dynamodb/ledger-counts.ts';
import { DynamoNoticeStore } from '../adapters/dynamodb/notices.ts';
import { subscriberCensus } from '../adapters/dynamodb/subscriber-census.ts';
import { accountDirectory } from '../adapters/wechat/accounts.ts';
import { NotFoundError } from '../core/errors.ts';
import { audienceOf } from '../core/notices/audience.ts';
import { capSample, previewNotice } from '../core/notices/preview.ts';
import { ensureTemplates } from '../core/notices/workflow.ts';
import { civilDate } from '../core/time.ts';
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

export const handler = httpRouter('preview-notice', {
  'POST /v1/admin/notices/{id}/preview': async ({ path }) => {
    const notice = await store.get(path.id);
    if (!notice) throw new NotFoundError(`No notice '${path.id}'.`);
    const all = await accounts.all();
    await ensureTemplates(notice, { accounts: async () => all });
    const now = clock.now();
    const sendAt =
      notice.publishAt && Date.parse(notice.publishAt) > now.getTime() ? new Date(notice.publishAt) : now;
    const { policy } = await policyStore.get();
    const input = {
      notice,
      census: await subscriberCensus(documentClient, tableName('subscribers')),
      accounts: all,
      policy,
      sendAt,
      sms: { catalogue, maxParts: settings.maxParts },
    };
    const internal = new Set(all.filter((a) => a.audience === 'internal').map((a) => a.id));
    // The cap is read for a sample of each channel's audience (all of a small one): see capSample.
    const members = (['wechat', 'sms'] as const).flatMap((c) =>
      notice.channels.includes(c) ? capSample(audienceOf(input, c, internal)) : [],
    );
    const ledgers = await ledgerCounts(
      documentClient,
      tableName('ledger'),
      members,
      civilDate(sendAt, policy.timeZone),
    );
    return { status: 200, body: previewNotice(input, ledgers) };
  },
});
