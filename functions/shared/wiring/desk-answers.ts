/**
 * Wiring: the desk's messages to citizens (send-desk-answer) — the cases, the ledger and policy the
 * answers are counted on, WeChat (accounts, tokens, the customer-service window, templates and
 * subscription notices, the daily quota), SMS (the vault, the budget, the gateway) and the 12345
 * platform, all behind functions/core/desk/answers.ts.
 */
import { shippedSmsCatalogue } from '../../../schemas/data/replies.ts';
import { CaseLinkSettingsSchema } from '../../../schemas/settings.ts';
import { DynamoCaseStore } from '../../adapters/dynamodb/cases.ts';
import { DynamoPushLedger } from '../../adapters/dynamodb/push-ledger.ts';
import { DynamoDailyQuota } from '../../adapters/dynamodb/quota.ts';
import { DynamoSmsBudget, DynamoSmsMessages } from '../../adapters/dynamodb/sms.ts';
import { DynamoSubscriptionConsents } from '../../adapters/dynamodb/wechat-followers.ts';
import { HttpPlatformAnswers } from '../../adapters/platform/answers.ts';
import { deskSecretSource } from '../../adapters/platform/secret.ts';
import type { AnswerDeps, DeskSms } from '../../core/desk/answers.ts';
import { caseLinkPath } from '../../core/desk/links.ts';
import { sendWithinBudget } from '../../core/sms/budget.ts';
import { renderSms, SmsTooLongError } from '../../core/sms/messages.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { clock, protocolNow } from '../clock.ts';
import { env, settings, tableName } from '../config.ts';
import { telemetry } from '../telemetry.ts';
import { policyStore, pushStats } from './pushes.ts';
import { smsLog, smsMetric, settings as smsSettings } from './sms.ts';
import { smsRuntime } from './sms-runtime.ts';
import { accounts, customerService, subscribers, wechatApi, wechatMessages } from './wechat.ts';

const deskSecret = deskSecretSource(env());
const { linkDays } = settings(CaseLinkSettingsSchema);
const operations = tableName('operations');

const sms: DeskSms = {
  async send(to, kind, values) {
    const runtime = await smsRuntime();
    let message: ReturnType<typeof renderSms>;
    try {
      message = renderSms(shippedSmsCatalogue, kind, values, smsSettings.maxParts);
    } catch (error) {
      if (error instanceof SmsTooLongError) return { outcome: 'too-long' };
      throw error;
    }
    const phone = runtime.vault.decrypt(to.sealedPhone, to.id);
    const r = await sendWithinBudget(
      { phone, subscriberId: to.id },
      message,
      { pushKey: null, runKey: null, reference: `desk:${kind}` },
      {
        gateway: runtime.gateway,
        budget: new DynamoSmsBudget(documentClient, operations),
        messages: new DynamoSmsMessages(documentClient, operations),
        clock,
        settings: smsSettings,
        log: smsLog,
        metric: smsMetric,
      },
    );
    return r.outcome === 'sent' ? { outcome: 'sent' } : r;
  },
};

export function deskAnswerDeps(): AnswerDeps {
  const { tokens } = wechatApi();
  return {
    store: new DynamoCaseStore(documentClient, { desk: tableName('desk'), operations }),
    ledger: new DynamoPushLedger(documentClient, tableName('ledger')),
    policy: policyStore,
    tally: pushStats(),
    clock,
    telemetry,
    link: async (number) =>
      caseLinkPath(
        (await deskSecret()).caseLinkKey,
        number,
        Math.floor(protocolNow() / 1000) + linkDays * 86_400,
      ),
    pageBaseUrl: null,
    wechat: {
      account: (id) => accounts.get(id),
      ensureToken: async (account) => void (await tokens.get(account)),
      customerService: customerService(),
      messages: wechatMessages(),
      consents: new DynamoSubscriptionConsents(documentClient, tableName('subscribers')),
      quota: new DynamoDailyQuota(documentClient, operations),
      refusals: { subscribers, clock, telemetry },
    },
    sms,
    platform: new HttpPlatformAnswers(async () => (await deskSecret()).platform12345),
  };
}

/** Where case pages are served for SMS links: the first public account's pageBaseUrl. */
export async function withPageBase(deps: AnswerDeps): Promise<AnswerDeps> {
  const base =
    (await accounts.all()).find((a) => a.audience === 'public' && a.pageBaseUrl)?.pageBaseUrl ?? null;
  return { ...deps, pageBaseUrl: base };
}
