/**
 * A question costs no transaction (issue 20: round trips): against DynamoDB Local, a follower who
 * only writes has the time of their last message set by one conditional update beside the reply,
 * read ahead of the claim when prefetched; a new follower or a changed one is still written in one
 * transaction; a concurrent writer is neither lost nor overwritten; the time never goes backwards.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoSubscriberRepository } from '../../functions/adapters/dynamodb/subscribers.ts';
import type { SubscriberRef } from '../../functions/core/subscribers/subscriber.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { ensureTables, localClient, localTableName } from '../../lib/local/dynamodb-local.ts';

const bp = defineBlueprint({ ...blueprintInput, service: `touch-${randomUUID().slice(0, 8)}` });
const client = localClient(inject('dynamodbEndpoint'));
const table = localTableName(bp.service, 'subscribers');

/** A repository on a document client that records the commands it sends. */
function counted() {
  const sent: string[] = [];
  const doc = DynamoDBDocumentClient.from(client);
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: `record-${randomUUID()}` },
  );
  return { repo: new DynamoSubscriberRepository(doc, table), sent };
}
const newRef = (): SubscriberRef => ({ channel: 'wechat', id: `o-touch-${randomUUID().slice(0, 8)}` });

beforeAll(() => ensureTables(client, bp));
afterAll(() => client.destroy());

describe('touch: the time of a follower’s last message', () => {
  it('a new follower is written in one transaction; a question after that in one update, no transaction', async () => {
    const { repo, sent } = counted();
    const ref = newRef();
    await repo.touch(ref, 'dev', '2026-11-16T02:00:00.000Z');
    expect(sent).toEqual(['Query', 'TransactWriteItems']);
    sent.length = 0;
    repo.prefetch(ref);
    const s = await repo.touch(ref, 'dev', '2026-11-16T02:05:00.000Z');
    expect(s.lastInboundAt).toBe('2026-11-16T02:05:00.000Z');
    await repo.settle(ref);
    expect(sent).toEqual(['Query', 'UpdateItem']); // the prefetched read, then the stamp
    expect((await repo.get(ref))?.lastInboundAt).toBe('2026-11-16T02:05:00.000Z');
  });

  it('a change after a question waits for its stamp and keeps it; a concurrent writer is not overwritten', async () => {
    const { repo } = counted();
    const other = counted().repo; // another container
    const ref = newRef();
    await repo.touch(ref, 'dev', '2026-11-16T02:00:00.000Z');
    repo.prefetch(ref); // read ahead at version 1…
    await other.setPreferences(ref, { reminders: false }); // …then another container writes version 2
    await repo.touch(ref, 'dev', '2026-11-16T02:10:00.000Z'); // from the stale read
    await repo.settle(ref); // the stamp lost to version 2, re-read and applied on top of it
    const after = await repo.get(ref);
    expect(after?.lastInboundAt).toBe('2026-11-16T02:10:00.000Z');
    expect(after?.reminders).toBe(false);
    await repo.touch(ref, 'dev', '2026-11-16T02:11:00.000Z');
    await repo.setPreferences(ref, { slot: 'evening' }); // waits for the 02:11 stamp, then writes
    const last = await repo.get(ref);
    expect(last).toMatchObject({
      lastInboundAt: '2026-11-16T02:11:00.000Z',
      slot: 'evening',
      reminders: false,
    });
  });

  it('never moves the time backwards (a late retry of an older message)', async () => {
    const { repo } = counted();
    const ref = newRef();
    await repo.touch(ref, 'dev', '2026-11-16T02:00:00.000Z');
    await repo.touch(ref, 'dev', '2026-11-16T03:00:00.000Z');
    await repo.settle(ref);
    await repo.touch(ref, 'dev', '2026-11-16T02:30:00.000Z');
    await repo.settle(ref);
    expect((await repo.get(ref))?.lastInboundAt).toBe('2026-11-16T03:00:00.000Z');
  });
});
