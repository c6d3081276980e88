/**
 * Push delivery's decisions with fake ports, fast: the bundle loop (aborted and halted runs, quiet
 * hours, receipts, counts) and WeChat delivery (statuses, the quota, the ledger's verdicts, WeChat's
 * refusals, SMS fallback). The same code runs against DynamoDB and the sandbox in test/e2e.
 */
import { describe, expect, it } from 'vitest';
import { bundleDelivery } from '../../../functions/core/delivery/bundles.ts';
import type {
  Earlier,
  PushLedger,
  Reservation,
  RunCounts,
  WeChatSendResult,
} from '../../../functions/core/delivery/ports.ts';
import { type WeChatDeliveryDeps, weChatDelivery } from '../../../functions/core/delivery/wechat.ts';
import { bookOf } from '../../../functions/core/restrictions/engine.ts';
import type { Subscriber } from '../../../functions/core/subscribers/subscriber.ts';
import { fixedClock } from '../../../functions/core/time.ts';
import { shippedRestrictionData } from '../../../schemas/data/index.ts';
import { DEFAULT_POLICY, type DeliveryMessage } from '../../../schemas/pushes.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';

const clock = fixedClock('2026-11-16T02:00:00Z'); // Monday 10:00 in Shanghai: Beijing restricts 0 and 5
const night = fixedClock('2026-11-16T15:00:00Z'); // 23:00 in Shanghai: quiet hours
const account: WeChatAccount = {
  id: 'dev',
  appId: 'wxd0e1f2a3b4c5d6e7',
  appSecret: 's',
  token: 'devtoken',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  previousEncodingAesKey: null,
  mode: 'safe',
  templates: { restriction: 'tpl-restriction', notice: 'tpl-notice', emergency: 'tpl-emergency' },
  defaultCity: 'beijing',
  audience: 'public',
};

function bundle(ids: string[], over: Partial<DeliveryMessage> = {}): DeliveryMessage {
  return {
    bundle: `run#1#0#0#wechat#dev#${ids.join(',')}`,
    runKey: 'run#1',
    pushKey: 'run#1',
    category: 'restriction',
    channel: 'wechat',
    account: 'dev',
    city: 'beijing',
    date: '2026-11-16',
    recipients: ids.map((id) => ({ id, plates: ['京A12341'] })),
    ...over,
  };
}

class FakeLedger implements PushLedger {
  consumed = { read: 0, write: 0 };
  verdicts = new Map<string, Reservation>();
  receipts = new Map<string, Map<string, string>>();
  skipped: string[] = [];
  settled: Array<[string, string]> = [];
  reserved: string[] = [];
  async reserve(_c: string, id: string): Promise<Reservation> {
    const v = this.verdicts.get(id) ?? 'reserved';
    if (v === 'reserved') this.reserved.push(id);
    return v;
  }
  async skip(_c: string, id: string) {
    this.skipped.push(id);
    return 'skipped' as const;
  }
  async settle(_c: string, id: string, _d: string, _k: string, outcome: string) {
    this.settled.push([id, outcome]);
  }
  async release() {}
  async receipt(b: string) {
    return new Map(this.receipts.get(b) ?? []);
  }
  async recordReceipt(b: string, outcomes: ReadonlyMap<string, string>) {
    this.receipts.set(b, new Map([...(this.receipts.get(b) ?? []), ...outcomes]));
  }
  earlierAnswers = new Map<string, Earlier>();
  async earlier(_c: string, id: string): Promise<Earlier> {
    return this.earlierAnswers.get(id) ?? { kind: 'in-flight' };
  }
}

function world(
  o: { at?: typeof clock; statuses?: Record<string, Subscriber['status']>; quota?: number } = {},
) {
  const ledger = new FakeLedger();
  const counts = new Map<string, RunCounts>();
  const runs = new Map([['run#1', { status: 'running', halts: {} as Record<string, string> }]]);
  const aborts: string[] = [];
  const sent: string[] = [];
  const messages: Array<{ touser: string; templateId: string; data: Record<string, { value: string }> }> = [];
  const published: DeliveryMessage[] = [];
  const deferred: DeliveryMessage[] = [];
  const metrics: string[] = [];
  const answers = new Map<string, WeChatSendResult>();
  let quota = o.quota ?? 1000;
  const telemetry = { log: () => {}, metric: (name: string) => void metrics.push(name) };
  const timer = { elapsed: () => 0, sleep: async () => {} };
  const at = o.at ?? clock;
  const statusChanges: Array<[string, string]> = [];
  const wechat: WeChatDeliveryDeps = {
    account: async (id) => (id === 'dev' ? account : undefined),
    subscribers: {
      statuses: async (_c, ids) => new Map(ids.map((id) => [id, o.statuses?.[id] ?? 'active'])),
      get: async (ref) =>
        ({ ...ref, smsFallback: ref.id === 'o-left' ? 'sms-hmac-of-left' : null }) as unknown as Subscriber,
      unfollow: async (ref) => void statusChanges.push([ref.id, 'unfollowed']),
      setStatus: async (ref, s) => void statusChanges.push([ref.id, s]),
    },
    wechat: {
      sendTemplate: async (_a, m) => {
        messages.push(m);
        const answer = answers.get(m.touser) ?? { status: 'sent', msgid: `m-${m.touser}` };
        if (answer.status === 'sent') sent.push(m.touser);
        return answer;
      },
    },
    quota: {
      take: async (_app, _d, n, limit) => {
        if (quota < n || limit < n) return false;
        quota -= n;
        return true;
      },
    },
    policy: { get: async () => ({ policy: DEFAULT_POLICY, version: 0 }) },
    restrictions: async () => bookOf(shippedRestrictionData),
    deliveries: { publish: async (ms) => void published.push(...ms) },
    clock: at,
    timer,
    telemetry,
    settings: { ratePerSecond: 1000, concurrency: 4, dailyTemplateQuota: 100_000 },
  };
  const add = (k: string, c: RunCounts) => {
    const total = counts.get(k) ?? {};
    for (const [o2, n] of Object.entries(c))
      total[o2 as keyof RunCounts] = (total[o2 as keyof RunCounts] ?? 0) + (n ?? 0);
    counts.set(k, total);
  };
  const waiting: string[] = [];
  const loop = () =>
    bundleDelivery(
      {
        channel: 'wechat',
        ledger,
        runs: {
          get: async (k) => runs.get(k),
          add: async (k, c) => add(k, c),
          // As the DynamoDB run log does: the receipt and the counts together, once per recipient.
          record: async (k, b, entries) => {
            const done = await ledger.receipt(b);
            const fresh = entries.filter((e) => !done.has(e.id));
            await ledger.recordReceipt(b, new Map(fresh.map((e) => [e.id, e.receipt])));
            const c: RunCounts = {};
            for (const e of fresh) if (e.count) c[e.count] = (c[e.count] ?? 0) + 1;
            add(k, c);
            return c;
          },
          waitUntil: async (_k, until) => void waiting.push(until),
          abort: async (k, reason) => {
            aborts.push(reason);
            runs.set(k, { status: 'aborted', halts: {} });
          },
          haltChannel: async () => {},
        },
        deferred: {
          defer: async (m) => {
            deferred.push(m);
            return true;
          },
        },
        policy: wechat.policy,
        tally: { addSent: async () => {} },
        clock: at,
        timer,
        telemetry,
      },
      weChatDelivery(wechat),
    );
  return {
    ledger,
    counts,
    aborts,
    sent,
    messages,
    published,
    deferred,
    metrics,
    answers,
    statusChanges,
    loop,
    runs,
    waiting,
  };
}

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
