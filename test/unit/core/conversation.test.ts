import { describe, expect, it } from 'vitest';
import { keys } from '../../../functions/adapters/dynamodb/keys.ts';
import {
  type ConversationDeps,
  cityNamesOf,
  converse,
  type Inbound,
  parseIntent,
  readsAhead,
} from '../../../functions/core/conversation/converse.ts';
import { openBook } from '../../../functions/core/restrictions/engine.ts';
import { fanoutSegment } from '../../../functions/core/subscribers/fanout.ts';
import { fixedClock } from '../../../functions/core/time.ts';
import { shippedRestrictionData } from '../../../schemas/data/index.ts';
import keywordData from '../../../schemas/data/keywords.json' with { type: 'json' };
import { KeywordRepliesSchema } from '../../../schemas/wechat.ts';
import { MemorySubscriberRepository } from '../../fixtures/memory/subscribers.ts';

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
    reminderCities: new Set(['beijing', 'tianjin', 'xian']),
  };
  const say = (text: string) => converse(me, { kind: 'text', text }, deps);
  const send = (inbound: Inbound) => converse(me, inbound, deps);
  return { subscribers, deps, say, send };
}

const names = cityNamesOf(book);
const today = { kind: 'offset', days: 0 };
const ask = (fields: Record<string, unknown>) => ({
  type: 'restriction',
  when: today,
  cities: [],
  tail: null,
  plates: [],
  issue: null,
  ...fields,
});

describe('parseIntent', () => {
  it.each([
    ['绑定 京A12345', { type: 'bind', plate: '京A12345', city: null }],
    ['BD 京a·12345', { type: 'bind', plate: '京a·12345', city: null }],
    ['bd 陕A1234Q 西安', { type: 'bind', plate: '陕A1234Q', city: 'xian' }],
    ['绑定西安陕A1234Q', { type: 'bind', plate: '陕A1234Q', city: 'xian' }],
    ['bd 陕A1234Q xian', { type: 'bind', plate: '陕A1234Q', city: 'xian' }],
    ['绑定 沪A12345 上海', { type: 'bind', plate: '沪A12345', city: '上海' }],
    ['绑定京A12345', { type: 'bind', plate: '京A12345', city: null }],
    ['绑定帮助', { type: 'keyword', index: 5 }],
    ['解绑', { type: 'unbind', plate: null }],
    ['解绑 京A12345', { type: 'unbind', plate: '京A12345' }],
    ['限行', ask({})],
    ['今日限行', ask({})],
    ['限行查询', ask({})],
    ['明天限行', ask({ when: { kind: 'offset', days: 1 } })],
    ['后天限行吗？', ask({ when: { kind: 'offset', days: 2 } })],
    ['下周五限行', ask({ when: { kind: 'weekday', weekday: 5, week: 'next' } })],
    ['星期天限行吗', ask({ when: { kind: 'weekday', weekday: 7, week: 'coming' } })],
    ['这周三限不限行', ask({ when: { kind: 'weekday', weekday: 3, week: 'this' } })],
    ['6月1日限行', ask({ when: { kind: 'calendar', year: null, month: 6, day: 1 } })],
    ['十二月五号限行', ask({ when: { kind: 'calendar', year: null, month: 12, day: 5 } })],
    ['2026-12-05 限行', ask({ when: { kind: 'calendar', year: 2026, month: 12, day: 5 } })],
    ['12/5限行', ask({ when: { kind: 'calendar', year: null, month: 12, day: 5 } })],
    ['20号限行吗', ask({ when: { kind: 'calendar', year: null, month: null, day: 20 } })],
    ['西安限行', ask({ cities: ['xian'] })],
    ['限行 西安市', ask({ cities: ['xian'] })],
    ['北京天津限行', ask({ cities: ['beijing', 'tianjin'] })],
    ['上海限行', ask({ issue: { kind: 'unknown-city', name: '上海' } })],
    [
      '廊坊市明天限行吗',
      ask({ when: { kind: 'offset', days: 1 }, issue: { kind: 'unknown-city', name: '廊坊' } }),
    ],
    ['尾号0', ask({ tail: 0 })],
    ['0', ask({ tail: 0 })],
    ['明天尾号3限行吗', ask({ when: { kind: 'offset', days: 1 }, tail: 3 })],
    ['京A12345', ask({ plates: ['京A12345'] })],
    [
      '京A 12345 6月1日',
      ask({ when: { kind: 'calendar', year: null, month: 6, day: 1 }, plates: ['京A12345'] }),
    ],
    [
      '12月5日京A12345西安',
      ask({
        when: { kind: 'calendar', year: null, month: 12, day: 5 },
        cities: ['xian'],
        plates: ['京A12345'],
      }),
    ],
    ['京AI2345', ask({ issue: { kind: 'plate', code: 'letters-i-o', zh: '车牌序号中不含字母I和O' } })],
    [
      '港A12345限行',
      ask({ issue: { kind: 'plate', code: 'province', zh: '车牌第一个字应为省份简称（如京、陕）' } }),
    ],
    ['路况', { type: 'road', city: null, unknownCity: null }],
    ['天津路况', { type: 'road', city: 'tianjin', unknownCity: null }],
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
    ['明天下雨吗', { type: 'help' }],
    ['', { type: 'help' }],
  ])('%j', (text, intent) => {
    expect(parseIntent(text, keywords, names)).toEqual(intent);
  });

  it('reads commands the same without the city names (the SMS path decides on them before conversing)', () => {
    for (const text of ['TD', '订阅', '绑定 陕A1234Q 西安', '西安限行', '上海限行', '京AI2345', '路况', '6'])
      expect(parseIntent(text, keywords).type).toBe(parseIntent(text, keywords, names).type);
    expect(parseIntent('BD 陕A1234Q 西安', keywords)).toMatchObject({ type: 'bind', plate: '陕A1234Q' });
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

describe('parseIntent on long input', () => {
  it('gives the menu for a message far longer than a question, quickly', () => {
    const started = performance.now();
    expect(parseIntent(`京A ${'1 '.repeat(30_000)}`, keywords, names)).toEqual({ type: 'help' });
    expect(parseIntent('限行'.repeat(100), keywords, names)).toEqual({ type: 'help' });
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('what a message reads ahead of the claim (readsAhead)', () => {
  const text = (t: string): Inbound => ({ kind: 'text', text: t });
  it.each([
    // A satisfaction score (1–3) reads the latest case; menu 1 also asks for the violations.
    [text('1'), { desk: true, drivers: true }],
    [text('2'), { desk: true, drivers: false }],
    [text('4'), { desk: false, drivers: false }],
    [text('违法'), { desk: false, drivers: true }],
    [text('记分'), { desk: false, drivers: true }],
    // What the conversation does not understand may follow up the citizen's case.
    [text('帮助'), { desk: true, drivers: false }],
    [text('限行'), { desk: false, drivers: false }],
    [text('路况'), { desk: false, drivers: false }],
    [{ kind: 'click', key: 'XIANXING' } as Inbound, { desk: false, drivers: false }],
    [
      {
        kind: 'attachment',
        attachment: { type: 'image', mediaId: 'm', url: 'https://mmbiz.qpic.cn/x' },
      } as Inbound,
      { desk: true, drivers: false },
    ],
    [{ kind: 'follow', scene: null } as Inbound, { desk: false, drivers: false }],
  ])('%j', (inbound, wants) => {
    expect(readsAhead(inbound, keywords)).toEqual(wants);
  });
});
