/**
 * Failures stay where they belong (issue #19), with fake ports: a recipient that does not parse or
 * has no profile is settled alone; a follower whose send throws, or whom WeChat refuses for a
 * transient reason (busy, the token), is left for the bundle's next attempt with the reservation given
 * back, and settled failed only on the last; a redelivered bundle whose first attempt died ends each
 * recipient as the ledger says (its earlier outcome, or already reached through another entry); the
 * recipients of an aborted run are recorded unsent; a bundle deferred by quiet hours tells the run.
 */
import { describe, expect, it } from 'vitest';
import { earlierResult, RetryLater, settledOutcome } from '../../../functions/core/delivery/bundles.ts';
import { DeliveryMessageSchema } from '../../../schemas/pushes.ts';
import { bundle, night, world } from '../../fixtures/delivery.ts';

const refusal = (errcode: number, action: 'retry' | 'token') => ({
  status: 'refused' as const,
  refusal: { errcode, action, subscriberStatus: undefined, message: 'x' },
});

describe('a recipient that cannot be delivered', () => {
  it('one that does not parse (empty, 2,100 characters) is settled alone; its 30 bundle-mates get the push', async () => {
    const w = world();
    const ids = Array.from({ length: 30 }, (_, i) => `o-mate${i}`);
    const raw = {
      ...bundle(ids),
      recipients: [...ids.map((id) => ({ id, plates: ['京A12341'] })), { id: '' }, { id: 'o'.repeat(2100) }],
    };
    const parsed = DeliveryMessageSchema.parse(raw); // the whole bundle parses
    expect(parsed.recipients.slice(-2).map((r) => r.id)).toEqual(['invalid#30', 'invalid#31']);
    await w.loop().deliver(parsed);
    expect(w.sent.sort()).toEqual([...ids].sort());
    expect(w.counts.get('run#1')).toMatchObject({ sent: 30, 'invalid-recipient': 2 });
    expect(w.ledger.receipts.get(parsed.bundle)?.get('invalid#30')).toBe('invalid-recipient');
  });

  it('one without a profile is an invalid recipient, marked on the ledger', async () => {
    const w = world({ statuses: { 'o-ghost': null } });
    await w.loop().deliver(bundle(['o-ghost', 'o-a']));
    expect(w.sent).toEqual(['o-a']);
    expect(w.ledger.skipped).toEqual(['o-ghost']);
    expect(w.counts.get('run#1')).toMatchObject({ sent: 1, 'invalid-recipient': 1 });
  });
});

describe('transient failures are retried, alone', () => {
  it('a send that throws leaves that follower for the next attempt; the others are sent and recorded', async () => {
    const w = world();
    w.throwing.add('o-b');
    const d = bundle(['o-a', 'o-b', 'o-c']);
    await expect(w.loop().deliver(d)).rejects.toBeInstanceOf(RetryLater);
    expect(w.sent.sort()).toEqual(['o-a', 'o-c']);
    expect(w.counts.get('run#1')).toMatchObject({ sent: 2 });
    w.throwing.clear();
    await w.loop().deliver(d); // the queue's next delivery of the bundle
    expect(w.sent.sort()).toEqual(['o-a', 'o-b', 'o-c']);
    expect(w.counts.get('run#1')).toMatchObject({ sent: 3, duplicate: 2 });
  });

  it.each([
    ['a token WeChat rejected twice (40001)', refusal(40001, 'token')],
    ['system busy (-1)', refusal(-1, 'retry')],
    ['the minute quota (45011)', refusal(45011, 'retry')],
  ])(
    '%s: the reservation is given back and the next attempt sends it, never a permanent outcome',
    async (_, answer) => {
      const w = world();
      w.answers.set('o-a', answer);
      const d = bundle(['o-a', 'o-b']);
      await expect(w.loop().deliver(d)).rejects.toThrow(/left for the next attempt/);
      expect(w.ledger.released).toEqual(['o-a']);
      expect(w.ledger.settled).toEqual([]);
      expect(w.counts.get('run#1')).toEqual({ sent: 1 });
      w.answers.delete('o-a');
      await w.loop().deliver(d);
      expect(w.counts.get('run#1')).toMatchObject({ sent: 2 });
      expect(w.counts.get('run#1')?.failed).toBeUndefined();
    },
  );

  it('on the queue’s last attempt what is still transient is settled failed, so the bundle ends', async () => {
    const w = world();
    w.answers.set('o-a', refusal(-1, 'retry'));
    const d = bundle(['o-a', 'o-b']);
    await w.loop().deliver(d, { lastAttempt: true });
    expect(w.counts.get('run#1')).toMatchObject({ sent: 1, failed: 1 });
    expect(w.ledger.receipts.get(d.bundle)?.get('o-a')).toBe('failed:retries exhausted:WeChat -1');
  });
});

describe('a redelivered bundle whose first attempt died before its receipt', () => {
  it('ends each recipient as the ledger holds it: its earlier outcome, or already reached elsewhere', async () => {
    const w = world();
    w.ledger.verdicts
      .set('o-skipped', 'duplicate')
      .set('o-second-plate', 'duplicate')
      .set('o-live', 'duplicate');
    w.ledger.earlierAnswers
      .set('o-skipped', { kind: 'this-bundle', value: 'failed:43101' })
      .set('o-second-plate', { kind: 'elsewhere' });
    await w.loop().deliver(bundle(['o-skipped', 'o-second-plate', 'o-live']));
    expect(w.sent).toEqual([]);
    expect(w.counts.get('run#1')).toMatchObject({ failed: 1, 'already-reached': 1, duplicate: 1 });
  });

  it('reads what was settled on the ledger as the outcome it stands for', () => {
    expect(
      [
        'skipped:opted-out',
        'skipped:invalid-recipient',
        'skipped:number-cap',
        'skipped:refused',
        'failed:43004',
        'unknown-outcome',
        'unknown-outcome:TimeoutError',
        'sent:1|restriction|r|t',
        'provider-permanent:E',
        'budget:budget',
        'nonsense',
      ].map(settledOutcome),
    ).toEqual([
      'opted-out',
      'invalid-recipient',
      'capped',
      'failed',
      'failed',
      'unknown-outcome',
      'unknown-outcome',
      'sent',
      'provider-permanent',
      'budget',
      'failed',
    ]);
    expect(earlierResult({ kind: 'in-flight' })).toEqual({ outcome: 'duplicate', receipt: null });
  });
});

describe('what a stopped or waiting run records', () => {
  it('an aborted run’s remaining recipients are recorded unsent, counted nowhere', async () => {
    const w = world();
    w.runs.set('run#1', { status: 'aborted', halts: {} });
    const d = bundle(['o-a', 'o-b']);
    await w.loop().deliver(d);
    expect(w.sent).toEqual([]);
    expect(w.ledger.receipts.get(d.bundle)).toEqual(
      new Map([
        ['o-a', 'unsent:run stopped'],
        ['o-b', 'unsent:run stopped'],
      ]),
    );
    expect(w.counts.get('run#1') ?? {}).toEqual({});
  });

  it('a bundle deferred by quiet hours tells the run until when it waits (so it is not reported stalled)', async () => {
    const w = world({ at: night });
    await w.loop().deliver(bundle(['o-a'], { category: 'notice', values: { keyword1: 'x' } }));
    expect(w.waiting).toEqual(['2026-11-16T23:00:00.000Z']);
  });
});
