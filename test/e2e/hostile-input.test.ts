/**
 * Nothing let in (issue #19), on the local stack over HTTP: every hostile input the issue found —
 * bodies and fields past DynamoDB's limits, control characters, bidirectional overrides, invisible
 * or ill-formed text, javascript: URLs, a suspension lifted before it starts, lenient or repeated
 * query parameters — is refused with a 4xx naming the field (test/fixtures/hostile.ts), never stored,
 * never a 500; and a token whose groups only look like admin gets 403 on every admin route.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { LOCAL_ISSUER, LocalJwtIssuer, localKeyFile } from '../../lib/local/jwt.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { ROLE_MATRIX } from '../../schemas/roles.ts';
import { splitRouteKey } from '../../schemas/routes.ts';
import { HOSTILE_CASES, type HostileRequest, hostileGroups } from '../fixtures/hostile.ts';

process.env.STAGE = 'local';
const bp = defineBlueprint({ ...blueprintInput, service: `hostile-${Date.now().toString(36)}` });
const dataDir = mkdtempSync(join(tmpdir(), 'hostile-'));
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir,
  dynamodbEndpoint: inject('dynamodbEndpoint'),
});

beforeAll(() => stack.start());
afterAll(() => stack.stop());

const issuer = () => new LocalJwtIssuer(localKeyFile(dataDir), LOCAL_ISSUER);
async function send(r: HostileRequest) {
  const token =
    r.as && 'roles' in r.as
      ? stack.issueToken('mallory', r.as.roles)
      : r.as
        ? issuer().issueGroups('mallory', r.as.groups)
        : null;
  const res = await fetch(`${stack.endpoint}${r.path}`, {
    method: r.method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(r.body === undefined ? {} : { body: JSON.stringify(r.body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as { errors?: Array<{ path: string }>; detail?: string }) : null,
  };
}

describe.each(HOSTILE_CASES)('$name', ({ requests }) => {
  it.each(
    requests.map((r) => [`${r.method} ${r.path.slice(0, 80)} → ${r.expect.status.join('/')}`, r] as const),
  )('%s', async (_, r) => {
    const res = await send(r);
    expect(r.expect.status, JSON.stringify(res.body)?.slice(0, 300)).toContain(res.status);
    if (r.expect.field)
      expect(
        res.body?.errors?.map((e) => e.path),
        res.body?.detail,
      ).toContain(r.expect.field);
  });
});

describe('exact roles', () => {
  it('a groups claim that only looks like admin gets 403 on every admin route', async () => {
    const routes = Object.keys(ROLE_MATRIX);
    expect(routes).toHaveLength(52); // every admin route: routes.test.ts holds ROLE_MATRIX to the declarations
    for (const groups of hostileGroups)
      for (const key of routes) {
        const { method, path } = splitRouteKey(key);
        const res = await send({
          method,
          path: path.replace(/\{\w+\}/g, 'x'),
          as: { groups },
          ...(method === 'GET' ? {} : { body: {} }),
          expect: { status: [403] },
        });
        expect(res.status, `${JSON.stringify(groups)} on ${key}`).toBe(403);
      }
  });
});
