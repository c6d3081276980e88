/**
 * A driver notice — a new violation, points near the full score, a due date coming or passed — as
 * the one push pipeline carries it: a `transactional` push per notice and person, its push key
 * stable per notice (at-most-once per person, whatever is redelivered), its values for the account's
 * typed template (functions/core/wechat/placeholders.ts, `transactional`) and for the SMS template,
 * and the signed, expiring link of the personal page. The message says what happened; the details and
 * the photo links are behind the link, never in the message.
 *
 * Who it goes to (`noticeBundles`): the followers who proved they own the vehicle or licence, on
 * their own channel and account; where none did on WeChat and the deployment enables it, the
 * registered phone by SMS (within the SMS budget, deliver-sms). Nobody else: a follower who only
 * bound the plate gets nothing personal.
 */
import type { DriverNoticeKind } from '../../../schemas/drivers.ts';
import type { DeliveryMessage } from '../../../schemas/pushes.ts';
import { daysBetween } from '../time.ts';
import type { Channel } from '../vocabulary.ts';
import { DRIVER_KIND_LABELS } from '../wechat/placeholders.ts';
import { DRIVER_KIND, PAGE_TOKEN } from '../wechat/templates.ts';
import { signPageToken } from './page-token.ts';
import type { DueRecord, Holders, PointsRecord, ViolationRecord } from './ports.ts';
import { opaque, type Subject } from './subjects.ts';

/** Carried with its SMS values: the SMS template. */
export const SMS_TEMPLATE = 'template';

export interface DriverNotice {
  kind: DriverNoticeKind;
  subject: Subject;
  pushKey: string;
  /** The plate it is about (vehicle notices), for the bundle's recipient. */
  plate: string | null;
  values: Record<string, string>;
  sms: Record<string, string>;
}

export interface PageSigning {
  key: Buffer;
  /** Epoch seconds the link stops opening. */
  expiresAt: number;
}

export const TITLES: Record<DriverNoticeKind, string> = {
  violation: '交通违法提醒',
  points: '驾驶证记分提醒',
  'inspection-due': '机动车检验提醒',
  'insurance-expiry': '交强险到期提醒',
  'licence-renewal': '驾驶证换证提醒',
};
const DUE_WHAT: Record<DueRecord['kind'], string> = {
  'inspection-due': '机动车检验有效期至',
  'insurance-expiry': '交强险保险期至',
  'licence-renewal': '驾驶证有效期至',
};

/** 11月16日, or 11月16日 23:05 for an instant (Asia/Shanghai). */
function shortDate(date: string): string {
  const [, m, d] = date.split('-').map(Number);
  return `${m}月${d}日`;
}
function shortInstant(iso: string): string {
  const local = new Date(Date.parse(iso) + 8 * 3_600_000).toISOString();
  return `${shortDate(local.slice(0, 10))}${local.slice(11, 16)}`;
}
const localDate = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);
/** At most `n` characters, cut with … (SMS parameters stay within two billed parts). */
const upTo = (text: string, n: number) =>
  [...text].length <= n ? text : `${[...text].slice(0, n - 1).join('')}…`;

function withPage(kind: DriverNoticeKind, subject: Subject, record: string, page: PageSigning) {
  return {
    [PAGE_TOKEN]: signPageToken(page.key, { k: kind, s: subject.key, r: record, e: page.expiresAt }),
    [DRIVER_KIND]: kind,
  };
}

export function violationNotice(v: ViolationRecord, page: PageSigning): DriverNotice {
  return {
    kind: 'violation',
    subject: v.subject,
    pushKey: `driver#violation#${opaque(v.violationId)}`,
    plate: v.plate,
    values: {
      title: TITLES.violation,
      kind: DRIVER_KIND_LABELS.violation,
      subject: v.plate,
      plate: v.plate,
      date: localDate(v.time),
      time: v.time,
      place: v.place,
      detail: v.act,
      fine: `${v.fineYuan}元`,
      points: String(v.points),
      ...withPage('violation', v.subject, v.violationId, page),
    },
    sms: {
      [SMS_TEMPLATE]: 'driver-violation',
      plate: v.plate,
      time: shortInstant(v.time),
      place: upTo(v.place, 16),
      act: upTo(v.act, 12),
      fine: String(v.fineYuan),
      points: String(v.points),
    },
  };
}

export function pointsNotice(p: PointsRecord, page: PageSigning): DriverNotice {
  const detail = `本记分周期已记${p.points}分`;
  return {
    kind: 'points',
    subject: p.subject,
    pushKey: `driver#points#${opaque(`${p.subject.key}#${p.eventId}`)}`,
    plate: null,
    values: {
      title: TITLES.points,
      kind: DRIVER_KIND_LABELS.points,
      subject: `驾驶证${p.masked}`,
      date: localDate(p.asOf),
      detail,
      points: String(p.points),
      ...withPage('points', p.subject, '', page),
    },
    sms: { [SMS_TEMPLATE]: 'driver-points', licence: p.masked, points: String(p.points) },
  };
}

/** "还有7天" / "今天到期" / "已逾期1天". */
export function whenDue(dueDate: string, today: string): string {
  const days = daysBetween(today, dueDate);
  return days > 0 ? `还有${days}天` : days === 0 ? '今天到期' : `已逾期${-days}天`;
}

export function dueNotice(d: DueRecord, offset: number, today: string, page: PageSigning): DriverNotice {
  const when = whenDue(d.dueDate, today);
  const subject = d.subject.type === 'vehicle' ? d.display : `驾驶证${d.display}`;
  return {
    kind: d.kind,
    subject: d.subject,
    pushKey: `driver#${d.kind}#${opaque(`${d.subject.key}#${d.dueDate}#${offset}`)}`,
    plate: d.subject.type === 'vehicle' ? d.display : null,
    values: {
      title: TITLES[d.kind],
      kind: DRIVER_KIND_LABELS[d.kind],
      subject,
      ...(d.subject.type === 'vehicle' ? { plate: d.display } : {}),
      date: d.dueDate,
      detail: `${DUE_WHAT[d.kind]}${shortDate(d.dueDate)}，${when}`,
      ...withPage(d.kind, d.subject, d.dueDate, page),
    },
    sms: {
      [SMS_TEMPLATE]: 'driver-due',
      subject: d.subject.type === 'vehicle' ? `车辆${d.display}` : `驾驶证${d.display}`,
      what: DUE_WHAT[d.kind],
      date: shortDate(d.dueDate),
      when,
    },
  };
}

/** The page link's expiry for a notice made now: `days` from then. */
export const pageExpiry = (nowMs: number, days: number) => Math.floor(nowMs / 1000) + days * 86_400;

/** The run a day's notices of one kind are counted on: `driver#violation#2026-11-16`. */
export const driverRunKey = (kind: DriverNoticeKind, date: string) => `driver#${kind}#${date}`;

export interface BundleContext {
  runKey: string;
  city: string;
  date: string;
  /** SMS to the registered phone where no follower verified on WeChat. */
  smsToRegistered: boolean;
}

/** The bundles of one notice: per channel and account of its verified owners, or the registered phone. */
export function noticeBundles(n: DriverNotice, holders: Holders, ctx: BundleContext): DeliveryMessage[] {
  const groups = new Map<string, { channel: Channel; account: string; ids: Set<string> }>();
  const add = (channel: Channel, account: string, id: string) => {
    const g = `${channel}#${account}`;
    const group = groups.get(g) ?? { channel, account, ids: new Set<string>() };
    group.ids.add(id);
    groups.set(g, group);
  };
  for (const o of holders.owners) add(o.channel, o.channel === 'sms' ? 'sms' : o.account, o.id);
  const onWeChat = holders.owners.some((o) => o.channel === 'wechat');
  const registered = !onWeChat && ctx.smsToRegistered && holders.phoneId !== null;
  if (registered) add('sms', 'sms', holders.phoneId!);
  const plates = n.plate ? [n.plate] : [];
  return [...groups.values()].map(({ channel, account, ids }) => ({
    bundle: `${ctx.runKey}#${n.pushKey}#${channel}#${account}`,
    runKey: ctx.runKey,
    pushKey: n.pushKey,
    category: 'transactional',
    channel,
    account,
    city: ctx.city,
    date: ctx.date,
    recipients: [...ids].map((id) => ({ id, plates })),
    values: channel === 'sms' ? n.sms : n.values,
    ...(channel === 'wechat' ? { fallbackValues: n.sms } : {}),
    // Registered phones are not SMS subscribers: no profile means not opted out.
    ...(channel === 'sms' && registered ? { registeredPhone: true as const } : {}),
  }));
}
