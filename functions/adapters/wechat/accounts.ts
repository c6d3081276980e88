/**
 * Which Official Accounts this deployment serves. On AWS the accounts (with their secrets) are one
 * JSON array in Secrets Manager (WECHAT_ACCOUNTS_SECRET_ARN), read with Powertools Parameters and
 * cached for 5 minutes. Locally (STAGE=local) the account `dev` comes from WECHAT_APP_ID,
 * WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_MODE, … with the defaults below, plus WECHAT_ACCOUNTS (JSON).
 * Dev defaults never apply outside the local stack.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { functionEnvironment } from '../../../schemas/resource-env.ts';
import { type WeChatAccount, WeChatAccountsSchema } from '../../../schemas/wechat.ts';

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
} as const;

export interface AccountDirectory {
  get(id: string): Promise<WeChatAccount | undefined>;
  all(): Promise<WeChatAccount[]>;
}

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
    templates: {
      restriction: v('WECHAT_TEMPLATE_RESTRICTION'),
      notice: v('WECHAT_TEMPLATE_NOTICE'),
      emergency: v('WECHAT_TEMPLATE_EMERGENCY'),
    },
    defaultCity: v('WECHAT_DEFAULT_CITY'),
  };
  const more = env.WECHAT_ACCOUNTS ? (JSON.parse(env.WECHAT_ACCOUNTS) as unknown[]) : [];
  const parsed = WeChatAccountsSchema.safeParse([dev, ...more]);
  if (!parsed.success) {
    throw new Error(
      `WeChat account configuration is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
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
  constructor(arn: string) {
    this.arn = arn;
  }
  async all() {
    const raw = await getSecret(this.arn, { maxAge: 300, transform: 'json' });
    return WeChatAccountsSchema.parse(raw);
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
