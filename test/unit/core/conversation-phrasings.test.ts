/**
 * What people actually send, and the exact answer, against the shipped restriction data at fixed
 * instants. Each row starts a fresh follower (or SMS number), says its `before` messages, then the
 * phrase. The expected answers were worked out from the published rules (docs: the reference
 * tables of each city), not from the code:
 *   Mon 2026-11-16, Beijing and Tianjin (period 2026-09-28 → 12-27): Mon 5/0, Tue 1/6, Wed 2/7,
 *   Thu 3/8, Fri 4/9; Xi'an has no rule after 2026-11-06; Hangzhou Mon 1/9; Chengdu, Lanzhou Mon 1/6.
 *   Mon 2026-05-25, Beijing (period 03-30 → 06-28): Mon 2/7; Xi'an (2025-11-10 → 2026-11-06) Mon 1/6;
 *   端午 2026-06-19; Hangzhou's rule starts 2026-08-20.
 *   Sun 2026-12-20: no 2027 holiday calendar is published.
 */
import { describe, expect, it } from 'vitest';
import {
  type ConversationDeps,
  cityNamesOf,
  converse,
  MAX_REPLY,
  parseIntent,
} from '../../../functions/core/conversation/converse.ts';
import { openBook } from '../../../functions/core/restrictions/engine.ts';
import { fixedClock } from '../../../functions/core/time.ts';
import { shippedRestrictionData } from '../../../schemas/data/index.ts';
import keywordData from '../../../schemas/data/keywords.json' with { type: 'json' };
import { KeywordRepliesSchema } from '../../../schemas/wechat.ts';
import { MemorySubscriberRepository } from '../../fixtures/memory/subscribers.ts';

const keywords = KeywordRepliesSchema.parse(keywordData);
const book = openBook(shippedRestrictionData);

const MON = '2026-11-16T01:00:00Z'; // Mon 09:00 Asia/Shanghai
const MAY = '2026-05-25T01:00:00Z'; // Mon 09:00
const DEC = '2026-12-20T12:00:00Z'; // Sun 20:00
const OCT = '2026-10-08T02:00:00Z'; // Thu 10:00: the 国庆 make-up Saturday is the day after tomorrow

const BJ = '07:00–20:00，五环路以内道路（不含五环路）。';
const TJ = '07:00–19:00，外环线以内道路（不含外环线）。';
const XA =
  '07:00–20:00，以西安绕城高速以内区域为中心，向南扩展至终南大道、堰渡路、三星快速干道连线（不含）以北，西汉高速以东、西柞高速以西围合区域；向北扩展至西咸北环线（不含）以南、延西高速以东、西禹高速以西围合区域。';
const HZ =
  '07:00–09:00、16:30–18:30，错峰限行区域（留祥路—石祥路—石桥路—秋涛路—复兴路—虎跑路—满觉陇路—玉泉路—天目山路—古墩路合围区域）；高架快速路 07:00–10:00、16:00–19:00。';
const HINT = '发送“绑定 京A12345”绑定车牌，限行日当天限行开始前为您推送提醒。';
const KNOWN = '北京、天津、西安、杭州、成都、兰州';
const RANGE_1116 = '可以查询今天（11月16日）起 30 天内的限行，例如“明天限行”“周五限行”。';
const PLATE_AGAIN = '。请检查后重新发送，例如“京A12345”或“明天 京A12345”。';
const XA_UNKNOWN =
  '今天（11月16日 周一）西安的限行安排暂时无法确认（尚无现行限行规定数据），请以交管部门公告为准。';
const NOT_SERVED_HZ =
  '本号暂不推送杭州的限行提醒，可随时发送“杭州限行”查询；提供提醒的城市：北京、天津、西安。';
const lines = (...l: string[]) => l.join('\n');

interface Row {
  text: string;
  at?: string;
  channel?: 'wechat' | 'sms';
  before?: string[];
  /** The exact reply, or lines it must contain. */
  reply: string | { contains: string[] };
}

const rows: Row[] = [
  // A city, in any order, with or without 市 and question words
  { text: '限行', reply: lines(`今天（11月16日 周一）北京限行尾号 0 和 5，${BJ}`, HINT) },
  { text: '西安限行', reply: XA_UNKNOWN },
  { text: '限行 西安', reply: XA_UNKNOWN },
  { text: '西安市今天限行吗？', reply: XA_UNKNOWN },
  {
    text: '天津限行',
    reply: lines(
      `今天（11月16日 周一）天津限行尾号 0 和 5，${TJ}`,
      '发送“绑定 津A12345 天津”绑定车牌，限行日当天限行开始前为您推送提醒。',
    ),
  },
  { text: '杭州限行', reply: `今天（11月16日 周一）杭州限行尾号 1 和 9，${HZ}` },
  {
    text: '成都今天限不限行',
    reply:
      '今天（11月16日 周一）成都限行尾号 1 和 6，07:30–20:00，成都绕城高速公路（G4202，不含）以内所有道路。',
  },
  { text: '兰州限号', reply: '今天（11月16日 周一）兰州限行尾号 1 和 6，07:30–20:00，城区规定限行区域。' },
  // Cities we have no data for
  { text: '上海限行', reply: `暂时没有上海的限行数据。目前可以查询的城市：${KNOWN}。` },
  { text: '请问深圳明天限行吗', reply: `暂时没有深圳的限行数据。目前可以查询的城市：${KNOWN}。` },
  { text: '限行 廊坊市', reply: `暂时没有廊坊的限行数据。目前可以查询的城市：${KNOWN}。` },
  {
    text: '北京和上海限行',
    reply: lines(`今天（11月16日 周一）北京限行尾号 0 和 5，${BJ}`, HINT, '暂时没有上海的限行数据。'),
  },
  // Dates
  { text: '明天限行', reply: lines(`明天（11月17日 周二）北京限行尾号 1 和 6，${BJ}`, HINT) },
  { text: '后天限行', reply: lines(`后天（11月18日 周三）北京限行尾号 2 和 7，${BJ}`, HINT) },
  { text: '周五限行', reply: lines(`11月20日（周五）北京限行尾号 4 和 9，${BJ}`, HINT) },
  { text: '下周五限行吗', reply: lines(`11月27日（周五）北京限行尾号 4 和 9，${BJ}`, HINT) },
  { text: '星期六限行吗', reply: lines('11月21日（周六）是周末，北京不限行。', HINT) },
  { text: '礼拜一限行', reply: lines(`今天（11月16日 周一）北京限行尾号 0 和 5，${BJ}`, HINT) },
  { text: '12月16日限行', reply: lines(`12月16日（周三）北京限行尾号 2 和 7，${BJ}`, HINT) },
  { text: '2026-12-02 限行', reply: lines(`12月2日（周三）北京限行尾号 2 和 7，${BJ}`, HINT) },
  { text: '11/19限行', reply: lines(`11月19日（周四）北京限行尾号 3 和 8，${BJ}`, HINT) },
  { text: '二十号限行吗', reply: lines(`11月20日（周五）北京限行尾号 4 和 9，${BJ}`, HINT) },
  // Dates we do not answer, and why
  { text: '6月1日限行', reply: `6月1日已经过去。${RANGE_1116}` },
  { text: '12-17限行', reply: `12月17日超出可查询的范围。${RANGE_1116}` },
  { text: '2027-01-20 限行', reply: `2027年1月20日超出可查询的范围。${RANGE_1116}` },
  { text: '2月30日限行', reply: `没有2月30日这一天，请检查日期后重新发送。${RANGE_1116}` },
  { text: '上周五限行吗', reply: `11月13日已经过去。${RANGE_1116}` },
  // Plates
  {
    text: '京A12345',
    reply: lines(
      `今天（11月16日 周一）北京限行尾号 0 和 5，${BJ}`,
      '京A·12345（尾号5）限行，请合理安排出行。',
    ),
  },
  {
    text: '京AD12345',
    reply: lines(`今天（11月16日 周一）北京限行尾号 0 和 5，${BJ}`, '京A·D12345（尾号5）按规定不受限行。'),
  },
  {
    text: '京A1235警',
    reply: lines(`今天（11月16日 周一）北京限行尾号 0 和 5，${BJ}`, '京A·1235警（尾号5）按规定不受限行。'),
  },
  {
    text: '京AB123C限行吗',
    reply: lines(
      `今天（11月16日 周一）北京限行尾号 0 和 5，${BJ}`,
      '京A·B123C（尾号0）限行，请合理安排出行。',
    ),
  },
  { text: '西安 陕A12345', reply: lines(XA_UNKNOWN, '陕A·12345：暂时无法确认。') },
  {
    text: '浙A12349杭州',
    reply: lines(
      `今天（11月16日 周一）杭州限行尾号 1 和 9，${HZ}`,
      '浙A·12349（尾号9）限行，请合理安排出行。',
    ),
  },
  // Mixed orders: date + plate (+ city), spaces or none
  {
    text: '12月5日 京A12345',
    reply: lines('12月5日（周六）是周末，北京不限行。', '京A·12345（尾号5）不限行。'),
  },
  {
    text: '京A12345 12月4日',
    reply: lines(`12月4日（周五）北京限行尾号 4 和 9，${BJ}`, '京A·12345（尾号5）不限行。'),
  },
  {
    text: '12月3号京A12343限行吗',
    reply: lines(`12月3日（周四）北京限行尾号 3 和 8，${BJ}`, '京A·12343（尾号3）限行，请合理安排出行。'),
  },
  {
    text: '明天 天津 津A12341',
    reply: lines(
      `明天（11月17日 周二）天津限行尾号 1 和 6，${TJ}`,
      '津A·12341（尾号1）限行，请合理安排出行。',
    ),
  },
  {
    text: '京A12345 京B54321 明天',
    reply: lines(
      `明天（11月17日 周二）北京限行尾号 1 和 6，${BJ}`,
      '京A·12345（尾号5）不限行。',
      '京B·54321（尾号1）限行，请合理安排出行。',
    ),
  },
  // Tails
  { text: '尾号3', reply: lines(`今天（11月16日 周一）北京限行尾号 0 和 5，${BJ}`, '尾号 3：不限行。') },
  {
    text: '明天尾号6限行吗',
    reply: lines(`明天（11月17日 周二）北京限行尾号 1 和 6，${BJ}`, '尾号 6：限行。'),
  },
  { text: '天津尾号5', reply: lines(`今天（11月16日 周一）天津限行尾号 0 和 5，${TJ}`, '尾号 5：限行。') },
  // Almost-plates: the specific problem
  { text: '京AI2345', reply: `车牌序号中不含字母I和O${PLATE_AGAIN}` },
  { text: '京A1234O 限行', reply: `车牌序号中不含字母I和O${PLATE_AGAIN}` },
  { text: 'A12345', reply: `车牌第一个字应为省份简称（如京、陕）${PLATE_AGAIN}` },
  { text: '港A12345限行吗', reply: `车牌第一个字应为省份简称（如京、陕）${PLATE_AGAIN}` },
  {
    text: '京A123',
    reply: `号牌长度不对：普通号牌7位（如京A12345），新能源号牌8位（如京AD12345）${PLATE_AGAIN}`,
  },
  {
    text: '京AD123456',
    reply: `号牌长度不对：普通号牌7位（如京A12345），新能源号牌8位（如京AD12345）${PLATE_AGAIN}`,
  },
  {
    text: '京AZ12345',
    reply: `新能源号牌格式不对：应为字母D、F等加5位（如京AD12345），或5位数字加D、F等（如京A12345D）${PLATE_AGAIN}`,
  },
  { text: '京112345', reply: `车牌第二位应为发牌机关字母（如京A12345中的A）${PLATE_AGAIN}` },
  // Full-width input
  {
    text: '京Ａ１２３４５',
    reply: lines(
      `今天（11月16日 周一）北京限行尾号 0 和 5，${BJ}`,
      '京A·12345（尾号5）限行，请合理安排出行。',
    ),
  },
  { text: '６月１日限行', reply: `6月1日已经过去。${RANGE_1116}` },
  { text: '明天　限行', reply: lines(`明天（11月17日 周二）北京限行尾号 1 和 6，${BJ}`, HINT) },
  { text: 'ＴＤ', reply: '您已退订，将不再收到限行提醒与通知推送。发送“订阅”可恢复。' },
  // Binding: the slot chosen, and a reminder only where a schedule sends it
  {
    text: '绑定 京A12345',
    reply: lines(
      '已绑定 京A·12345（北京，尾号5）。限行日当天限行开始前为您推送提醒。',
      '京A·12345（尾号5）限行，请合理安排出行。',
    ),
  },
  {
    text: '绑定 京A12345',
    before: ['晚上提醒'],
    reply: lines(
      '已绑定 京A·12345（北京，尾号5）。限行日前一天 20:00 起为您推送提醒。',
      '京A·12345（尾号5）限行，请合理安排出行。',
    ),
  },
  {
    text: '绑定 京A12345',
    before: ['TD'],
    reply: lines(
      '已绑定 京A·12345（北京，尾号5）。您已退订推送，发送“订阅”可恢复提醒。',
      '京A·12345（尾号5）限行，请合理安排出行。',
    ),
  },
  {
    text: '绑定 京A12345',
    before: ['关闭提醒'],
    reply: lines(
      '已绑定 京A·12345（北京，尾号5）。限行提醒已关闭，发送“开启提醒”可开启。',
      '京A·12345（尾号5）限行，请合理安排出行。',
    ),
  },
  {
    text: '绑定 浙A12345 杭州',
    reply: lines(`已绑定 浙A·12345（杭州，尾号5）。${NOT_SERVED_HZ}`, '浙A·12345（尾号5）不限行。'),
  },
  {
    text: '绑定 陕A1234Q 西安',
    reply: lines(
      '已绑定 陕A·1234Q（西安，尾号4）。限行日当天限行开始前为您推送提醒。（西安的现行限行规定尚未收录，收录前不会推送。）',
      '陕A·1234Q：暂时无法确认。',
    ),
  },
  {
    text: '绑定 京AD12345',
    reply: '已绑定 京A·D12345（北京，尾号5）。该车牌按现行规定不受尾号限行，无需提醒。',
  },
  { text: '绑定 沪A12345 上海', reply: `暂时没有“上海”的限行数据，无法按该城市绑定。可选城市：${KNOWN}。` },
  { text: '绑定 京AI2345', reply: '车牌序号中不含字母I和O，请重新发送，例如“绑定 京A12345”。' },
  // Preferences and resubscribing promise only what will happen
  { text: '晚上提醒', before: ['绑定 京A12345'], reply: '好的，限行日前一天 20:00 起为您推送提醒。' },
  {
    text: '晚上提醒',
    reply:
      '已设置为限行日前一天 20:00 起提醒。发送“绑定 京A12345”绑定车牌后生效（提醒城市：北京、天津、西安）。',
  },
  {
    text: '早上提醒',
    before: ['TD'],
    reply: '已设置为限行日当天限行开始前提醒。您目前已退订推送，发送“订阅”恢复后生效。',
  },
  {
    text: '开启提醒',
    before: ['绑定 浙A12349 杭州'],
    reply: `已设置为限行日当天限行开始前提醒。${NOT_SERVED_HZ}`,
  },
  { text: '订阅', before: ['绑定 京A12345', 'TD'], reply: '已恢复订阅。限行日当天限行开始前为您推送提醒。' },
  { text: '订阅', before: ['绑定 浙A12349 杭州', 'TD'], reply: `已恢复订阅。${NOT_SERVED_HZ}` },
  {
    text: '订阅',
    before: ['绑定 京A12345', '绑定 浙A12349 杭州', '晚上提醒', 'TD'],
    reply: `已恢复订阅。北京的车牌限行日前一天 20:00 起为您推送提醒。${NOT_SERVED_HZ}`,
  },
  {
    text: '订阅',
    reply: '已恢复订阅。发送“绑定 京A12345”绑定车牌，北京、天津、西安的车牌限行日可收到提醒。',
  },
  // The follower's own plates and cities
  {
    text: '限行',
    before: ['绑定 京A12345'],
    reply: lines(
      `今天（11月16日 周一）北京限行尾号 0 和 5，${BJ}`,
      '京A·12345（尾号5）限行，请合理安排出行。',
    ),
  },
  {
    text: '浙A12349',
    before: ['绑定 浙A12349 杭州'],
    reply: lines(
      `今天（11月16日 周一）杭州限行尾号 1 和 9，${HZ}`,
      '浙A·12349（尾号9）限行，请合理安排出行。',
    ),
  },
  {
    text: '浙A12349 北京',
    before: ['绑定 浙A12349 杭州'],
    reply: lines(`今天（11月16日 周一）北京限行尾号 0 和 5，${BJ}`, '浙A·12349（尾号9）不限行。'),
  },
  // Road conditions: the follower's bound city, or the one named
  { text: '路况', reply: '【长安街临时交通管制】今晚 20:00 起管制。（发布于 11/16 16:00）' },
  {
    text: '天津路况',
    reply: lines('天津：目前没有正在发布的路况或交通管制信息。', '出行前也可关注导航软件的实时路况。'),
  },
  {
    text: '路况',
    before: ['绑定 津A12345 天津'],
    reply: lines('天津：目前没有正在发布的路况或交通管制信息。', '出行前也可关注导航软件的实时路况。'),
  },
  { text: '上海路况', reply: '暂时没有上海的路况与交通管制信息。发送“路况”可查看北京的最新路况。' },
  // What keeps working
  { text: '4', reply: '紧急情况请拨打：报警 110，急救 120，火警 119，高速公路救援 12122。' },
  {
    text: '绑定帮助',
    reply:
      '发送“绑定 京A12345”即可绑定车牌（最多 3 个），另一城市的车牌加城市名，如“绑定 陕A12345 西安”。北京、天津、西安的车牌限行日当天限行开始前收到提醒（发送“晚上提醒”改为前一天 20:00 起）。发送“解绑 京A12345”解除绑定。',
  },
  {
    text: '你好',
    reply: {
      contains: [
        '限行 / 明天限行 / 周五限行 — 查询限行，可带城市、日期、车牌，如“西安限行”“明天 京A12345”',
        '绑定 京A12345 — 绑定车牌（最多3个）；北京、天津、西安的车牌限行日提醒',
        '6 绑定车牌',
      ],
    },
  },
  { text: '明天下雨吗', reply: { contains: ['您好，这里是交警服务号。可以发送：'] } },
  // SMS-style input, through the same conversation
  {
    text: 'BD 京A12345',
    channel: 'sms',
    reply: lines(
      '已绑定 京A·12345（北京，尾号5）。限行日当天限行开始前为您推送提醒。',
      '京A·12345（尾号5）限行，请合理安排出行。',
    ),
  },
  {
    text: 'bd陕A1234Q西安',
    channel: 'sms',
    reply: { contains: ['已绑定 陕A·1234Q（西安，尾号4）。'] },
  },
  {
    text: '京a12345 明天',
    channel: 'sms',
    reply: lines(`明天（11月17日 周二）北京限行尾号 1 和 6，${BJ}`, '京A·12345（尾号5）不限行。'),
  },
  { text: 'td', channel: 'sms', reply: '您已退订，将不再收到限行提醒与通知推送。发送“订阅”可恢复。' },
  { text: 'R', channel: 'sms', reply: '您已退订，将不再收到限行提醒与通知推送。发送“订阅”可恢复。' },
  // Other days
  { at: MAY, text: '6月1日限行', reply: lines(`6月1日（周一）北京限行尾号 2 和 7，${BJ}`, HINT) },
  {
    at: MAY,
    text: '6月1日 西安',
    reply: lines(
      `6月1日（周一）西安限行尾号 1 和 6，${XA}`,
      '发送“绑定 陕A12345 西安”绑定车牌，限行日当天限行开始前为您推送提醒。',
    ),
  },
  {
    at: MAY,
    text: '6月1日 陕AD12341 西安',
    reply: lines(`6月1日（周一）西安限行尾号 1 和 6，${XA}`, '陕A·D12341（尾号1）按规定不受限行。'),
  },
  { at: MAY, text: '6月19号限行吗', reply: lines('6月19日（周五）是端午节假期，北京不限行。', HINT) },
  {
    at: MAY,
    text: '杭州限行',
    reply: '今天（5月25日 周一）杭州的限行安排暂时无法确认（尚无现行限行规定数据），请以交管部门公告为准。',
  },
  {
    at: DEC,
    text: '1月5日限行',
    reply:
      '2027年1月5日（周二）北京的限行安排暂时无法确认（尚未发布当年节假日安排），请以交管部门公告为准。\n' +
      HINT,
  },
  { at: DEC, text: '明天限行', reply: lines(`明天（12月21日 周一）北京限行尾号 0 和 5，${BJ}`, HINT) },
  { at: DEC, text: '周末限行吗', reply: lines('今天（12月20日 周日）是周末，北京不限行。', HINT) },
  { at: OCT, text: '周六限行', reply: lines('后天（10月10日 周六）是国庆节调休上班日，北京不限行。', HINT) },
];

const road = {
  latestRoadCondition: async (city: string) =>
    city === 'beijing'
      ? { title: '长安街临时交通管制', summary: '今晚 20:00 起管制。', publishedAt: '2026-11-16T08:00:00Z' }
      : undefined,
};

async function play(row: Row): Promise<string | null> {
  const deps: ConversationDeps = {
    subscribers: new MemorySubscriberRepository(),
    restrictions: async () => book,
    notices: road,
    clock: fixedClock(row.at ?? MON),
    keywords,
    account: { id: row.channel === 'sms' ? 'sms' : 'dev', defaultCity: 'beijing' },
    reminderCities: new Set(['beijing', 'tianjin', 'xian']),
  };
  const ref = { channel: row.channel ?? ('wechat' as const), id: 'o-table' };
  for (const text of row.before ?? []) await converse(ref, { kind: 'text', text }, deps);
  return converse(ref, { kind: 'text', text: row.text }, deps);
}

describe('what people send, and what they are told', () => {
  it('has at least 40 phrasings', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
  });

  it.each(
    rows.map(
      (r) =>
        [
          `${r.at?.slice(0, 10) ?? '2026-11-16'} ${r.channel ?? 'wechat'}${r.before ? ` after ${r.before.join(' / ')}` : ''}: ${r.text}`,
          r,
        ] as const,
    ),
  )('%s', async (_name, row) => {
    const reply = await play(row);
    expect(reply).not.toBeNull();
    expect(reply!.length).toBeLessThanOrEqual(MAX_REPLY);
    if (typeof row.reply === 'string') expect(reply).toBe(row.reply);
    else for (const line of row.reply.contains) expect(reply).toContain(line);
    // The SMS path decides what to send from the intent it reads without the city names.
    const names = cityNamesOf(book);
    expect(parseIntent(row.text, keywords).type).toBe(parseIntent(row.text, keywords, names).type);
  });
});
