#!/usr/bin/env node
/**
 * `npm run token -- <role>[,<role>…] [--sub NAME] [--ttl SECONDS]` prints an admin token for the
 * local stack: a Cognito-shaped access token signed with the key in LOCAL_DATA_DIR, which the local
 * HTTP server verifies as the API Gateway JWT authorizer would.
 *
 *   TOKEN=$(npm run -s token -- admin --sub alice)
 *   curl -H "authorization: Bearer $TOKEN" …
 */
import { cliArgs, usageError } from '../lib/local/cli.ts';
import { LOCAL_ISSUER, LocalJwtIssuer, localKeyFile } from '../lib/local/jwt.ts';
import { defaultDataDir } from '../lib/local/stack.ts';
import { ROLES } from '../schemas/roles.ts';

const USAGE = `usage: npm run token -- <role>[,<role>…] [--sub NAME] [--ttl SECONDS]   roles: ${ROLES.join(', ')}`;

const { values, positionals } = cliArgs(USAGE, {
  allowPositionals: true,
  options: { sub: { type: 'string' }, ttl: { type: 'string', default: '3600' } },
});
const roles = (positionals[0] ?? '').split(',').filter(Boolean);
const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
if (roles.length === 0 || unknown.length)
  usageError(USAGE, unknown.length ? `unknown role(s): ${unknown.join(', ')}` : undefined);
const issuer = new LocalJwtIssuer(localKeyFile(defaultDataDir()), LOCAL_ISSUER);
console.log(issuer.issue(values.sub ?? `local-${roles[0]}`, roles, Number(values.ttl)));
