/**
 * GET /v1/admin/wechat/quota (role operator): template messages deliver-wechat counted today against
 * each account's daily quota (operations `QUOTA#{appId}#{date}`), beside the quota it stops at.
 */
import { WeChatQuotaSettingsSchema } from '../../schemas/settings.ts';
import { quotaUsed } from '../adapters/dynamodb/support.ts';
import { accountDirectory } from '../adapters/wechat/accounts.ts';
import { today } from '../core/time.ts';
import { documentClient } from '../shared/clients/dynamodb.ts';
import { clock } from '../shared/clock.ts';
import { env, settings, tableName } from '../shared/config.ts';
import { httpRouter } from '../shared/http.ts';

const accounts = accountDirectory(env());
const { dailyTemplateQuota } = settings(WeChatQuotaSettingsSchema);
const table = tableName('operations');

export const handler = httpRouter('report-wechat-quota', {
  'GET /v1/admin/wechat/quota': async () => {
    const date = today(clock);
    const all = await accounts.all();
    const rows = await Promise.all(
      all.map(async (a) => ({
        account: a.id,
        appId: a.appId,
        used: await quotaUsed(documentClient, table, a.appId, date),
        limit: dailyTemplateQuota,
      })),
    );
    return { status: 200, body: { date, accounts: rows } };
  },
});
