/**
 * Which Official Accounts this deployment serves. On AWS the accounts (with their secrets) are one
 * JSON array in Secrets Manager (WECHAT_ACCOUNTS_SECRET_ARN), read with Powertools Parameters and
 * cached for 5 minutes. Locally (STAGE=local) the account `dev` comes from WECHAT_APP_ID,
 * WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_MODE, … with the defaults below (WECHAT_TEMPLATES and
 * WECHAT_SUBSCRIPTIONS: its templates as JSON), plus WECHAT_ACCOUNTS (JSON).
 * Dev defaults never apply outside the local stack.
 *
 * The configuration is refused when it loads — the shape, and every template mapping that cannot
 * produce valid values for its category (functions/core/wechat/templates.ts) — naming each problem,
 * so a wrong mapping stops the functions at start rather than meeting WeChat's 47003 at send time.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { functionEnvironment } from '../../../schemas/resource-env.ts';
import { type WeChatAccount, WeChatAccountsSchema } from '../../../schemas/wechat.ts';
import { accountTemplateProblems } from '../../core/wechat/templates.ts';

export const DEV_ACCOUNT_DEFAULTS = {
  WECHAT_APP_ID: 'wxd0e1f2a3b4c5d6e7',
  WECHAT_APP_SECRET: 'dev-app-secret',
  WECHAT_TOKEN: 'devtoken',
  WECHAT_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  WECHAT_MODE: 'safe',
  WECHAT_DEFAULT_CITY: 'beijing',
  WECHAT_TEMPLATE_RESTRICTION: 'dev-restriction-template',
  WECHAT_TEMPLATE_NOTICE: 'dev-notice-template',
  WECHAT_TEMPLATE_EMERGENCY: 'dev-emergency-template',
  WECHAT_TEMPLATE_TRANSACTIONAL: 'dev-transactional-template',
  /** The desk's "您的留言有回复" notice outside the customer-service window (links to the case page). */
  WECHAT_TEMPLATE_DESK: 'dev-desk-template',
} as const;

export interface AccountDirectory {
  get(id: string): Promise<WeChatAccount | undefined>;
  all(): Promise<WeChatAccount[]>;
}

export class AccountConfigurationError extends Error {
  override name = 'AccountConfigurationError';
}

/** Parses the accounts configuration: its shape, then every template mapping; throws naming each problem. */
export function parseAccounts(raw: unknown): WeChatAccount[] {
  const parsed = WeChatAccountsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AccountConfigurationError(
      `WeChat account configuration is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const problems = parsed.data.flatMap((a) => accountTemplateProblems(a).map((p) => `${a.id}.${p}`));
  if (problems.length)
    throw new AccountConfigurationError(`WeChat account configuration is invalid: ${problems.join('; ')}`);
  return parsed.data;
}

const json = (env: Record<string, string | undefined>, name: string): unknown => {
  const raw = env[name];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new AccountConfigurationError(`${name} is not JSON`);
  }
};

export function accountsFromEnv(env: Record<string, string | undefined>): WeChatAccount[] {
  const v = (name: keyof typeof DEV_ACCOUNT_DEFAULTS) => env[name] ?? DEV_ACCOUNT_DEFAULTS[name];
  const dev = {
    id: 'dev',
    appId: v('WECHAT_APP_ID'),
    appSecret: v('WECHAT_APP_SECRET'),
    token: v('WECHAT_TOKEN'),
    encodingAesKey: v('WECHAT_AES_KEY'),
    previousEncodingAesKey: env.WECHAT_PREVIOUS_AES_KEY ?? null,
    mode: v('WECHAT_MODE'),
    templates: json(env, 'WECHAT_TEMPLATES') ?? {
      restriction: v('WECHAT_TEMPLATE_RESTRICTION'),
      notice: v('WECHAT_TEMPLATE_NOTICE'),
      emergency: v('WECHAT_TEMPLATE_EMERGENCY'),
      transactional: v('WECHAT_TEMPLATE_TRANSACTIONAL'),
      desk: v('WECHAT_TEMPLATE_DESK'),
    },
    ...(json(env, 'WECHAT_DRIVER_TEMPLATES')
      ? { driverTemplates: json(env, 'WECHAT_DRIVER_TEMPLATES') }
      : {}),
    subscriptions: json(env, 'WECHAT_SUBSCRIPTIONS') ?? {},
    // The local stack serves the notice page itself (LOCAL_STACK_URL is set for its functions).
    pageBaseUrl: env.WECHAT_PAGE_BASE_URL ?? env.LOCAL_STACK_URL ?? null,
    defaultCity: v('WECHAT_DEFAULT_CITY'),
  };
  const more = json(env, 'WECHAT_ACCOUNTS') ?? [];
  return parseAccounts([dev, ...(Array.isArray(more) ? more : [more])]);
}

class StaticDirectory implements AccountDirectory {
  private readonly byId: Map<string, WeChatAccount>;
  constructor(accounts: WeChatAccount[]) {
    this.byId = new Map(accounts.map((a) => [a.id, a]));
  }
  async get(id: string) {
    return this.byId.get(id);
  }
  async all() {
    return [...this.byId.values()];
  }
}

class SecretDirectory implements AccountDirectory {
  private readonly arn: string;
  private raw: unknown;
  private parsed: WeChatAccount[] = [];
  constructor(arn: string) {
    this.arn = arn;
  }
  async all() {
    const raw = await getSecret(this.arn, { maxAge: 300, transform: 'json' });
    if (raw !== this.raw) {
      this.parsed = parseAccounts(raw);
      this.raw = raw;
    }
    return this.parsed;
  }
  async get(id: string) {
    return (await this.all()).find((a) => a.id === id);
  }
}

export function accountDirectory(
  env: Record<string, string | undefined> = functionEnvironment(),
): AccountDirectory {
  if (env.WECHAT_ACCOUNTS_SECRET_ARN) return new SecretDirectory(env.WECHAT_ACCOUNTS_SECRET_ARN);
  if (env.STAGE === 'local') return new StaticDirectory(accountsFromEnv(env));
  throw new Error(
    'WECHAT_ACCOUNTS_SECRET_ARN is not set (dev accounts from the environment exist only when STAGE=local)',
  );
}

export const staticAccounts = (accounts: WeChatAccount[]): AccountDirectory => new StaticDirectory(accounts);
