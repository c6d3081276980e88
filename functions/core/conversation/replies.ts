/**
 * The sentences the conversation says, each one true: a day's restriction as the engine answers it
 * (and "cannot confirm" where it cannot), a plate's answer, and reminders promised only where a
 * schedule will send them (a served city, the subscriber's slot, pushes on). Pure.
 */
import type { RestrictionAnswer } from '../../../schemas/restrictions.ts';
import type { KeywordReplies } from '../../../schemas/wechat.ts';
import { plateRestrictionOn, type RestrictionBook } from '../restrictions/engine.ts';
import type { Plate } from '../restrictions/plates.ts';
import { MAX_BINDINGS, type ReminderSlot, type Subscriber } from '../subscribers/subscriber.ts';
import { daysBetween, isoWeekday } from '../time.ts';
import { MAX_DAYS_AHEAD, type ResolvedDate, type When } from './dates.ts';

export const MAX_REPLY = 600;

export function clip(text: string): string {
  return text.length <= MAX_REPLY ? text : `${text.slice(0, MAX_REPLY - 1)}…`;
}

const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const RELATIVE = ['今天', '明天', '后天'];

/** "12月5日", or "2027年1月5日" when it is not this year. */
export function monthDay(date: string, today: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y === Number(today.slice(0, 4)) ? '' : `${y}年`}${m}月${d}日`;
}

/** "今天（11月16日 周一）", "后天（11月18日 周三）", "11月20日（周五）". */
export function dayLabel(date: string, today: string): string {
  const offset = daysBetween(today, date);
  const relative = RELATIVE[offset];
  return relative
    ? `${relative}（${monthDay(date, today)} ${WEEKDAYS[isoWeekday(date)]}）`
    : `${monthDay(date, today)}（${WEEKDAYS[isoWeekday(date)]}）`;
}

export function cityName(book: RestrictionBook, city: string): string {
  return book.cities.get(city)?.name ?? city;
}

/** The cities we have restriction data for, by Chinese name: "北京、天津、西安". */
export function knownCityNames(book: RestrictionBook): string {
  return [...book.cities.values()].map((c) => c.name).join('、');
}

/** One sentence about a city's day. */
export function describeDay(book: RestrictionBook, a: RestrictionAnswer, today: string): string {
  const name = cityName(book, a.city);
  const when = dayLabel(a.date, today);
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

/** A plate's answer on a day in a city; unknown is said as such. */
export function plateLine(book: RestrictionBook, plate: Plate, city: string, date: string): string {
  const a = plateRestrictionOn(book, plate.canonical, city, date);
  if (a.status === 'unknown' || a.tail === null) return `${plate.display}：暂时无法确认。`;
  if (a.restricted) return `${plate.display}（尾号${a.tail}）限行，请合理安排出行。`;
  if (a.exemption && a.tails.includes(a.tail)) return `${plate.display}（尾号${a.tail}）按规定不受限行。`;
  return `${plate.display}（尾号${a.tail}）不限行。`;
}

/** A tail's answer on a day in a city (nothing when the day is unknown: describeDay says so). */
export function tailLine(a: RestrictionAnswer, tail: number): string | null {
  if (a.status === 'unknown') return null;
  return `尾号 ${tail}：${a.status === 'restricted' && a.tails.includes(tail) ? '限行' : '不限行'}。`;
}

/**
 * When a slot's reminder arrives (lib/blueprint.ts schedules): the morning run is paced to be done
 * before the day's restrictions begin (core/pushes/deadline.ts); the evening one starts at 20:00.
 */
export function slotTime(slot: ReminderSlot): string {
  return slot === 'evening' ? '限行日前一天 20:00 起' : '限行日当天限行开始前';
}

/** Where reminders are pushed: the served cities (schedules exist only for them). */
export interface ReminderReach {
  book: RestrictionBook;
  served: ReadonlySet<string>;
}

export function servedNames(reach: ReminderReach): string {
  return [...reach.served].map((c) => cityName(reach.book, c)).join('、');
}

/** What binding a plate offers, said in the help and the bind help: only what the schedules do. */
export function reminderOffer(reach: ReminderReach): string {
  if (reach.served.size === 0) return '本号暂不推送限行提醒，可随时发送“限行”查询';
  return `${servedNames(reach)}的车牌限行日当天限行开始前收到提醒（发送“晚上提醒”改为前一天 20:00 起）`;
}

/** For cities the deployment does not push for: queries work, reminders are not offered here. */
function notServed(reach: ReminderReach, cities: readonly string[]): string {
  const names = cities.map((c) => cityName(reach.book, c)).join('、');
  const ask = `可随时发送“${cityName(reach.book, cities[0]!)}限行”查询`;
  if (reach.served.size === 0) return `本号暂不推送限行提醒，${ask}。`;
  return `本号暂不推送${names}的限行提醒，${ask}；提供提醒的城市：${servedNames(reach)}。`;
}

type Pushable = Pick<Subscriber, 'status' | 'reminders' | 'slot'>;

/**
 * The reminder a subscriber will get for plates bound in `cities`, as they now stand: nothing
 * promised while opted out or with reminders off, the slot's time for served cities, and for the
 * others that reminders are not offered here.
 */
export function reminderStatus(s: Pushable, cities: readonly string[], reach: ReminderReach): string {
  if (s.status === 'opted-out') return '您已退订推送，发送“订阅”可恢复提醒。';
  if (!s.reminders) return '限行提醒已关闭，发送“开启提醒”可开启。';
  if (s.status !== 'active') return '';
  const unique = [...new Set(cities)];
  const served = unique.filter((c) => reach.served.has(c));
  const others = unique.filter((c) => !reach.served.has(c));
  const parts: string[] = [];
  if (served.length > 0) {
    const which = others.length > 0 ? `${served.map((c) => cityName(reach.book, c)).join('、')}的车牌` : '';
    parts.push(`${which}${slotTime(s.slot)}为您推送提醒。`);
  }
  if (others.length > 0) parts.push(notServed(reach, others));
  return parts.join('');
}

/** Exempt under the rule in force on `date` (new-energy, police …): nothing to remind. */
export function exemptionLine(
  book: RestrictionBook,
  plate: Plate,
  city: string,
  date: string,
): string | null {
  const a = plateRestrictionOn(book, plate.canonical, city, date);
  return a.exemption ? '该车牌按现行规定不受尾号限行，无需提醒。' : null;
}

/** A question about a day we do not answer: passed, too far ahead, or no such day. */
export function dateProblem(resolved: Exclude<ResolvedDate, { ok: true }>, today: string): string {
  const range = `可以查询今天（${monthDay(today, today)}）起 ${MAX_DAYS_AHEAD} 天内的限行，例如“明天限行”“周五限行”。`;
  if (resolved.reason === 'invalid')
    return `没有${whenText(resolved.when)}这一天，请检查日期后重新发送。${range}`;
  if (resolved.reason === 'past') return `${monthDay(resolved.date, today)}已经过去。${range}`;
  return `${monthDay(resolved.date, today)}超出可查询的范围。${range}`;
}

function whenText(when: When): string {
  if (when.kind !== 'calendar') return '';
  return `${when.year === null ? '' : `${when.year}年`}${when.month === null ? '' : `${when.month}月`}${when.day}日`;
}

export function helpText(keywords: KeywordReplies, reach: ReminderReach): string {
  const menu = keywords.map((k) => `${k.keys[0]} ${k.title}`).join('\n');
  const remind =
    reach.served.size > 0 ? `；${servedNames(reach)}的车牌限行日提醒` : '（本号暂不推送限行提醒）';
  return clip(
    `您好，这里是交警服务号。可以发送：\n限行 / 明天限行 / 周五限行 — 查询限行，可带城市、日期、车牌，如“西安限行”“明天 京A12345”\n绑定 京A12345 — 绑定车牌（最多${MAX_BINDINGS}个）${remind}\n解绑 京A12345 — 解除绑定\n路况 — 最新路况与交通管制\n留言 + 内容 — 联系民警（投诉、咨询、建议、举报），如“投诉 某路口违停严重”；查询留言 — 办理进度\nTD — 退订提醒；订阅 — 恢复\n${menu}`,
  );
}

/** A menu keyword's reply; `{reminders}` in it says what binding offers on this deployment. */
export function keywordReply(keywords: KeywordReplies, index: number, reach: ReminderReach): string {
  return clip(keywords[index]!.reply.replaceAll('{reminders}', reminderOffer(reach)));
}
