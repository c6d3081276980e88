/**
 * Each route is declared once (schemas/routes.ts); the blueprint's routes, the role matrix, the
 * OpenAPI document and each function's router are derived from it. These tests fail when any of
 * them could drift from the declarations. (That a router serves exactly its function's route keys
 * is checked by the compiler and again when the module loads: test/unit/functions/http-chain.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { blueprint, REPO_ROOT } from '../../lib/blueprint.ts';
import { errorStatuses, openApiDocument } from '../../schemas/openapi.ts';
import { ROLE_MATRIX, ROLES } from '../../schemas/roles.ts';
import { declaredRoutes, isJsonRoute, isPageRoute, ROUTES, splitRouteKey } from '../../schemas/routes.ts';

const keyOf = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
const templateParams = (key: string) => [...key.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1]!).sort();
const schemaKeys = (schema: z.ZodType | undefined) =>
  Object.keys(
    schema ? ((z.toJSONSchema(schema, { io: 'input' }) as { properties?: object }).properties ?? {}) : {},
  ).sort();

describe('the route declarations', () => {
  it('are the blueprint’s routes, each with the same function and auth, and nothing else', () => {
    const declared = declaredRoutes.map(({ key, route }) => `${key} → ${route.function} (${route.auth})`);
    const built = blueprint.routes.map((r) => `${keyOf(r)} → ${r.function} (${r.auth})`);
    expect(built.sort()).toEqual(declared.sort());
    // 45 (restrictions, WeChat #15, console #16) + 19 of main (18 desk #17 + resume #19) + 5 of driver notices (#18).
    expect(blueprint.routes).toHaveLength(69);
  });

  it('name blueprint functions, and each function serves either JSON routes or webhooks', () => {
    const kinds = new Map<string, Set<string>>();
    for (const { route } of declaredRoutes) {
      expect(blueprint.functions[route.function], route.function).toBeDefined();
      kinds.set(route.function, (kinds.get(route.function) ?? new Set()).add(String(isJsonRoute(route))));
    }
    for (const [fn, k] of kinds) expect(k.size, fn).toBe(1);
  });

  it('give every admin route its roles (staff roles only: admin may call everything) and no other route any', () => {
    for (const { key, route } of declaredRoutes) {
      if (route.auth === 'admin-jwt') {
        expect(route.roles.length, key).toBeGreaterThan(0);
        for (const role of route.roles)
          expect(
            ROLES.filter((r) => r !== 'admin'),
            key,
          ).toContain(role);
      } else expect('roles' in route, key).toBe(false);
    }
  });

  it('declare path schemas whose fields are exactly the path’s {params}', () => {
    for (const { key, route } of declaredRoutes) {
      const declared = isJsonRoute(route)
        ? schemaKeys(route.request?.path)
        : route.parameters
            .filter((p) => p.in === 'path')
            .map((p) => p.name)
            .sort();
      expect(declared, key).toEqual(templateParams(key));
    }
  });

  it('are the role matrix: every admin route with its declared roles, nothing else', () => {
    const declared = declaredRoutes.flatMap(({ key, route }) =>
      route.auth === 'admin-jwt' ? [[key, route.roles] as const] : [],
    );
    expect(Object.entries(ROLE_MATRIX).sort()).toEqual(declared.map(([k, r]) => [k, [...r]]).sort());
    expect(declared).toHaveLength(52); // 32 + 17 of main (desk #17, console, resume #19) + manage-drivers' 3 (#18)
  });

  it('are served by their functions’ routers: each JSON function’s entry routes with its own id', () => {
    const jsonFunctions = new Set(
      declaredRoutes.filter(({ route }) => isJsonRoute(route)).map((r) => r.route.function),
    );
    expect(jsonFunctions.size).toBe(19); // 16 + 2 of main (desk #17) + manage-drivers (#18)
    for (const fn of jsonFunctions) {
      const source = readFileSync(join(REPO_ROOT, blueprint.functions[fn]!.entry), 'utf8');
      expect(source, fn).toContain(`export const handler = httpRouter('${fn}', {`);
      expect(source, fn).not.toMatch(/as unknown as|routeKey/);
    }
  });
});

describe('the OpenAPI document', () => {
  const doc = openApiDocument('test');
  type Operation = {
    security?: unknown;
    parameters: Array<{ name: string; in: string }>;
    requestBody?: { content: Record<string, unknown> };
    responses: Record<string, { content?: Record<string, unknown> }>;
  };
  const operation = (key: string) => {
    const { method, path } = splitRouteKey(key);
    return doc.paths[path]?.[method.toLowerCase()] as Operation;
  };

  it('has exactly the declared operations, webhooks included', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(Object.keys(ROUTES).sort());
    expect(documented.filter((k) => k.includes(' /webhooks/'))).toHaveLength(5);
  });

  it('documents each JSON route with its declared schemas, its success and its problem statuses', () => {
    for (const { key, route } of declaredRoutes) {
      if (!isJsonRoute(route)) continue;
      const op = operation(key);
      const { path, query, body } = route.request ?? {};
      const params = (where: string) =>
        op.parameters
          .filter((p) => p.in === where)
          .map((p) => p.name)
          .sort();
      expect(params('path'), key).toEqual(schemaKeys(path));
      expect(params('query'), key).toEqual(schemaKeys(query));
      expect(op.requestBody?.content['application/json'] !== undefined, key).toBe(body !== undefined);
      expect(op.security, key).toEqual(route.auth === 'admin-jwt' ? [{ adminJwt: [] }] : undefined);
      const statuses = Object.keys(op.responses).map(Number);
      expect(statuses.sort(), key).toEqual([route.response.status, ...errorStatuses(route)].sort());
      for (const s of errorStatuses(route))
        expect(Object.keys(op.responses[s]!.content ?? {}), `${key} ${s}`).toEqual([
          'application/problem+json',
        ]);
    }
  });

  it('documents the webhooks by what they carry and how they are authenticated, not as problem+json', () => {
    for (const { key, route } of declaredRoutes) {
      if (isJsonRoute(route) || isPageRoute(route)) continue;
      const op = operation(key);
      expect(op.security, key).toEqual(
        route.auth === 'wechat-signature'
          ? [{ wechatSignature: [] }]
          : route.auth === 'hmac'
            ? [{ [route.function === 'receive-12345' ? 'platformSignature' : 'integrationSignature']: [] }]
            : [{ smsCallbackToken: [] }, { smsCallbackSignature: [] }],
      );
      expect(Object.keys(op.responses).sort(), key).toEqual(Object.keys(route.responses).sort());
      for (const r of Object.values(op.responses))
        expect(Object.keys(r.content ?? {}), key).not.toContain('application/problem+json');
    }
    expect(Object.keys(operation('POST /webhooks/wechat/{account}').requestBody!.content)).toEqual([
      'text/xml',
      'application/xml',
    ]);
    // Pages: public HTML, as declared.
    const page = operation('GET /n/{id}');
    expect(page.security).toBeUndefined();
    expect(Object.keys(page.responses).sort()).toEqual(['200', '304', '404']);
    expect(Object.keys(page.responses['200']!.content ?? {})).toEqual(['text/html']);
    expect(page.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['path:id']);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'adminJwt',
      'integrationSignature',
      'platformSignature',
      'smsCallbackSignature',
      'smsCallbackToken',
      'wechatSignature',
    ]);
    const casePage = operation('GET /c/{number}');
    expect(casePage.security).toBeUndefined();
    expect(casePage.parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
      'path:number',
      'query:e',
      'query:t',
    ]);
    const platform = operation('POST /integrations/12345/cases');
    expect(Object.keys(platform.requestBody!.content)).toEqual(['application/json']);
  });
});
