/**
 * What a citizen says, whatever the channel, and what we answer. WeChat and SMS adapters translate
 * their protocol into an `Inbound` and send the returned text; everything in between is here.
 *
 * Primary course of `converse`:
 *  1. events: follow (welcome + menu, status active), unfollow (stop pushes), menu click (an intent);
 *  2. text → intent: bind / unbind / restriction today or tomorrow, for a tail, for a plate /
 *     road conditions / menu number / unsubscribe / resubscribe / reminder preferences / help;
 *  3. apply the intent (each one idempotent: a retried message cannot bind twice) and reply in
 *     concise Chinese, at most 600 characters.
 */
import type { RestrictionAnswer } from '../../../schemas/restrictions.ts';
import type { KeywordReplies } from '../../../schemas/wechat.ts';
import { plateRestrictionOn, type RestrictionBook, restrictionOn, ruleOn } from '../restrictions/engine.ts';
import { type Plate, PlateError, parsePlate, tailDigit } from '../restrictions/plates.ts';
import {
  type Binding,
  MAX_BINDINGS,
  type SubscriberRef,
  type SubscriberRepository,
} from '../subscribers/subscriber.ts';
import type { Clock } from '../time.ts';
import { addDays, civilMinute, isoWeekday, today } from '../time.ts';

export type Inbound =
  | { kind: 'text'; text: string }
  | { kind: 'click'; key: string }
  | { kind: 'follow'; scene: string | null }
  | { kind: 'unfollow' };

export interface LatestNotice {
  title: string;
  summary: string;
  publishedAt: string;
}

export interface NoticeFeed {
  /** The latest published road-condition notice for a city, if any is in effect. */
  latestRoadCondition(city: string): Promise<LatestNotice | undefined>;
}

export interface ConversationDeps {
  subscribers: SubscriberRepository;
  restrictions: () => Promise<RestrictionBook>;
  notices: NoticeFeed;
  clock: Clock;
  keywords: KeywordReplies;
  account: { id: string; defaultCity: string };
  /**
   * SMS fallback for WeChat followers, where the SMS channel is configured: a code the phone that is
   * to receive the fallback texts back ("WX <code>"), which links it (see receive-sms).
   */
  smsFallback?: { start(ref: SubscriberRef): Promise<string> };
}

export type Intent =
  | { type: 'bind'; plate: string; city: string | null }
  | { type: 'unbind'; plate: string | null }
  | { type: 'restriction'; day: 'today' | 'tomorrow'; tail: number | null; plate: string | null }
  | { type: 'road' }
  | { type: 'keyword'; index: number }
  | { type: 'unsubscribe' }
  | { type: 'resubscribe' }
  | { type: 'preference'; reminders?: boolean; slot?: 'morning' | 'evening' }
  | { type: 'sms-fallback'; on: boolean }
  | { type: 'help' };

export const MAX_REPLY = 600;

const CITY_NAMES: Record<string, string> = {
  北京: 'beijing',
  天津: 'tianjin',
  西安: 'xian',
  杭州: 'hangzhou',
  成都: 'chengdu',
  兰州: 'lanzhou',
};

/** Full-width → half-width, trimmed, inner whitespace collapsed. */
function clean(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ');
}

export function parseIntent(raw: string, keywords: KeywordReplies): Intent {
  const text = clean(raw);
  const upper = text.toUpperCase();
  if (['TD', 'T', 'R', 'N', '退订', '取消订阅'].includes(upper)) return { type: 'unsubscribe' };
  if (['订阅', '恢复订阅', '恢复'].includes(text)) return { type: 'resubscribe' };
  if (text === '晚上提醒') return { type: 'preference', slot: 'evening', reminders: true };
  if (text === '早上提醒') return { type: 'preference', slot: 'morning', reminders: true };
  if (text === '关闭提醒') return { type: 'preference', reminders: false };
  if (text === '开启提醒') return { type: 'preference', reminders: true };
  if (text === '关闭短信备用') return { type: 'sms-fallback', on: false };
  if (text === '短信备用' || text === '开通短信备用') return { type: 'sms-fallback', on: true };
  const bind = /^(?:绑定|BD)\s*(.+)$/i.exec(text);
  if (bind) {
    const parts = bind[1]!.trim().split(' ');
    const last = parts.at(-1)!;
    const city = CITY_NAMES[last] ?? (/^[a-z]+$/.test(last) && parts.length > 1 ? last : null);
    return { type: 'bind', plate: (city ? parts.slice(0, -1) : parts).join(''), city };
  }
  const unbind = /^(?:解绑|解除绑定|JB)\s*(.*)$/i.exec(text);
  if (unbind) return { type: 'unbind', plate: unbind[1]!.trim() || null };
  if (/^(?:今日|今天)?限行$/.test(text) || text === '限行查询')
    return { type: 'restriction', day: 'today', tail: null, plate: null };
  if (/^(?:明天|明日)限行$/.test(text))
    return { type: 'restriction', day: 'tomorrow', tail: null, plate: null };
  if (['路况', '交通管制', '路况信息'].includes(text)) return { type: 'road' };
  const index = keywords.findIndex((k) => k.keys.includes(text));
  if (index >= 0) return { type: 'keyword', index };
  const tail = /^(?:尾号)?([0-9])(?:号)?$/.exec(text);
  if (tail) return { type: 'restriction', day: 'today', tail: Number(tail[1]), plate: null };
  try {
    const plate = parsePlate(text);
    return { type: 'restriction', day: 'today', tail: null, plate: plate.canonical };
  } catch {
    return { type: 'help' };
  }
}

const CLICK_KEYS: Record<string, string> = {
  XIANXING: '限行',
  XIANXING_TOMORROW: '明天限行',
  LUKUANG: '路况',
  BIND_HELP: '绑定帮助',
  UNSUBSCRIBE: '退订',
  HELP: '帮助',
};

const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

function dayLabel(date: string, day: 'today' | 'tomorrow'): string {
  const [, m, d] = date.split('-').map(Number);
  return `${day === 'today' ? '今天' : '明天'}（${m}月${d}日 ${WEEKDAYS[isoWeekday(date)]}）`;
}

function cityName(book: RestrictionBook, city: string): string {
  return book.cities.get(city)?.name ?? city;
}

/** One sentence about a city's day. */
export function describeDay(book: RestrictionBook, a: RestrictionAnswer, day: 'today' | 'tomorrow'): string {
  const name = cityName(book, a.city);
  const when = dayLabel(a.date, day);
  switch (a.reason) {
    case 'rule': {
      const windows = a.windows.map((w) => `${w.from}–${w.to}`).join('、');
      return `${when}${name}限行尾号 ${a.tails.join(' 和 ')}，${windows}，${a.area}。`;
    }
    case 'weekend':
      return `${when}是周末，${name}不限行。`;
    case 'holiday':
      return `${when}是${a.holiday}假期，${name}不限行。`;
    case 'makeup-workday':
      return `${when}是${a.holiday}调休上班日，${name}不限行。`;
    case 'suspended':
      return `${when}${name}暂停限行${a.notice?.reason ? `：${a.notice.reason}` : ''}。`;
    case 'no-rule':
    case 'no-calendar':
      return `${when}${name}的限行安排暂时无法确认（${a.reason === 'no-rule' ? '尚无现行限行规定数据' : '尚未发布当年节假日安排'}），请以交管部门公告为准。`;
  }
}

function plateLine(book: RestrictionBook, plate: Plate, city: string, date: string): string {
  const a = plateRestrictionOn(book, plate.canonical, city, date);
  if (a.status === 'unknown' || a.tail === null) return `${plate.display}：暂时无法确认。`;
  if (a.restricted) return `${plate.display}（尾号${a.tail}）限行，请合理安排出行。`;
  if (a.exemption && a.tails.includes(a.tail)) return `${plate.display}（尾号${a.tail}）按规定不受限行。`;
  return `${plate.display}（尾号${a.tail}）不限行。`;
}

/** "11/16 16:00": a publication time as a citizen in China reads it. */
const shanghaiTime = (iso: string) => civilMinute(new Date(iso));

function clip(text: string): string {
  return text.length <= MAX_REPLY ? text : `${text.slice(0, MAX_REPLY - 1)}…`;
}

export function helpText(keywords: KeywordReplies): string {
  const menu = keywords.map((k) => `${k.keys[0]} ${k.title}`).join('\n');
  return clip(
    `您好，这里是交警服务号。可以发送：\n限行 / 明天限行 — 查询限行\n绑定 京A12345 — 绑定车牌（最多${MAX_BINDINGS}个），限行日提醒\n解绑 京A12345 — 解除绑定\n路况 — 最新路况与交通管制\nTD — 退订提醒；订阅 — 恢复\n${menu}`,
  );
}

/** Applies one inbound message or event; returns the reply text, or null when nothing is to be said. */
export async function converse(
  ref: SubscriberRef,
  inbound: Inbound,
  deps: ConversationDeps,
): Promise<string | null> {
  const now = deps.clock.now().toISOString();
  if (inbound.kind === 'unfollow') {
    await deps.subscribers.unfollow(ref, now);
    return null;
  }
  if (inbound.kind === 'follow') {
    await deps.subscribers.follow(ref, deps.account.id, now, inbound.scene);
    return clip(`感谢关注！${helpText(deps.keywords)}`);
  }
  const subscriber = await deps.subscribers.touch(ref, deps.account.id, now);
  const text = inbound.kind === 'click' ? (CLICK_KEYS[inbound.key] ?? inbound.key) : inbound.text;
  const intent = parseIntent(text, deps.keywords);
  const date = today(deps.clock);

  switch (intent.type) {
    case 'help':
      return helpText(deps.keywords);
    case 'keyword':
      return clip(deps.keywords[intent.index]!.reply);
    case 'unsubscribe':
      await deps.subscribers.setStatus(ref, 'opted-out', now);
      return '您已退订，将不再收到限行提醒与通知推送。发送“订阅”可恢复。';
    case 'resubscribe':
      await deps.subscribers.setStatus(ref, 'active', now);
      return subscriber.bindings.length
        ? '已恢复订阅，限行日将为您推送提醒。'
        : '已恢复订阅。发送“绑定 京A12345”绑定车牌后，限行日将为您推送提醒。';
    case 'preference': {
      await deps.subscribers.setPreferences(ref, {
        ...(intent.reminders !== undefined ? { reminders: intent.reminders } : {}),
        ...(intent.slot ? { slot: intent.slot } : {}),
      });
      if (intent.reminders === false) return '已关闭限行提醒。发送“开启提醒”可重新开启。';
      const slot = intent.slot ?? subscriber.slot;
      return slot === 'evening'
        ? '好的，将在限行日前一天 20:00 提醒您。'
        : '好的，将在限行日当天 07:00 提醒您。';
    }
    case 'sms-fallback': {
      if (ref.channel !== 'wechat' || !deps.smsFallback) return '本号暂未开通短信备用提醒。';
      if (!intent.on) {
        await deps.subscribers.setPreferences(ref, { smsFallback: null });
        return '已关闭短信备用提醒。';
      }
      const code = await deps.smsFallback.start(ref);
      return `请用接收提醒的手机发送短信“WX ${code}”到交警短信服务号码（10分钟内有效）。开通后，微信消息无法送达时，限行提醒与重要通知将以短信发送；每条短信均可回复TD退订。`;
    }
    case 'road': {
      const notice = await deps.notices.latestRoadCondition(deps.account.defaultCity);
      if (!notice) return '目前没有正在发布的路况或交通管制信息。出行前也可关注导航软件的实时路况。';
      return clip(`【${notice.title}】${notice.summary}（发布于 ${shanghaiTime(notice.publishedAt)}）`);
    }
    case 'bind': {
      const book = await deps.restrictions();
      const city = intent.city ?? deps.account.defaultCity;
      if (!book.cities.has(city))
        return `暂不支持该城市的限行查询。支持：${[...book.cities.values()].map((c) => c.name).join('、')}。`;
      let plate: Plate;
      try {
        plate = parsePlate(intent.plate);
      } catch (e) {
        if (e instanceof PlateError) return `${e.zh}，请重新发送，例如“绑定 京A12345”。`;
        throw e;
      }
      const rule = ruleOn(book, city, date) ?? book.cities.get(city)!.rules.at(-1)!;
      const binding: Binding = {
        plate: plate.canonical,
        city,
        tail: tailDigit(plate, rule.letterTail),
        nev: plate.nev !== null,
        boundAt: now,
      };
      const outcome = await deps.subscribers.bind(ref, binding);
      if (outcome === 'limit-reached')
        return `最多可绑定 ${MAX_BINDINGS} 个车牌。请先发送“解绑 车牌号”解除一个。`;
      const head =
        outcome === 'already-bound'
          ? `${plate.display} 已绑定。`
          : `已绑定 ${plate.display}（${cityName(book, city)}，尾号${binding.tail}）。`;
      const status =
        subscriber.status === 'opted-out'
          ? '您已退订推送，发送“订阅”可恢复提醒。'
          : '限行日当天 07:00 为您推送提醒。';
      return clip(`${head}${status}\n${plateLine(book, plate, city, date)}`);
    }
    case 'unbind': {
      let plate: string | undefined;
      if (intent.plate) {
        try {
          plate = parsePlate(intent.plate).canonical;
        } catch (e) {
          if (e instanceof PlateError) return `${e.zh}，请重新发送，例如“解绑 京A12345”。`;
          throw e;
        }
      }
      const removed = await deps.subscribers.unbind(ref, plate);
      if (removed.length === 0) return plate ? '没有找到这个已绑定的车牌。' : '您还没有绑定车牌。';
      return `已解除绑定：${removed.join('、')}。`;
    }
    case 'restriction': {
      const book = await deps.restrictions();
      const on = intent.day === 'today' ? date : addDays(date, 1);
      const bindings = subscriber.bindings;
      const cities =
        intent.plate || intent.tail !== null || bindings.length === 0
          ? [deps.account.defaultCity]
          : [...new Set(bindings.map((b) => b.city))];
      const lines = cities
        .filter((c) => book.cities.has(c))
        .map((c) => describeDay(book, restrictionOn(book, c, on), intent.day));
      if (intent.plate) {
        lines.push(plateLine(book, parsePlate(intent.plate), deps.account.defaultCity, on));
      } else if (intent.tail !== null) {
        const a = restrictionOn(book, deps.account.defaultCity, on);
        if (a.status !== 'unknown')
          lines.push(
            `尾号 ${intent.tail}：${a.status === 'restricted' && a.tails.includes(intent.tail) ? '限行' : '不限行'}。`,
          );
      } else if (bindings.length) {
        for (const b of bindings) lines.push(plateLine(book, parsePlate(b.plate), b.city, on));
      } else {
        lines.push('发送“绑定 京A12345”绑定车牌，限行日为您推送提醒。');
      }
      return clip(lines.join('\n'));
    }
  }
}
