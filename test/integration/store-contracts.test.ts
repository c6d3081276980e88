/**
 * The in-memory stores the unit tests use (test/fixtures/memory) behave like their DynamoDB twins:
 * the same scenarios run against both, the DynamoDB ones on DynamoDB Local.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoInboundLog, type InboundLog } from '../../functions/adapters/dynamodb/inbound-log.ts';
import { DynamoSubscriberRepository } from '../../functions/adapters/dynamodb/subscribers.ts';
import type { SubscriberRepository } from '../../functions/core/subscribers/subscriber.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { ensureTables, localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { MemoryInboundLog } from '../fixtures/memory/inbound-log.ts';
import { MemorySubscriberRepository } from '../fixtures/memory/subscribers.ts';

const bp = defineBlueprint({ ...blueprintInput, service: `contract-${randomUUID().slice(0, 8)}` });
const client = localClient(inject('dynamodbEndpoint'));
const doc = DynamoDBDocumentClient.from(client);
beforeAll(async () => {
  await ensureTables(client, bp);
});
const at = '2026-11-16T02:00:00.000Z';
const binding = (plate: string, tail: number) => ({ plate, city: 'beijing', tail, nev: false, boundAt: at });

const subscriberStores: Array<[string, () => SubscriberRepository]> = [
  ['memory', () => new MemorySubscriberRepository()],
  ['DynamoDB', () => new DynamoSubscriberRepository(doc, localTableName(bp.service, 'subscribers'))],
];

describe.each(subscriberStores)('SubscriberRepository contract: %s', (_name, make) => {
  it('follows, binds up to three plates, unbinds, and keeps an opt-out across unfollow and re-follow', async () => {
    const repo = make();
    const ref = { channel: 'wechat' as const, id: `o-${randomUUID()}` };
    expect(await repo.get(ref)).toBeUndefined();
    expect((await repo.follow(ref, 'dev', at, 'qrscene_1')).status).toBe('active');
    expect(await repo.bind(ref, binding('京A12341', 1))).toBe('bound');
    expect(await repo.bind(ref, binding('京A12341', 1))).toBe('already-bound');
    expect(await repo.bind(ref, binding('京A12342', 2))).toBe('bound');
    expect(await repo.bind(ref, binding('京A12343', 3))).toBe('bound');
    expect(await repo.bind(ref, binding('京A12344', 4))).toBe('limit-reached');
    expect(await repo.unbind(ref, '京A12342')).toEqual(['京A12342']);
    expect((await repo.get(ref))?.bindings.map((b) => b.plate)).toEqual(['京A12341', '京A12343']);
    await repo.setStatus(ref, 'opted-out', at);
    await repo.unfollow(ref, at);
    expect((await repo.follow(ref, 'dev', at, null)).status).toBe('opted-out');
    await repo.setStatus(ref, 'active', at);
    await repo.setPreferences(ref, { slot: 'evening', reminders: false });
    expect(await repo.get(ref)).toMatchObject({
      status: 'active',
      slot: 'evening',
      reminders: false,
      scene: 'qrscene_1',
    });
    expect(await repo.statuses('wechat', [ref.id, 'o-nobody'])).toEqual(new Map([[ref.id, 'active']]));
  });

  it('a message from someone unknown makes them a subscriber; one from an unfollowed one repairs the follow', async () => {
    const repo = make();
    const ref = { channel: 'wechat' as const, id: `o-${randomUUID()}` };
    expect(await repo.touch(ref, 'dev', at)).toMatchObject({ status: 'active', lastInboundAt: at });
    await repo.unfollow(ref, at);
    expect((await repo.get(ref))?.status).toBe('unfollowed');
    expect((await repo.touch(ref, 'dev', at)).status).toBe('active');
  });
});

const inboundStores: Array<[string, () => InboundLog]> = [
  ['memory', () => new MemoryInboundLog()],
  ['DynamoDB', () => new DynamoInboundLog(doc, localTableName(bp.service, 'inbound'))],
];

describe.each(inboundStores)('InboundLog contract: %s', (_name, make) => {
  it('claims once, replays the completed reply, hands off to async once, sends async once', async () => {
    const log = make();
    const key = `dev#o-x#${randomUUID()}`;
    const now = Date.now();
    expect(await log.claim(key, now)).toBe('claimed');
    expect(await log.claim(key, now + 1000)).toMatchObject({ state: 'processing' });
    expect(await log.claimAsyncSend(key)).toBe(false); // not done yet
    expect(await log.markAsync(key)).toBe(true);
    expect(await log.markAsync(key)).toBe(false);
    await log.complete(key, '<xml>reply</xml>');
    expect(await log.get(key)).toMatchObject({ state: 'done', reply: '<xml>reply</xml>', async: true });
    expect(await log.claimAsyncSend(key)).toBe(true);
    expect(await log.claimAsyncSend(key)).toBe(false);
    await log.releaseAsyncSend(key);
    expect(await log.claimAsyncSend(key)).toBe(true);
  });

  it('forgets a claim still processing on release; binds a nonce to one message', async () => {
    const log = make();
    const key = `dev#o-y#${randomUUID()}`;
    expect(await log.claim(key, Date.now())).toBe('claimed');
    await log.release(key);
    expect(await log.claim(key, Date.now())).toBe('claimed');
    const nonce = `dev#1#${randomUUID()}`;
    expect(await log.bindNonce(nonce, 'm1', Date.now())).toBe(true);
    expect(await log.bindNonce(nonce, 'm1', Date.now())).toBe(true);
    expect(await log.bindNonce(nonce, 'm2', Date.now())).toBe(false);
  });
});
