/**
 * Push delivery's decisions with fake ports, fast: the bundle loop (aborted and halted runs, quiet
 * hours, receipts, counts) and WeChat delivery (statuses, the quota, the ledger's verdicts, WeChat's
 * refusals, SMS fallback). The same code runs against DynamoDB and the sandbox in test/e2e.
 */
import { describe, expect, it } from 'vitest';
import { bundle, night, world } from '../../fixtures/delivery.ts';

describe('WeChat delivery, with fake ports', () => {
  it('sends to active followers once; skips opted-out, unfollowed and blocked ones, marking the ledger', async () => {
    const w = world({ statuses: { 'o-out': 'opted-out', 'o-gone': 'unfollowed', 'o-blk': 'blocked' } });
    const d = w.loop();
    await d.deliver(bundle(['o-a', 'o-out', 'o-gone', 'o-blk', 'o-b']));
    await d.finish();
    expect(w.sent.sort()).toEqual(['o-a', 'o-b']);
    expect(w.ledger.skipped.sort()).toEqual(['o-blk', 'o-gone', 'o-out']);
    expect(w.counts.get('run#1')).toMatchObject({ sent: 2, 'opted-out': 1, unfollowed: 1, blocked: 1 });
  });

  it('a redelivered bundle touches nobody its receipt finished', async () => {
    const w = world();
    await w.loop().deliver(bundle(['o-a', 'o-b']));
    await w.loop().deliver(bundle(['o-a', 'o-b']));
    expect(w.sent).toEqual(['o-a', 'o-b']);
    expect(w.counts.get('run#1')).toMatchObject({ sent: 2, duplicate: 2 });
  });

  it('counts what the ledger decides: capped, duplicate, and a reservation never confirmed is not sent again', async () => {
    const w = world();
    w.ledger.verdicts.set('o-cap', 'capped').set('o-dup', 'duplicate').set('o-lost', 'unknown-outcome');
    await w.loop().deliver(bundle(['o-cap', 'o-dup', 'o-lost', 'o-ok']));
    expect(w.sent).toEqual(['o-ok']);
    expect(w.ledger.settled).toEqual([['o-lost', 'unknown-outcome']]);
    expect(w.counts.get('run#1')).toMatchObject({ capped: 1, duplicate: 1, 'unknown-outcome': 1, sent: 1 });
  });

  it('a follower who left (43004) is marked unfollowed and, with a linked number, gets the push by SMS', async () => {
    const w = world();
    const left = {
      status: 'refused' as const,
      refusal: {
        errcode: 43004,
        action: 'recipient' as const,
        subscriberStatus: 'unfollowed' as const,
        message: 'x',
      },
    };
    w.answers.set('o-left', left);
    await w.loop().deliver(bundle(['o-left', 'o-stay']));
    expect(w.statusChanges).toEqual([['o-left', 'unfollowed']]);
    expect(w.ledger.settled).toEqual([['o-left', 'failed:43004']]);
    expect(w.published).toHaveLength(1);
    expect(w.published[0]).toMatchObject({
      channel: 'sms',
      fallback: true,
      recipients: [{ id: 'sms-hmac-of-left', plates: ['京A12341'] }],
    });
  });

  it('a configuration refusal (40164) aborts the run: nothing more is sent, the alarm metric counts it', async () => {
    const w = world();
    w.answers.set('o-a', {
      status: 'refused',
      refusal: {
        errcode: 40164,
        action: 'abort',
        subscriberStatus: undefined,
        message: 'IP not whitelisted',
      },
    });
    const d = w.loop();
    await d.deliver(bundle(['o-a']));
    await d.deliver(bundle(['o-b', 'o-c']));
    expect(w.aborts[0]).toMatch(/40164/);
    expect(w.sent).toEqual([]);
    expect(w.metrics).toContain('WeChatConfigErrors');
  });

  it('a send that did not complete is recorded unknown-outcome and never retried', async () => {
    const w = world();
    w.answers.set('o-a', { status: 'unknown', message: 'socket hang up' });
    await w.loop().deliver(bundle(['o-a']));
    expect(w.ledger.settled).toEqual([['o-a', 'unknown-outcome']]);
    expect(w.counts.get('run#1')).toMatchObject({ 'unknown-outcome': 1 });
  });

  it('stops the run at the daily template quota instead of meeting 45009', async () => {
    const w = world({ quota: 1 });
    await w.loop().deliver(bundle(['o-a', 'o-b', 'o-c']));
    expect(w.sent).toHaveLength(1);
    expect(w.aborts).toEqual(['daily WeChat template quota reached']);
    expect(w.metrics).toContain('WeChatQuotaExhausted');
  });

  it('an account without the category’s template aborts the run before any send', async () => {
    const w = world();
    await w.loop().deliver(bundle(['o-a'], { category: 'transactional' }));
    expect(w.sent).toEqual([]);
    expect(w.aborts[0]).toMatch(/no template for category 'transactional'/);
  });

  it('defers a routine bundle in quiet hours whole, and sends an emergency at once', async () => {
    const w = world({ at: night });
    await w.loop().deliver(bundle(['o-a', 'o-b'], { category: 'notice', values: { keyword1: 'x' } }));
    expect(w.deferred).toHaveLength(1);
    expect(w.counts.get('run#1')).toMatchObject({ 'deferred-quiet': 2 });
    const e = world({ at: night });
    await e.loop().deliver(bundle(['o-a'], { category: 'emergency', values: { keyword1: 'x' } }));
    expect(e.deferred).toHaveLength(0);
    expect(e.sent).toEqual(['o-a']);
  });

  it('renders the reminder from the engine with the category’s template: city, tails, day, plate', async () => {
    const w = world();
    await w.loop().deliver(bundle(['o-a'], { recipients: [{ id: 'o-a', plates: ['京A12345'] }] }));
    expect(w.messages).toHaveLength(1);
    expect(w.messages[0]!.templateId).toBe('tpl-restriction');
    expect(w.messages[0]!.data.keyword1).toEqual({ value: '北京尾号0和5限行' });
    expect(w.messages[0]!.data.keyword2!.value).toMatch(/^11月16日周一 /);
    expect(w.messages[0]!.data.keyword3).toEqual({ value: '京A12345' });
  });
});
