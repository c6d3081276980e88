/**
 * Reads begun beside the webhook's claim (functions/adapters/dynamodb/read-ahead.ts), against
 * DynamoDB Local, counting the requests each store sends: the citizen's latest case and intake, and
 * what a follower proved as a driver, are read once, ahead; a message that expects nothing deletes
 * nothing; a write of the same citizen or follower drops a read it would make stale.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoCaseStore } from '../../functions/adapters/dynamodb/cases.ts';
import { DynamoOwnerships } from '../../functions/adapters/dynamodb/drivers.ts';
import { ReadAhead } from '../../functions/adapters/dynamodb/read-ahead.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { ensureTables, localClient, localTableName } from '../../lib/local/dynamodb-local.ts';

const bp = defineBlueprint({ ...blueprintInput, service: `ahead-${randomUUID().slice(0, 8)}` });
const client = localClient(inject('dynamodbEndpoint'));
const t = (id: string) => localTableName(bp.service, id);

/** A document client that records the commands it sends. */
function counted() {
  const sent: string[] = [];
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: `record-${randomUUID()}` },
  );
  return { doc, sent };
}
const citizen = () => ({ channel: 'wechat', id: `o-ahead-${randomUUID().slice(0, 8)}` }) as const;
const NOW = '2026-11-16T02:00:00.000Z';

beforeAll(() => ensureTables(client, bp));
afterAll(() => client.destroy());

describe('ReadAhead', () => {
  it('an early read is taken once; a failed one is read again; forget drops it', async () => {
    const ahead = new ReadAhead<number>();
    let reads = 0;
    ahead.begin('k', async () => ++reads);
    expect(await ahead.take('k', async () => ++reads)).toBe(1);
    expect(await ahead.take('k', async () => ++reads)).toBe(2); // taken already: read now
    ahead.begin('k', () => Promise.reject(new Error('throttled')));
    expect(await ahead.take('k', async () => 42)).toBe(42);
    ahead.begin('k', async () => 7);
    ahead.forget('k');
    expect(ahead.taken('k')).toBeUndefined();
  });
});

describe('the desk: a citizen’s latest case and intake, read ahead', () => {
  it('a message that expects nothing reads the case and the intake once, ahead, and deletes nothing', async () => {
    const { doc, sent } = counted();
    const store = new DynamoCaseStore(doc, { desk: t('desk'), operations: t('operations') });
    const who = citizen();
    store.readAhead(who);
    expect(await store.ofCitizen(who, 1)).toEqual([]);
    expect(await store.takeIntake(who, NOW)).toBeNull();
    expect(sent.sort()).toEqual(['GetItem', 'Query']);
  });

  it('an intake expected by an earlier message is taken once, by its delete', async () => {
    const { doc, sent } = counted();
    const store = new DynamoCaseStore(doc, { desk: t('desk'), operations: t('operations') });
    const who = citizen();
    await store.expectIntake(who, 'complaint', '2026-11-16T02:10:00.000Z');
    sent.length = 0;
    store.readAhead(who);
    expect(await store.takeIntake(who, NOW)).toBe('complaint');
    expect(sent).toEqual(expect.arrayContaining(['GetItem', 'DeleteItem']));
    // The next message finds nothing, read ahead or not.
    store.readAhead(who);
    expect(await store.takeIntake(who, NOW)).toBeNull();
    expect(await store.takeIntake(who, NOW)).toBeNull();
  });

  it('an expired intake is not taken', async () => {
    const { doc } = counted();
    const store = new DynamoCaseStore(doc, { desk: t('desk'), operations: t('operations') });
    const who = citizen();
    await store.expectIntake(who, 'consultation', '2026-11-16T01:59:00.000Z');
    store.readAhead(who);
    expect(await store.takeIntake(who, NOW)).toBeNull();
  });

  it('an intake expected after the read began is not hidden by it', async () => {
    const { doc } = counted();
    const store = new DynamoCaseStore(doc, { desk: t('desk'), operations: t('operations') });
    const who = citizen();
    store.readAhead(who); // reads "none"…
    await store.expectIntake(who, 'consultation', '2026-11-16T02:10:00.000Z'); // …then this message expects one
    expect(await store.takeIntake(who, NOW)).toBe('consultation');
  });
});

describe('the driver desk: what a follower proved, read ahead', () => {
  const subject = { type: 'vehicle', key: `v-${randomUUID().slice(0, 8)}` } as const;
  it('is read once, ahead; a verification after it is not hidden by the early read', async () => {
    const { doc, sent } = counted();
    const ownerships = new DynamoOwnerships(doc, t('drivers'));
    const who = citizen();
    ownerships.readAhead(who);
    expect(await ownerships.verified(who)).toEqual([]);
    expect(sent).toEqual(['Query']);
    ownerships.readAhead(who);
    await ownerships.verify(
      { channel: who.channel, id: who.id, account: 'dev', verifiedAt: NOW, method: 'vin' },
      subject,
      '京A·***45',
      Math.floor(Date.parse(NOW) / 1000) + 86_400,
    );
    expect((await ownerships.verified(who)).map((v) => v.subject.key)).toEqual([subject.key]);
  });
});
