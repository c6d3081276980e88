/**
 * Limits everywhere (issue #19): every string a route accepts has a maximum length, every list a
 * maximum count and every record a bounded size, whatever route added it — checked on the JSON
 * Schema each request schema gives (what the OpenAPI document shows, what the router validates), so a
 * field added without a bound fails here, not as a DynamoDB 500. A string bounded by its pattern alone
 * (`^[a-z0-9-]{1,32}$`, no unbounded repetition) or an enum counts as bounded.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { declaredRoutes, isJsonRoute } from '../../../schemas/routes.ts';

type JsonSchema = Record<string, unknown>;

/** A pattern that cannot match strings of any length: anchored, with no `*`, `+` or `{n,}`. */
const boundedPattern = (p: string) => p.startsWith('^') && p.endsWith('$') && !/(?<!\\)[*+]|\{\d+,\}/.test(p);

/** The unbounded strings, lists and records of a JSON Schema, by where they are. */
function unbounded(
  schema: unknown,
  at: string,
  defs: Record<string, unknown>,
  seen = new Set<string>(),
): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as JsonSchema;
  if (typeof s.$ref === 'string') {
    const name = s.$ref.replace('#/$defs/', '');
    if (seen.has(name)) return [];
    return unbounded(defs[name], at, defs, new Set([...seen, name]));
  }
  const out: string[] = [];
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const)
    for (const [i, sub] of ((s[k] as unknown[]) ?? []).entries())
      out.push(...unbounded(sub, `${at}|${i}`, defs, seen));
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes('string') && s.enum === undefined && s.const === undefined) {
    const bounded =
      typeof s.maxLength === 'number' || (typeof s.pattern === 'string' && boundedPattern(s.pattern));
    if (!bounded && s.format !== 'date' && s.format !== 'date-time')
      out.push(`${at}: a string without maxLength`);
  }
  if (types.includes('array')) {
    if (typeof s.maxItems !== 'number' && !Array.isArray(s.prefixItems))
      out.push(`${at}: a list without maxItems`);
    out.push(...unbounded(s.items, `${at}[]`, defs, seen));
  }
  if (types.includes('object')) {
    for (const [name, sub] of Object.entries((s.properties as Record<string, unknown>) ?? {}))
      out.push(...unbounded(sub, `${at}.${name}`, defs, seen));
    const extra = s.additionalProperties;
    if (extra && typeof extra === 'object') {
      // A record: its keys and its size bounded too.
      if (typeof s.maxProperties !== 'number') out.push(`${at}: a record without a bound`);
      out.push(...unbounded(s.propertyNames, `${at}{key}`, defs, seen));
      out.push(...unbounded(extra, `${at}{}`, defs, seen));
    }
  }
  return out;
}

const requestSchemas = declaredRoutes.flatMap(({ key, route }) =>
  isJsonRoute(route) && route.request
    ? (['path', 'query', 'body'] as const).flatMap((part) => {
        const schema = route.request?.[part];
        return schema ? [{ key, part, schema: schema as z.ZodType }] : [];
      })
    : [],
);

describe('what every route accepts', () => {
  it('covers every JSON route that takes input', () => {
    expect(requestSchemas.length).toBeGreaterThan(40);
    expect(new Set(requestSchemas.map((r) => r.key)).size).toBeGreaterThan(30);
  });

  it.each(requestSchemas.map((r) => [`${r.key} ${r.part}`, r] as const))('%s is bounded', (_, r) => {
    const json = z.toJSONSchema(r.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    expect(unbounded(json, r.part, (json.$defs as Record<string, unknown>) ?? {})).toEqual([]);
  });

  it('finds what is unbounded (the check can fail)', () => {
    const loose = z.object({
      name: z.string(),
      tags: z.array(z.string().max(5)),
      values: z.record(z.string(), z.string().max(5)),
      id: z.string().regex(/^[a-z]+$/),
      ok: z.string().regex(/^[a-z]{1,8}$/),
    });
    const json = z.toJSONSchema(loose, { io: 'input' }) as JsonSchema;
    expect(unbounded(json, 'body', {})).toEqual([
      'body.name: a string without maxLength',
      'body.tags: a list without maxItems',
      'body.values: a record without a bound',
      'body.values{key}: a string without maxLength',
      'body.id: a string without maxLength',
    ]);
  });
});
