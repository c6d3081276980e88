/**
 * GET /c/{number}?e=&t= — a citizen's case and its thread (functions/core/desk/page.ts), opened from
 * the “您的留言有回复” notice with a signed, expiring link; never cached.
 */
import { DynamoCaseStore } from '../adapters/dynamodb/cases.ts';
import { deskSecretSource } from '../adapters/platform/secret.ts';
import { CASE_PAGE_CSP, casePage } from '../core/desk/page.ts';
import { documentClient } from '../shared/clients/dynamodb.ts';
import { protocolNow } from '../shared/clock.ts';
import { env, tableName } from '../shared/config.ts';
import { pageHandler } from '../shared/page.ts';

const store = new DynamoCaseStore(documentClient, { desk: tableName('desk') });
const secret = deskSecretSource(env());
const deps = {
  linkKey: async () => (await secret()).caseLinkKey,
  get: (n: string) => store.get(n),
  thread: (n: string) => store.thread(n),
  nowSeconds: () => Math.floor(protocolNow() / 1000),
};

export const handler = pageHandler(
  CASE_PAGE_CSP,
  ({ pathParameters, query }) => casePage(pathParameters.number ?? '', query, deps),
  {
    personal: true,
  },
);
