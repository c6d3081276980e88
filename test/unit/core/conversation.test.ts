import { describe, expect, it } from 'vitest';
import { keys } from '../../../functions/adapters/dynamodb/keys.ts';
import { MemorySubscriberRepository } from '../../../functions/adapters/memory/subscribers.ts';
import {
  type ConversationDeps,
  converse,
  type Inbound,
  parseIntent,
} from '../../../functions/core/conversation/converse.ts';
import { openBook } from '../../../functions/core/restrictions/engine.ts';
import { fanoutSegment } from '../../../functions/core/subscribers/fanout.ts';
import { fixedClock } from '../../../functions/core/time.ts';
import { shippedRestrictionData } from '../../../schemas/data/index.ts';
import keywordData from '../../../schemas/data/keywords.json' with { type: 'json' };
import { KeywordRepliesSchema } from '../../../schemas/wechat.ts';

const keywords = KeywordRepliesSchema.parse(keywordData);
const book = openBook(shippedRestrictionData);
const me = { channel: 'wechat' as const, id: 'o-user-1' };

function setup(at = '2026-11-16T01:00:00Z' /* Mon 09:00 Shanghai: 5和0 */) {
  const subscribers = new MemorySubscriberRepository();
  const deps: ConversationDeps = {
    subscribers,
    restrictions: async () => book,
    notices: { latestRoadCondition: async () => undefined },
    clock: fixedClock(at),
    keywords,
    account: { id: 'dev', defaultCity: 'beijing' },
  };
  const say = (text: string) => converse(me, { kind: 'text', text }, deps);
  const send = (inbound: Inbound) => converse(me, inbound, deps);
  return { subscribers, deps, say, send };
}

describe('parseIntent', () => {
  it.each([
    ['绑定 京A12345', { type: 'bind', plate: '京A12345', city: null }],
    ['BD 京a·12345', { type: 'bind', plate: '京a·12345', city: null }],
    ['bd 陕A1234Q 西安', { type: 'bind', plate: '陕A1234Q', city: 'xian' }],
    ['绑定京A12345', { type: 'bind', plate: '京A12345', city: null }],
    ['解绑', { type: 'unbind', plate: null }],
    ['解绑 京A12345', { type: 'unbind', plate: '京A12345' }],
    ['限行', { type: 'restriction', day: 'today', tail: null, plate: null }],
    ['今日限行', { type: 'restriction', day: 'today', tail: null, plate: null }],
    ['明天限行', { type: 'restriction', day: 'tomorrow', tail: null, plate: null }],
    ['尾号0', { type: 'restriction', day: 'today', tail: 0, plate: null }],
    ['0', { type: 'restriction', day: 'today', tail: 0, plate: null }],
    ['京A12345', { type: 'restriction', day: 'today', tail: null, plate: '京A12345' }],
    ['路况', { type: 'road' }],
    ['1', { type: 'keyword', index: 0 }],
    ['１', { type: 'keyword', index: 0 }],
    ['TD', { type: 'unsubscribe' }],
    ['td', { type: 'unsubscribe' }],
    ['T', { type: 'unsubscribe' }],
    ['R', { type: 'unsubscribe' }],
    ['N', { type: 'unsubscribe' }],
    ['退订', { type: 'unsubscribe' }],
    ['订阅', { type: 'resubscribe' }],
    ['晚上提醒', { type: 'preference', slot: 'evening', reminders: true }],
    ['你好', { type: 'help' }],
    ['', { type: 'help' }],
  ])('%j', (text, intent) => {
    expect(parseIntent(text, keywords)).toEqual(intent);
  });
});

describe('converse', () => {
  it('welcomes a new follower with the menu and makes them active', async () => {
    const { send, subscribers } = setup();
    const reply = await send({ kind: 'follow', scene: 'poster-1' });
    expect(reply).toContain('感谢关注');
    expect(reply).toContain('1 交通违法查询');
    expect(await subscribers.get(me)).toMatchObject({ status: 'active', scene: 'poster-1' });
  });

  it('binds a plate with the tail under the city’s letter rule, idempotently, up to three', async () => {
    const { say, subscribers } = setup();
    expect(await say('绑定 京AB123C')).toContain('已绑定 京A·B123C（北京，尾号0）');
    expect(await say('绑定 京AB123C')).toContain('已绑定。');
    expect((await subscribers.get(me))?.bindings).toHaveLength(1);
    await say('绑定 陕A1234Q 西安');
    expect((await subscribers.get(me))?.bindings.find((b) => b.city === 'xian')?.tail).toBe(4);
    await say('绑定 京A11111');
    expect(await say('绑定 京A22222')).toContain('最多可绑定 3 个车牌');
  });

  it('explains a bad plate in Chinese', async () => {
    const { say } = setup();
    expect(await say('绑定 京AI2345')).toBe('车牌序号中不含字母I和O，请重新发送，例如“绑定 京A12345”。');
    expect(await say('绑定 京A123')).toContain('号牌长度不对');
  });

  it('answers 限行 for the bound plates, and for a tail or a plate', async () => {
    const { say } = setup();
    await say('绑定 京A12345');
    const reply = await say('限行');
    expect(reply).toContain(
      '今天（11月16日 周一）北京限行尾号 0 和 5，07:00–20:00，五环路以内道路（不含五环路）。',
    );
    expect(reply).toContain('京A·12345（尾号5）限行');
    expect(await say('明天限行')).toContain('明天（11月17日 周二）北京限行尾号 1 和 6');
    expect(await say('尾号3')).toContain('尾号 3：不限行');
    expect(await say('京AD12345')).toContain('按规定不受限行');
  });

  it('says why a day is not restricted, and says unknown rather than guess', async () => {
    expect(await setup('2026-10-01T02:00:00Z').say('限行')).toContain('国庆节假期，北京不限行');
    expect(await setup('2026-10-10T02:00:00Z').say('限行')).toContain('调休上班日，北京不限行');
    expect(await setup('2027-01-05T02:00:00Z').say('限行')).toContain('暂时无法确认');
  });

  it('opts out with TD and back in with 订阅; the fan-out key follows', async () => {
    const { say, subscribers } = setup();
    await say('绑定 京A12345');
    const key = () =>
      subscribers.get(me).then((s) => {
        const segment = fanoutSegment(s!, s!.bindings[0]!);
        return segment && keys.fanout(segment);
      });
    expect(await key()).toMatch(/^beijing#5#morning#\d+$/);
    expect(await say('TD')).toContain('您已退订');
    expect(await key()).toBeNull();
    expect(await say('订阅')).toContain('已恢复订阅');
    expect(await key()).not.toBeNull();
    await say('晚上提醒');
    expect(await key()).toMatch(/^beijing#5#evening#/);
    await say('关闭提醒');
    expect(await key()).toBeNull();
  });

  it('stops pushes at once on unfollow and keeps an opt-out across a re-follow', async () => {
    const { say, send, subscribers } = setup();
    await say('绑定 京A12345');
    await send({ kind: 'unfollow' });
    expect(await subscribers.get(me)).toMatchObject({
      status: 'unfollowed',
      bindings: [{ plate: '京A12345' }],
    });
    await send({ kind: 'follow', scene: null });
    expect((await subscribers.get(me))?.status).toBe('active');
    await say('TD');
    await send({ kind: 'unfollow' });
    await send({ kind: 'follow', scene: null });
    expect((await subscribers.get(me))?.status).toBe('opted-out');
    // The follow event was lost: a message repairs the follow but keeps the opt-out.
    await send({ kind: 'unfollow' });
    await say('限行');
    expect((await subscribers.get(me))?.status).toBe('opted-out');
  });

  it('maps menu clicks to intents, and answers menu numbers and 路况', async () => {
    const { send, say, deps } = setup();
    expect(await send({ kind: 'click', key: 'XIANXING' })).toContain('北京限行尾号');
    expect(await say('4')).toContain('12122');
    expect(await say('路况')).toContain('目前没有正在发布的路况');
    deps.notices = {
      latestRoadCondition: async () => ({
        title: '长安街临时交通管制',
        summary: '今晚 20:00 起管制。',
        publishedAt: '2026-11-16T08:00:00Z',
      }),
    };
    expect(await say('路况')).toContain('【长安街临时交通管制】今晚 20:00 起管制。（发布于 11/16 16:00）');
  });

  it('keeps every reply within 600 characters', async () => {
    const { say, send } = setup();
    for (const text of ['你好', '限行', '1', '绑定 京A12345', '路况'])
      expect((await say(text))!.length).toBeLessThanOrEqual(600);
    expect((await send({ kind: 'follow', scene: null }))!.length).toBeLessThanOrEqual(600);
  });
});
