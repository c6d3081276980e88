import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import { ConflictError, NotFoundError } from '../../../functions/core/errors.ts';
import type { Actor } from '../../../functions/core/vocabulary.ts';
import { handler as health } from '../../../functions/get-health/handler.ts';
import { createHttpRouter, type RouteRequest } from '../../../functions/shared/http.ts';
import type { RouteDeclarations } from '../../../schemas/routes.ts';
import { httpEvent, lambdaContext } from '../../fixtures/api-gateway.ts';

type Result = APIGatewayProxyStructuredResultV2;
const call = async (h: (e: never, c: never) => Promise<unknown>, e = httpEvent()) =>
  (await h(e as never, lambdaContext as never)) as Result;

describe('GET /health', () => {
  it('answers 200 with service, version and an ISO time', async () => {
    const res = await call(health, httpEvent({ path: '/health' }));
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(res.body!);
    expect(body).toMatchObject({ status: 'ok', service: expect.any(String), version: expect.any(String) });
    expect(new Date(body.time).toISOString()).toBe(body.time);
  });

  it('answers a route key that is not its own with a 404 problem, inside the chain', async () => {
    const res = await call(health, httpEvent({ path: '/v1/admin/audit' }));
    expect(res.statusCode).toBe(404);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(res.body!)).toMatchObject({
      status: 404,
      detail: 'GET /v1/admin/audit is not a route of get-health.',
      instance: '/v1/admin/audit',
    });
  });
});

/** Declarations of a fixture API: one public JSON route, one admin route, and a webhook of another function. */
const fixtureRoutes = {
  'POST /x/{id}': {
    function: 'echo',
    auth: 'public',
    summary: 'echo',
    tag: 'test',
    request: {
      path: z.object({ id: z.string().regex(/^\d+$/, 'must be digits') }),
      query: z.object({ limit: z.coerce.number().int().max(50).default(10) }),
      body: z.strictObject({ title: z.string().min(1) }),
    },
    response: { status: 201, schema: z.object({}), description: 'echoed' },
    errors: [404, 409],
  },
  'PUT /admin/x': {
    function: 'echo',
    auth: 'admin-jwt',
    roles: ['editor'],
    summary: 'edit',
    tag: 'test',
    request: { body: z.strictObject({ title: z.string().min(1) }), maxBodyBytes: 64 },
    response: { status: 200, schema: z.object({}), description: 'edited' },
    errors: [],
  },
  'POST /hooks/x': {
    function: 'hook',
    auth: 'sms-signature',
    summary: 'hook',
    tag: 'test',
    parameters: [],
    responses: {},
  },
} as const satisfies RouteDeclarations;
type Fixture = typeof fixtureRoutes;
const router = createHttpRouter(fixtureRoutes);

describe('httpRouter', () => {
  const echo = router('echo', {
    'POST /x/{id}': async ({ path, query, body }) => {
      if (path.id === '404') throw new NotFoundError(`No notice ${path.id}.`);
      if (path.id === '409') throw new ConflictError('Already published.', { allowed: ['withdraw'] });
      if (path.id === '500') throw new Error('database exploded with secret details');
      return { status: 201, body: { id: path.id, limit: query.limit, title: body.title } };
    },
    'PUT /admin/x': async ({ body, actor }) => ({ status: 200, body: { title: body.title, by: actor.sub } }),
  });
  const ev = (id: string, body: string | undefined, rawQuery: Record<string, string> = {}) =>
    httpEvent({
      method: 'POST',
      path: `/x/${id}`,
      routeKey: 'POST /x/{id}',
      pathParameters: { id },
      queryStringParameters: rawQuery,
      ...(body === undefined ? {} : { body }),
    });
  const admin = (body: string, claims?: Record<string, unknown>) => {
    const e = httpEvent({ method: 'PUT', path: '/admin/x', body });
    if (claims) Object.assign(e.requestContext, { authorizer: { jwt: { claims, scopes: [] } } });
    return e;
  };

  it('passes validated, typed input to the use case', async () => {
    const res = await call(echo, ev('7', '{"title":"t"}', { limit: '5' }));
    expect(res.statusCode).toBe(201);
    expect(JSON.parse(res.body!)).toEqual({ id: '7', limit: 5, title: 't' });
  });

  it('types each request from its declaration (path, query and body outputs; the actor of admin routes)', () => {
    type Echo = RouteRequest<Fixture['POST /x/{id}']>;
    expectTypeOf<Echo['path']>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<Echo['query']>().toEqualTypeOf<{ limit: number }>();
    expectTypeOf<Echo['body']>().toEqualTypeOf<{ title: string }>();
    expectTypeOf<Echo['actor']>().toEqualTypeOf<undefined>();
    type Edit = RouteRequest<Fixture['PUT /admin/x']>;
    expectTypeOf<Edit['path']>().toEqualTypeOf<undefined>();
    expectTypeOf<Edit['actor']>().toEqualTypeOf<Actor>();
  });

  it('decodes a base64 body', async () => {
    const e = ev('7', Buffer.from('{"title":"b64"}').toString('base64'));
    e.isBase64Encoded = true;
    expect(JSON.parse((await call(echo, e)).body!).title).toBe('b64');
  });

  it.each([
    ['a bad path parameter', ev('abc', '{"title":"t"}'), 'path.id'],
    ['a query over its limit', ev('7', '{"title":"t"}', { limit: '500' }), 'query.limit'],
    ['a missing body field', ev('7', '{}'), 'body.title'],
    ['an unknown body field', ev('7', '{"title":"t","x":1}'), 'body'],
  ])('answers 400 problem+json naming the field for %s', async (_n, e, path) => {
    const res = await call(echo, e);
    expect(res.statusCode).toBe(400);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(res.body!);
    expect(problem).toMatchObject({
      status: 400,
      title: 'Bad Request',
      instance: `/x/${e.pathParameters?.id ?? ''}`,
    });
    expect(problem.errors.map((i: { path: string }) => i.path)).toContain(path);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await call(echo, ev('7', '{not json'));
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body!).detail).toBe('The request body is not valid JSON.');
  });

  it('maps typed domain errors to 404 and 409 with their extensions', async () => {
    expect((await call(echo, ev('404', '{"title":"t"}'))).statusCode).toBe(404);
    const conflict = await call(echo, ev('409', '{"title":"t"}'));
    expect(conflict.statusCode).toBe(409);
    expect(JSON.parse(conflict.body!)).toMatchObject({ detail: 'Already published.', allowed: ['withdraw'] });
  });

  it('hides unexpected errors behind a generic 500', async () => {
    const res = await call(echo, ev('500', '{"title":"t"}'));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
  });

  it('answers a route key the function does not serve with a 404 problem', async () => {
    for (const routeKey of ['POST /hooks/x', 'GET /x/{id}']) {
      const res = await call(echo, httpEvent({ method: 'GET', path: '/x/1', routeKey }));
      expect(res.statusCode).toBe(404);
      expect(res.headers?.['content-type']).toBe('application/problem+json');
      expect(JSON.parse(res.body!).detail).toBe(`${routeKey} is not a route of echo.`);
    }
  });

  it('checks the declared roles before it parses anything (admin may call every route)', async () => {
    const reviewer = { sub: 'rex', 'cognito:groups': '[reviewer]' };
    const forbidden = await call(echo, admin('{not json', reviewer));
    expect(forbidden.statusCode).toBe(403);
    expect(JSON.parse(forbidden.body!).detail).toBe('PUT /admin/x needs one of the roles admin, editor.');
    const tooLarge = await call(echo, admin(JSON.stringify({ title: 'x'.repeat(100) }), reviewer));
    expect(tooLarge.statusCode).toBe(403);

    const editor = { sub: 'edna', 'cognito:groups': '[editor]' };
    expect((await call(echo, admin('{not json', editor))).statusCode).toBe(400);
    expect((await call(echo, admin(JSON.stringify({ title: 'x'.repeat(100) }), editor))).statusCode).toBe(
      413,
    );
    const ok = await call(echo, admin('{"title":"t"}', { sub: 'ada', 'cognito:groups': '[admin]' }));
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body!)).toEqual({ title: 't', by: 'ada' });
  });

  it('refuses an admin route without a verified caller with 401, before parsing', async () => {
    const res = await call(echo, admin('{not json'));
    expect(res.statusCode).toBe(401);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
  });

  it('needs exactly the function’s routes: a missing or extra key does not compile, nor load', () => {
    const serve = async () => ({ status: 200 });
    expect(() =>
      // @ts-expect-error — 'PUT /admin/x' is missing
      router('echo', { 'POST /x/{id}': serve }),
    ).toThrow("httpRouter('echo'): no handler for [PUT /admin/x]; not its routes: []");
    expect(() =>
      router('echo', {
        'POST /x/{id}': serve,
        'PUT /admin/x': serve,
        // @ts-expect-error — not a route of echo
        'POST /hooks/x': serve,
      }),
    ).toThrow("httpRouter('echo'): no handler for []; not its routes: [POST /hooks/x]");
    // @ts-expect-error — a webhook function parses its own requests: it has no router
    expect(() => router('hook', {})).toThrow("httpRouter('hook'): no JSON routes, or webhook routes too");
  });
});
