/**
 * The local builder end to end, in process, against DynamoDB Local: HTTP routes become API Gateway
 * v2 events, admin routes need a valid token, topics fan out to queues by filter policy with
 * retries, schedules fire on demand, one-off schedules fire at their time, bus rules route events,
 * and /_local shows and redrives DLQs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  atExpression,
  publishScheduleName,
  SchedulerPublishSchedules,
} from '../../functions/adapters/scheduler/publish-schedules.ts';
import { scheduleGroup } from '../../functions/shared/config.ts';
import { defineBlueprint } from '../../lib/blueprint.ts';
import { localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { LocalJwtIssuer, localKeyFile } from '../../lib/local/jwt.ts';
import { LocalStack } from '../../lib/local/stack.ts';
import { fixtureBlueprintInput } from '../fixtures/blueprint.ts';

const recorder = 'test/fixtures/handlers/recorder.ts';
const bp = defineBlueprint({
  ...fixtureBlueprintInput,
  service: `ls-${Date.now().toString(36)}`,
  functions: {
    ...fixtureBlueprintInput.functions,
    'process-work': {
      ...fixtureBlueprintInput.functions['process-work'],
      entry: recorder,
      tables: { things: 'read-write' },
    },
    'nightly-check': {
      ...fixtureBlueprintInput.functions['nightly-check'],
      entry: recorder,
      tables: { things: 'read-write' },
    },
    'on-thing-changed': {
      ...fixtureBlueprintInput.functions['on-thing-changed'],
      entry: recorder,
      tables: { things: 'read-write' },
    },
  },
  queues: {
    'work-wechat': { ...fixtureBlueprintInput.queues['work-wechat'], maxReceives: 2 },
  },
});

const endpoint = inject('dynamodbEndpoint');
const dataDir = mkdtempSync(join(tmpdir(), 'local-stack-'));
const stack = new LocalStack({
  blueprint: bp,
  port: 0,
  dataDir,
  dynamodbEndpoint: endpoint,
  timeScale: 0.005, // 120 s visibility → 0.6 s
});
const doc = DynamoDBDocumentClient.from(localClient(endpoint));

async function seen(fn: string, atLeast: number): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 200; i++) {
    const res = await doc.send(
      new QueryCommand({
        TableName: localTableName(bp.service, 'things'),
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': `seen#${fn}` },
      }),
    );
    if ((res.Items?.length ?? 0) >= atLeast) return res.Items ?? [];
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${fn} did not record ${atLeast} events`);
}

beforeAll(async () => {
  await stack.start();
});
afterAll(async () => {
  await stack.stop();
});

describe('local HTTP API (API Gateway v2 semantics)', () => {
  it('turns a request into a v2 event with raw path, query, lowercased headers and path parameters', async () => {
    const res = await fetch(`${stack.endpoint}/things/%E4%BA%ACA12345?a=1&a=2&b=x%20y`, {
      headers: { 'X-Trace': 'abc', Cookie: 'c1=v1; c2=v2' },
    });
    expect(res.status).toBe(200);
    const event = (await res.json()) as APIGatewayProxyEventV2WithJWTAuthorizer;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /things/{id}',
      rawPath: '/things/%E4%BA%ACA12345',
      rawQueryString: 'a=1&a=2&b=x%20y',
      queryStringParameters: { a: '1,2', b: 'x y' },
      pathParameters: { id: '京A12345' },
      cookies: ['c1=v1', 'c2=v2'],
      isBase64Encoded: false,
      requestContext: { http: { method: 'GET', path: '/things/%E4%BA%ACA12345' }, stage: '$default' },
    });
    expect(event.headers['x-trace']).toBe('abc');
    expect(event.requestContext.authorizer).toBeUndefined();
  });

  it('base64-encodes binary bodies and passes text bodies as they are', async () => {
    const bin = await fetch(`${stack.endpoint}/hooks/partner`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0, 1, 2, 255]),
    });
    expect(await bin.json()).toMatchObject({
      isBase64Encoded: true,
      body: Buffer.from([0, 1, 2, 255]).toString('base64'),
    });
    const xml = await fetch(`${stack.endpoint}/hooks/wechat/dev`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<xml><MsgId>1234567890123456789</MsgId></xml>',
    });
    expect(await xml.json()).toMatchObject({
      isBase64Encoded: false,
      body: '<xml><MsgId>1234567890123456789</MsgId></xml>',
      pathParameters: { account: 'dev' },
    });
  });

  it('answers like API Gateway for unknown routes and wrong methods', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/things/1'],
    ] as const) {
      const res = await fetch(`${stack.endpoint}${path}`, { method });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ message: 'Not Found' });
    }
  });

  it('rejects bodies over the 10 MB payload limit with 413', async () => {
    const res = await fetch(`${stack.endpoint}/hooks/partner`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
  });

  it('requires a valid bearer token on admin-jwt routes and passes the claims as the authorizer does', async () => {
    const url = `${stack.endpoint}/admin/things`;
    expect((await fetch(url, { method: 'POST' })).status).toBe(401);
    expect((await fetch(url, { method: 'POST', headers: { authorization: 'Bearer x.y.z' } })).status).toBe(
      401,
    );
    const expired = stack.issueToken('old', ['admin'], -10);
    expect(
      (await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${expired}` } })).status,
    ).toBe(401);
    const good = stack.issueToken('alice', ['editor', 'reviewer']);
    const [h, p] = good.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), 'cognito:groups': ['admin'] })).toString('base64url')}.${good.split('.')[2]}`;
    expect(
      (await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${forged}` } })).status,
    ).toBe(401);

    // Each refusal says why in www-authenticate, as API Gateway's JWT authorizer does.
    const why = async (authorization?: string) =>
      (
        await fetch(url, { method: 'POST', ...(authorization ? { headers: { authorization } } : {}) })
      ).headers.get('www-authenticate');
    expect(await why()).toBe('Bearer');
    expect(await why(`Bearer ${expired}`)).toBe(
      'Bearer scope="" error="invalid_token" error_description="the token has expired"',
    );
    expect(await why(`Bearer ${forged}`)).toMatch(/error_description="the token signature is invalid"/);
    expect(await why('Bearer x.y.z')).toMatch(/error_description="the token is not a JWT"/);
    const otherIssuer = new LocalJwtIssuer(localKeyFile(dataDir), 'https://elsewhere.example');
    expect(await why(`Bearer ${otherIssuer.issue('eve', ['admin'])}`)).toMatch(
      /error_description="the token does not have a valid issuer"/,
    );

    const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${good}` } });
    expect(res.status).toBe(200);
    const event = (await res.json()) as APIGatewayProxyEventV2WithJWTAuthorizer;
    expect(event.requestContext.authorizer.jwt.claims).toMatchObject({
      sub: 'alice',
      'cognito:groups': '[editor reviewer]',
    });
  });
});

describe('local topics, queues, schedules and bus', () => {
  it('delivers a published message to the filtered queue at least once, retrying a partial failure', async () => {
    expect(stack.publish('work', 'hello', { channel: 'wechat' })).toEqual(['work-wechat']);
    expect(stack.publish('work', 'ignored', { channel: 'sms' })).toEqual([]);
    stack.publish('work', 'fail-once:1', { channel: 'wechat' });
    const items = await seen('process-work', 2);
    const byBody = Object.fromEntries(items.map((i) => [i.body, i.receives]));
    expect(byBody).toEqual({ hello: '1', 'fail-once:1': '2' });
  });

  it('dead-letters a message that always fails after maxReceives, shows it under /_local and redrives it', async () => {
    const queue = stack.queues.get('work-wechat')!;
    stack.publish('work', 'fail-always:poison', { channel: 'wechat' });
    await queue.drained();
    const stats = (await (await fetch(`${stack.endpoint}/_local/queues`)).json()) as unknown[];
    expect(stats).toContainEqual({ queue: 'work-wechat', visible: 0, inFlight: 0, deadLetters: 1 });
    const dead = (await (
      await fetch(`${stack.endpoint}/_local/queues/work-wechat/dead-letters`)
    ).json()) as Array<Record<string, unknown>>;
    expect(dead).toMatchObject([
      { body: 'fail-always:poison', receiveCount: 2, attributes: { channel: 'wechat' } },
    ]);
    const redrive = await fetch(`${stack.endpoint}/_local/queues/work-wechat/redrive`, { method: 'POST' });
    expect(await redrive.json()).toEqual({ redriven: 1 });
    await queue.drained();
    expect(queue.deadLetters).toHaveLength(1); // still poison: back in the DLQ after two more receives
  });

  it('fires a schedule now with its input', async () => {
    const res = await fetch(`${stack.endpoint}/_local/schedules/morning-check/fire`, { method: 'POST' });
    expect(await res.json()).toMatchObject({ id: 'morning-check', lastResult: 'ok' });
    const [item] = await seen('nightly-check', 1);
    expect(item?.event).toEqual({ slot: 'morning' });
    const list = (await (await fetch(`${stack.endpoint}/_local/schedules`)).json()) as Array<
      Record<string, string>
    >;
    expect(list[0]).toMatchObject({ id: 'morning-check', timeZone: 'Asia/Shanghai' });
    expect(new Date(list[0]!.next!).getUTCHours()).toBe(23); // 07:00 Shanghai
  });

  it('routes a bus event to the rule whose pattern matches', async () => {
    const res = await fetch(`${stack.endpoint}/_local/events`, {
      method: 'POST',
      body: JSON.stringify({ source: 'fixture', 'detail-type': 'thing.changed', detail: { id: 't1' } }),
    });
    expect(await res.json()).toEqual({ matchedRules: ['thing-changed'] });
    const [item] = await seen('on-thing-changed', 1);
    expect(item?.event).toMatchObject({
      source: 'fixture',
      'detail-type': 'thing.changed',
      detail: { id: 't1' },
    });
    const none = await fetch(`${stack.endpoint}/_local/events`, {
      method: 'POST',
      body: JSON.stringify({ source: 'other', 'detail-type': 'thing.changed', detail: {} }),
    });
    expect(await none.json()).toEqual({ matchedRules: [] });
  });
});

describe('local one-off schedules (EventBridge Scheduler wire protocol, real SDK)', () => {
  // What put-thing (which manages the group) is given, as it would read it.
  const config = () => scheduleGroup('reminders', stack.functions.get('put-thing')!.environment);
  const client = () => new SchedulerClient({});
  const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();
  async function withClockAhead<T>(ms: number, work: () => Promise<T>): Promise<T> {
    process.env.LOCAL_TIME_OFFSET_MS = String(ms);
    try {
      return await work();
    } finally {
      delete process.env.LOCAL_TIME_OFFSET_MS;
    }
  }

  it('creates a schedule, fires it once in its minute with its input, then deletes it', async () => {
    const schedules = new SchedulerPublishSchedules(client(), config());
    const publishAt = minutes(2);
    await schedules.create({ id: 'n1', version: 3, publishAt });
    // The same name again is this very schedule (e.g. a request that timed out after creating it).
    await schedules.create({ id: 'n1', version: 3, publishAt });
    expect(stack.oneOffSchedules.list()).toHaveLength(1);
    expect(await seen('nightly-check', 1).catch(() => [])).not.toContainEqual(
      expect.objectContaining({ event: { noticeId: 'n1', version: 3 } }),
    );
    const items = await withClockAhead(3 * 60_000, () => seen('nightly-check', 2));
    const fired = items.find((i) => (i.event as { noticeId?: string }).noticeId === 'n1');
    expect(fired?.event).toEqual({ noticeId: 'n1', version: 3 });
    expect(stack.oneOffSchedules.list()).toHaveLength(0);
    // `fired` records the schedule once its invocation has returned, which may be just after the
    // function's own write was seen.
    const done = await vi.waitFor(
      () => {
        const d = stack.oneOffSchedules.fired.find((s) => s.name === publishScheduleName('n1', 3));
        if (!d) throw new Error('not recorded as fired yet');
        return d;
      },
      { timeout: 5000 },
    );
    expect(done.result).toBe('ok');
    // Never before publishAt, even firing at the start of the at() minute as the scheduler may.
    expect(done.firedAt!.getTime()).toBeGreaterThanOrEqual(Date.parse(publishAt));
    await schedules.remove({ id: 'n1', version: 3 }); // already gone: no error
  });

  it('keeps a fired schedule without ActionAfterCompletion DELETE, and never fires it again', async () => {
    const { target, name: group } = config();
    await client().send(
      new CreateScheduleCommand({
        Name: 'kept',
        GroupName: group,
        ScheduleExpression: atExpression(minutes(1)),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: target!.arn, RoleArn: target!.roleArn, Input: JSON.stringify({ kept: true }) },
      }),
    );
    await withClockAhead(2 * 60_000, async () => {
      await vi.waitFor(() => expect(stack.oneOffSchedules.fired.some((s) => s.name === 'kept')).toBe(true), {
        timeout: 5000,
      });
      await stack.oneOffSchedules.tick();
    });
    expect(stack.oneOffSchedules.fired.filter((s) => s.name === 'kept')).toHaveLength(1);
    expect(stack.oneOffSchedules.list().map((s) => s.name)).toEqual(['kept']);
    await client().send(new DeleteScheduleCommand({ Name: 'kept', GroupName: group }));
    expect(stack.oneOffSchedules.list()).toEqual([]);
  });

  it('deletes a pending schedule; refuses another target, an unknown group, a bad expression, no time window', async () => {
    const schedules = new SchedulerPublishSchedules(client(), config());
    await schedules.create({ id: 'n2', version: 1, publishAt: minutes(60) });
    expect(stack.oneOffSchedules.list().map((s) => s.name)).toEqual([publishScheduleName('n2', 1)]);
    await schedules.remove({ id: 'n2', version: 1 });
    expect(stack.oneOffSchedules.list()).toEqual([]);

    const { target, name: group } = config();
    const other = new SchedulerPublishSchedules(client(), {
      name: group,
      target: { ...target!, arn: target!.arn.replace('nightly-check', 'get-thing') },
    });
    await expect(other.create({ id: 'n3', version: 1, publishAt: minutes(5) })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    const ghost = new SchedulerPublishSchedules(client(), { ...config(), name: 'ghost-group' });
    await expect(ghost.create({ id: 'n4', version: 1, publishAt: minutes(5) })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    const raw = (over: Record<string, unknown>) =>
      client().send(
        new CreateScheduleCommand({
          Name: 'bad',
          GroupName: group,
          ScheduleExpression: atExpression(minutes(5)),
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: target!.arn, RoleArn: target!.roleArn },
          ...over,
        }),
      );
    await expect(raw({ ScheduleExpression: 'at(tomorrow)' })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(raw({ FlexibleTimeWindow: undefined })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    const deleteOnly = new SchedulerPublishSchedules(client(), { name: group });
    await expect(deleteOnly.create({ id: 'n5', version: 1, publishAt: minutes(5) })).rejects.toThrow(
      /may only delete/,
    );
    expect(stack.oneOffSchedules.list()).toEqual([]);
  });

  it('writes at() in UTC, rounded up to the whole minute; names one schedule per notice version', () => {
    expect(atExpression('2026-11-22T07:30:00.000Z')).toBe('at(2026-11-22T07:30:00)');
    expect(atExpression('2026-11-22T07:30:00.001Z')).toBe('at(2026-11-22T07:31:00)');
    expect(atExpression('2026-11-22T15:30:40+08:00')).toBe('at(2026-11-22T07:31:00)');
    expect(publishScheduleName('0b7c3f6e-2d4a-4f7e-9a43-5c1d2e3f4a5b', 12)).toBe(
      'notice-0b7c3f6e-2d4a-4f7e-9a43-5c1d2e3f4a5b-v12',
    );
    expect(() => publishScheduleName('x'.repeat(60), 1)).toThrow(/no valid schedule name/);
  });
});
