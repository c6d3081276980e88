import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../../functions/core/errors.ts';
import { handler as health } from '../../../functions/get-health/handler.ts';
import { httpHandler } from '../../../functions/shared/http.ts';
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
});

describe('httpHandler', () => {
  const echo = httpHandler(
    {
      path: z.object({ id: z.string().regex(/^\d+$/, 'must be digits') }),
      query: z.object({ limit: z.coerce.number().int().max(50).default(10) }),
      body: z.strictObject({ title: z.string().min(1) }),
    },
    async ({ path, query, body }) => {
      if (path.id === '404') throw new NotFoundError(`No notice ${path.id}.`);
      if (path.id === '409') throw new ConflictError('Already published.', { allowed: ['withdraw'] });
      if (path.id === '500') throw new Error('database exploded with secret details');
      return { status: 201, body: { id: path.id, limit: query.limit, title: body.title } };
    },
  );
  const ev = (id: string, body: string | undefined, rawQuery: Record<string, string> = {}) =>
    httpEvent({
      method: 'POST',
      path: `/x/${id}`,
      pathParameters: { id },
      queryStringParameters: rawQuery,
      ...(body === undefined ? {} : { body }),
    });

  it('passes validated, typed input to the use case', async () => {
    const res = await call(echo, ev('7', '{"title":"t"}', { limit: '5' }));
    expect(res.statusCode).toBe(201);
    expect(JSON.parse(res.body!)).toEqual({ id: '7', limit: 5, title: 't' });
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
});
