#!/usr/bin/env node
/**
 * `npm run menu -- [--account dev] [--publish]` — the account's custom menu from the repository
 * (schemas/data/menus.json): what stands in the way of publishing it, and the difference from the
 * menu WeChat shows now (get_current_selfmenu_info); with --publish, publishes it (menu/create), only
 * over the menu the difference was shown against.
 *
 *   --api URL      a deployed API (default: the local stack on PORT or 3000)
 *   --token JWT    an operator token for --api (default locally: minted from LOCAL_DATA_DIR's key)
 */
import { cliArgs } from '../lib/local/cli.ts';
import { LOCAL_ISSUER, LocalJwtIssuer, localKeyFile } from '../lib/local/jwt.ts';
import { defaultDataDir } from '../lib/local/stack.ts';

const { values } = cliArgs('usage: npm run menu -- [--account dev] [--publish] [--api URL] [--token JWT]', {
  options: {
    account: { type: 'string', default: 'dev' },
    publish: { type: 'boolean', default: false },
    api: { type: 'string' },
    token: { type: 'string' },
  },
});
const base = values.api ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const token =
  values.token ??
  process.env.ADMIN_TOKEN ??
  new LocalJwtIssuer(localKeyFile(defaultDataDir()), LOCAL_ISSUER).issue('menu-cli', ['operator'], 3600);

interface Report {
  account: string;
  diff: string[];
  problems: string[];
  basedOn: string;
  published?: boolean;
}

async function call(method: 'GET' | 'POST', body?: unknown): Promise<Report> {
  const res = await fetch(`${base}/v1/admin/wechat/${encodeURIComponent(values.account)}/menu`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as Report & { detail?: string; message?: string };
  if (res.status >= 400) {
    console.error(`${method} menu: HTTP ${res.status} ${json.detail ?? json.message ?? ''}`);
    process.exit(1);
  }
  return json;
}

const report = await call('GET');
console.log(`Menu of account '${report.account}' — difference from what WeChat shows now:`);
console.log(
  report.diff.length ? report.diff.map((l) => `  ${l}`).join('\n') : '  (none: WeChat shows this menu)',
);
if (report.problems.length) {
  console.error(`Cannot be published:\n${report.problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
if (!values.publish) {
  console.log(report.diff.length ? 'Run again with --publish to publish it.' : 'Nothing to publish.');
  process.exit(0);
}
const published = await call('POST', { basedOn: report.basedOn });
console.log(
  published.published
    ? 'Published (menu/create); WeChat clients refresh it within 5 minutes.'
    : 'Not published.',
);
