/**
 * Customer-service messages within the follower's window, as WeChat grants it (48 h and 5 messages
 * after their message; 1 minute and 3 after a click, follow or scan): the rule, and the one sender
 * every customer-service message goes through refusing outside it with the reason — WeChat is not
 * called, so 45015/45047 is never met — and the async reply choosing not to send.
 */
import { describe, expect, it } from 'vitest';
import {
  type AsyncReplyDeps,
  RetryLater,
  sendAsyncReply,
} from '../../../functions/core/delivery/async-reply.ts';
import {
  type CustomerServiceWindow,
  giveBack,
  openWindow,
  sendCustomerService,
  takeFromWindow,
  type WindowGrant,
} from '../../../functions/core/delivery/customer-service.ts';
import { type FollowerNoteDeps, sendFollowerNote } from '../../../functions/core/delivery/follower-notes.ts';
import type { CustomerServiceMessage, WeChatSendResult } from '../../../functions/core/delivery/ports.ts';
import { v1Account } from '../../fixtures/wechat.ts';

const T0 = Date.parse('2026-11-16T02:00:00Z');
const HOUR = 3600_000;

/** The window rule applied to one follower's grants in memory, as the DynamoDB adapter applies it. */
class MemoryWindow implements CustomerServiceWindow {
  grants: WindowGrant[] = [];
  async open(_openid: string, trigger: 'message' | 'event', at: Date) {
    this.grants = openWindow(this.grants, trigger, at.getTime());
  }
  async take(_openid: string, now: Date) {
    const t = takeFromWindow(this.grants, now.getTime());
    if ('closed' in t) return t;
    this.grants = t.grants;
    return { taken: t.taken };
  }
  async giveBack(_openid: string, taken: readonly number[]) {
    this.grants = giveBack(this.grants, taken);
  }
  async close() {
    this.grants = this.grants.map((g) => ({ ...g, left: 0 }));
  }
}

function sender(answer: () => WeChatSendResult = () => ({ status: 'sent', msgid: null })) {
  const window = new MemoryWindow();
  let now = T0;
  const sent: CustomerServiceMessage[] = [];
  const deps = {
    window,
    wechat: {
      sendCustomerService: async (_a: unknown, _o: string, m: CustomerServiceMessage) => {
        sent.push(m);
        return answer();
      },
    },
    clock: { now: () => new Date(now) },
  };
  const send = () => sendCustomerService(v1Account(), 'o-a', { type: 'text', content: 'hi' }, deps);
  const at = (ms: number) => {
    now = T0 + ms;
  };
  return { window, deps, sent, send, at };
}

describe('the customer-service window', () => {
  it('after a message from the follower: 5 messages within 48 hours, then refused with the reason', async () => {
    const s = sender();
    await s.window.open('o-a', 'message', new Date(T0));
    for (let i = 0; i < 5; i++) expect((await s.send()).status).toBe('sent');
    const sixth = await s.send();
    expect(sixth).toEqual({
      status: 'outside-window',
      reason:
        'the 5 customer-service messages allowed (48 h and 5 messages after their last message) were used',
    });
    expect(s.sent).toHaveLength(5); // WeChat was not asked a sixth time
    // A new message from the follower opens a fresh window.
    await s.window.open('o-a', 'message', new Date(T0 + HOUR));
    expect((await s.send()).status).toBe('sent');
  });

  it('closes 48 hours after their message, and says when', async () => {
    const s = sender();
    await s.window.open('o-a', 'message', new Date(T0));
    s.at(48 * HOUR - 1);
    expect((await s.send()).status).toBe('sent');
    s.at(48 * HOUR);
    expect(await s.send()).toEqual({
      status: 'outside-window',
      reason: `the customer-service window (48 h and 5 messages after their last message) closed at ${new Date(T0 + 48 * HOUR).toISOString()}`,
    });
  });

  it('after a click, follow or scan: 3 messages within a minute; a message from them is the larger grant', async () => {
    const s = sender();
    await s.window.open('o-a', 'event', new Date(T0));
    s.at(59_000);
    for (let i = 0; i < 3; i++) expect((await s.send()).status).toBe('sent');
    expect((await s.send()).status).toBe('outside-window');
    const late = sender();
    await late.window.open('o-a', 'event', new Date(T0));
    late.at(60_000);
    expect(await late.send()).toMatchObject({
      status: 'outside-window',
      reason: expect.stringMatching(/1 minute/),
    });
    // Both grants open: a send takes from each, so neither of WeChat's counts is ever exceeded.
    const both = sender();
    await both.window.open('o-a', 'message', new Date(T0));
    await both.window.open('o-a', 'event', new Date(T0 + 1000));
    for (let i = 0; i < 5; i++) expect((await both.send()).status).toBe('sent');
    expect((await both.send()).status).toBe('outside-window');
  });

  it('no message, click, follow or scan at all: refused, WeChat not called', async () => {
    const s = sender();
    expect(await s.send()).toEqual({
      status: 'outside-window',
      reason: 'the follower has not written to the account, followed, scanned or clicked its menu recently',
    });
    expect(s.sent).toEqual([]);
  });

  it('gives the message back when the send certainly did not go out; closes on WeChat’s own 45015', async () => {
    let answer: WeChatSendResult = {
      status: 'refused',
      refusal: { errcode: -1, action: 'retry', subscriberStatus: undefined, message: 'busy' },
    };
    const s = sender(() => answer);
    await s.window.open('o-a', 'message', new Date(T0));
    await s.send();
    expect(s.window.grants[0]!.left).toBe(5);
    answer = {
      status: 'refused',
      refusal: { errcode: 45015, action: 'window', subscriberStatus: undefined, message: 'out of time' },
    };
    await s.send();
    expect(s.window.grants[0]!.left).toBe(0);
  });
});

describe('an async reply outside the window', () => {
  it('is not sent, and the reason is logged', async () => {
    const s = sender();
    const logs: Array<Record<string, unknown>> = [];
    const deps: AsyncReplyDeps = {
      account: async () => v1Account(),
      replies: {
        state: async () => ({ done: true, reply: { type: 'text', content: '迟到的回复' } }),
        finishWith: async () => {},
        claimSend: async () => true,
        releaseSend: async () => {},
      },
      subscribers: { unfollow: async () => {}, setStatus: async () => {} },
      customerService: s.deps,
      ensureToken: async () => {},
      clock: s.deps.clock,
      telemetry: { log: (_l, _m, d) => void logs.push(d ?? {}), metric: () => {} },
    };
    expect(await sendAsyncReply({ accountId: 'v1', openid: 'o-a', dedupeKey: 'k' }, 1, deps)).toBe(
      'window-closed',
    );
    expect(s.sent).toEqual([]);
    expect(logs[0]?.reason).toMatch(/has not written to the account/);
  });
});

describe('a follower note (短信备用 linked, told in WeChat)', () => {
  function noteDeps(answer?: () => WeChatSendResult) {
    const s = sender(answer);
    const claimed = new Set<string>();
    const statuses: string[] = [];
    const deps: FollowerNoteDeps = {
      account: async () => v1Account(),
      notes: {
        claim: async (key) => !claimed.has(key) && Boolean(claimed.add(key)),
        release: async (key) => void claimed.delete(key),
      },
      subscribers: {
        unfollow: async () => void statuses.push('unfollowed'),
        setStatus: async (_r, status) => void statuses.push(status),
      },
      customerService: s.deps,
      ensureToken: async () => {},
      clock: s.deps.clock,
      telemetry: { log: () => {}, metric: () => {} },
    };
    return { s, deps, claimed, statuses };
  }
  const job = {
    kind: 'note' as const,
    accountId: 'v1',
    openid: 'o-a',
    key: 'sms-fallback#n#t',
    text: '已开通',
  };

  it('goes once within the window: a redelivered job sends nothing more', async () => {
    const { s, deps } = noteDeps();
    await s.window.open('o-a', 'message', new Date(T0));
    expect(await sendFollowerNote(job, deps)).toBe('sent');
    expect(await sendFollowerNote(job, deps)).toBe('already-sent');
    expect(s.sent).toEqual([{ type: 'text', content: '已开通' }]);
  });

  it('is not sent outside the window', async () => {
    const { s, deps } = noteDeps();
    expect(await sendFollowerNote(job, deps)).toBe('outside-window');
    expect(s.sent).toEqual([]);
  });

  it('a transient refusal gives the claim back and is retried; a block updates the follower', async () => {
    let answer: WeChatSendResult = {
      status: 'refused',
      refusal: { errcode: -1, action: 'retry', subscriberStatus: undefined, message: 'busy' },
    };
    const { s, deps, claimed, statuses } = noteDeps(() => answer);
    await s.window.open('o-a', 'message', new Date(T0));
    await expect(sendFollowerNote(job, deps)).rejects.toBeInstanceOf(RetryLater);
    expect(claimed.size).toBe(0);
    answer = {
      status: 'refused',
      refusal: { errcode: 43019, action: 'recipient', subscriberStatus: 'blocked', message: 'in blacklist' },
    };
    expect(await sendFollowerNote(job, deps)).toBe('refused');
    expect(statuses).toEqual(['blocked']);
  });
});
