/**
 * A notice for an account that cannot send template messages goes out as an article mass send:
 * once per run (a repeated job, or a retry after the draft, sends nothing twice), within the day's
 * allowance (a second notice that day is held, the run says which one used it), only for the
 * version that was published, and the run records it.
 */
import { describe, expect, it } from 'vitest';
import { RetryLater } from '../../../functions/core/delivery/async-reply.ts';
import {
  type MassArticle,
  type MassSendAllowance,
  type MassSendDeps,
  massClientMsgId,
  sendNoticeAsArticle,
} from '../../../functions/core/delivery/mass-send.ts';
import type { RunCounts, WeChatSendResult } from '../../../functions/core/delivery/ports.ts';
import { createNotice, transition } from '../../../functions/core/notices/lifecycle.ts';
import { fixedClock } from '../../../functions/core/time.ts';
import { NewNoticeSchema, type Notice } from '../../../schemas/notices.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { v1Account } from '../../fixtures/wechat.ts';

const clock = fixedClock('2026-11-16T00:30:00Z'); // 08:30 Shanghai
const editor = { sub: 'ed', roles: ['editor'] };
const reviewer = { sub: 'rev', roles: ['reviewer'] };

function published(id: string, title = '早间勤务简报'): Notice {
  const n = createNotice(
    NewNoticeSchema.parse({
      kind: 'general',
      title,
      body: '今日早高峰重点路段：长安街、二环。\n请各岗位<准时>到岗。',
      shortBody: '今日勤务安排',
      city: 'beijing',
      effectiveFrom: '2026-11-16T00:00:00Z',
      channels: ['wechat'],
      audience: { type: 'internal' },
    }),
    editor,
    clock.now(),
    id,
  );
  const p = transition(
    transition(transition(n, 'submit', editor, clock.now()), 'approve', reviewer, clock.now()),
    'publish',
    reviewer,
    clock.now(),
  );
  return { ...p, version: 4 };
}

class MemoryAllowance implements MassSendAllowance {
  readonly days = new Map<string, Map<string, { mediaId: string | null; msgId: string | null }>>();
  async claim(appId: string, date: string, runKey: string, limit: number) {
    const day = this.days.get(`${appId}#${date}`) ?? new Map();
    this.days.set(`${appId}#${date}`, day);
    const mine = day.get(runKey);
    if (mine) return { claimed: true as const, mediaId: mine.mediaId, sent: mine.msgId !== null };
    if (day.size >= limit) return { claimed: false as const, usedBy: [...day.keys()] };
    day.set(runKey, { mediaId: null, msgId: null });
    return { claimed: true as const, mediaId: null, sent: false };
  }
  async drafted(appId: string, date: string, runKey: string, mediaId: string) {
    this.days.get(`${appId}#${date}`)!.get(runKey)!.mediaId = mediaId;
  }
  async sent(appId: string, date: string, runKey: string, msgId: string) {
    this.days.get(`${appId}#${date}`)!.get(runKey)!.msgId = msgId;
  }
  async release(appId: string, date: string, runKey: string) {
    this.days.get(`${appId}#${date}`)!.delete(runKey);
  }
}

function world(answer: () => WeChatSendResult = () => ({ status: 'sent', msgid: '1000001' })) {
  const officers: WeChatAccount = v1Account({
    id: 'officers',
    audience: 'internal',
    kind: 'subscription',
    massSend: { thumbMediaId: 'thumb-1', tagId: 7, dailyAllowance: 1, author: '指挥中心' },
  });
  const notices = new Map<string, Notice>();
  const drafts: MassArticle[] = [];
  const sends: Array<{ mediaId: string; tagId: number | null; clientMsgId: string }> = [];
  const counts = new Map<string, RunCounts>();
  const recorded = new Map<string, string>();
  const halts: string[] = [];
  const allowance = new MemoryAllowance();
  const deps: MassSendDeps = {
    notice: async (id) => notices.get(id),
    account: async (id) => (id === 'officers' ? officers : undefined),
    cityName: async () => '北京',
    allowance,
    wechat: {
      addDraft: async (_a, article) => {
        drafts.push(article);
        return { mediaId: `draft-${drafts.length}` };
      },
      sendAll: async (_a, s) => {
        sends.push(s);
        return answer();
      },
    },
    runs: {
      get: async () => ({ status: 'running', halts: {} }),
      // As the run record does: once per run and account.
      recordMassSend: async (k, accountId, result) => {
        if (recorded.has(`${k}#${accountId}`)) return false;
        recorded.set(`${k}#${accountId}`, result);
        const total = counts.get(k) ?? {};
        total[`mass-send:${result}`] = (total[`mass-send:${result}`] ?? 0) + 1;
        counts.set(k, total);
        return true;
      },
      haltChannel: async (_k, channel, reason) => void halts.push(`${channel}: ${reason}`),
    },
    clock,
    telemetry: { log: () => {}, metric: () => {} },
  };
  return { deps, notices, drafts, sends, counts, halts, allowance };
}

const job = (noticeId: string, runKey = `notice#${noticeId}#v4`) => ({
  runKey,
  noticeId,
  version: 4,
  accountId: 'officers',
});

describe('an article mass send for the officers’ subscription account', () => {
  it('drafts the article (escaped body, cover, author) and sends it to the tag once; the run records it', async () => {
    const w = world();
    w.notices.set('n1', published('n1'));
    expect(await sendNoticeAsArticle(job('n1'), w.deps)).toBe('sent');
    expect(w.drafts).toEqual([
      {
        title: '早间勤务简报',
        digest: '今日勤务安排',
        content: expect.stringContaining('<p>请各岗位&lt;准时&gt;到岗。</p>'),
        sourceUrl: null, // officers only: no public page
        thumbMediaId: 'thumb-1',
        author: '指挥中心',
      },
    ]);
    expect(w.sends).toEqual([
      { mediaId: 'draft-1', tagId: 7, clientMsgId: massClientMsgId('notice#n1#v4', 'officers') },
    ]);
    expect(w.counts.get('notice#n1#v4')).toEqual({ 'mass-send:sent': 1 });
    // The job delivered again: nothing drafted or sent twice, nor counted twice.
    expect(await sendNoticeAsArticle(job('n1'), w.deps)).toBe('already-sent');
    expect(w.sends).toHaveLength(1);
    expect(w.counts.get('notice#n1#v4')).toEqual({ 'mass-send:sent': 1 });
  });

  it('a send whose attempt died before the run recorded it is recorded by the next copy of the job', async () => {
    const w = world();
    w.notices.set('n1', published('n1'));
    const record = w.deps.runs.recordMassSend;
    w.deps.runs.recordMassSend = async () => {
      throw new Error('the function died');
    };
    await expect(sendNoticeAsArticle(job('n1'), w.deps)).rejects.toThrow('the function died');
    expect(w.sends).toHaveLength(1);
    w.deps.runs.recordMassSend = record;
    // Redelivered (or sent for again by the run's resume): it went out; recorded, not sent again.
    expect(await sendNoticeAsArticle(job('n1'), w.deps)).toBe('already-sent');
    expect(w.sends).toHaveLength(1);
    expect(w.counts.get('notice#n1#v4')).toEqual({ 'mass-send:sent': 1 });
  });

  it('a second notice the same day is held: the allowance is one, and the run says which notice used it', async () => {
    const w = world();
    w.notices.set('n1', published('n1'));
    w.notices.set('n2', published('n2', '午间简报'));
    await sendNoticeAsArticle(job('n1'), w.deps);
    expect(await sendNoticeAsArticle(job('n2'), w.deps)).toBe('held');
    expect(w.sends).toHaveLength(1);
    expect(w.counts.get('notice#n2#v4')).toEqual({ 'mass-send:held': 1 });
    expect(w.halts[0]).toMatch(
      /^mass:officers: the account's 1 mass send\(s\) of 2026-11-16 were used \(notice#n1#v4\)/,
    );
  });

  it('a send that did not complete is retried with the same draft and clientmsgid; 45065 means it went out', async () => {
    let answer: WeChatSendResult = { status: 'unknown', message: 'socket hang up' };
    const w = world(() => answer);
    w.notices.set('n1', published('n1'));
    await expect(sendNoticeAsArticle(job('n1'), w.deps)).rejects.toBeInstanceOf(RetryLater);
    answer = {
      status: 'refused',
      refusal: { errcode: 45065, action: 'bug', subscriberStatus: undefined, message: 'clientmsgid exist' },
    };
    expect(await sendNoticeAsArticle(job('n1'), w.deps)).toBe('sent');
    expect(w.drafts).toHaveLength(1);
    expect(new Set(w.sends.map((s) => `${s.mediaId}#${s.clientMsgId}`)).size).toBe(1);
  });

  it('a refused send gives the day’s allowance back; a notice withdrawn or edited meanwhile is not sent', async () => {
    const w = world(() => ({
      status: 'refused',
      refusal: { errcode: 48001, action: 'abort', subscriberStatus: undefined, message: 'api unauthorized' },
    }));
    w.notices.set('n1', published('n1'));
    expect(await sendNoticeAsArticle(job('n1'), w.deps)).toBe('failed');
    expect(w.halts[0]).toMatch(/mass:officers: WeChat 48001/);
    expect([...w.allowance.days.values()][0]!.size).toBe(0);
    const withdrawn = { ...published('n3'), status: 'withdrawn' as const };
    w.notices.set('n3', withdrawn);
    expect(await sendNoticeAsArticle(job('n3'), w.deps)).toBe('skipped');
    expect(await sendNoticeAsArticle({ ...job('n1'), version: 3 }, w.deps)).toBe('skipped');
  });
});
