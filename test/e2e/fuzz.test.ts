/**
 * No input is a 500 (issue #19): every operation of the OpenAPI document the stack serves is called
 * with malformed path parameters, query strings and bodies — derived from the operation's own
 * parameters and request schema — as an admin (so the input is read, not refused at the role check),
 * on the local stack over HTTP. Each answer is below 500; a JSON route's refusal is a problem document,
 * a page's or a webhook's is in the content type its operation declares for that status.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { malformedRequests, type OpenApiDocument } from '../fixtures/fuzz.ts';
import { VALID_BODIES } from '../fixtures/hostile.ts';

process.env.STAGE = 'local';
const bp = defineBlueprint({ ...blueprintInput, service: `fuzz-${Date.now().toString(36)}` });
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir: mkdtempSync(join(tmpdir(), 'fuzz-')),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  timeScale: 0.02,
});

beforeAll(() => stack.start());
afterAll(() => stack.stop());

describe('fuzzing every route of the OpenAPI document', () => {
  it('answers every malformed request below 500', async () => {
    const document = (await (await fetch(`${stack.endpoint}/openapi.json`)).json()) as OpenApiDocument;
    const admin = stack.issueToken('fuzz', ['admin']);
    const requests = malformedRequests(document, VALID_BODIES);
    const failures: string[] = [];
    let serverErrors = 0;
    const operations = new Set<string>();
    for (const r of requests) {
      operations.add(r.operation);
      const res = await fetch(`${stack.endpoint}${r.path}`, {
        method: r.method,
        headers: { authorization: `Bearer ${admin}`, 'content-type': r.contentType },
        ...(r.body === undefined ? {} : { body: r.body }),
      });
      const text = await res.text();
      if (res.status >= 500) serverErrors++;
      if (res.status >= 500)
        failures.push(`${res.status} ${r.method} ${r.path.slice(0, 120)} (${r.what}): ${text.slice(0, 200)}`);
      else if (res.status >= 400) {
        // A JSON route refuses with a problem; a page or webhook in what it declares for the status.
        const expected = r.declared[res.status]?.length
          ? r.declared[res.status]!
          : r.json
            ? ['application/problem+json']
            : [];
        const type = res.headers.get('content-type') ?? '';
        if (expected.length && !expected.some((t) => type.includes(t)))
          failures.push(
            `${res.status} as ${type || 'nothing'}, not ${expected.join(' or ')}: ${r.method} ${r.path.slice(0, 120)} (${r.what})`,
          );
      }
    }
    console.log(
      `fuzz: ${requests.length} malformed requests over ${operations.size} operations, ${serverErrors} answered 5xx`,
    );
    expect(operations.size).toBe(
      Object.values(document.paths).reduce((n, p) => n + Object.keys(p).length, 0),
    );
    expect(requests.length).toBeGreaterThan(1000);
    if (failures.length) console.log(failures.join('\n'));
    expect(failures).toEqual([]);
  }, 180_000);
});
