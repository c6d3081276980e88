/**
 * What a citizen says, whatever the channel, and what we answer. WeChat and SMS adapters translate
 * their protocol into an `Inbound` and send the returned text; everything in between is here
 * (intents in ./intents.ts, dates in ./dates.ts, the sentences in ./replies.ts).
 *
 * Primary course of `respond` (`converse` is its text, for SMS):
 *  1. events: follow and a scan of a QR code (welcome + menu, status active, the scene recorded),
 *     unfollow (stop pushes), menu click (an intent); what the citizen sends that is not text (an
 *     image, unrecognised voice, a video, a location, a link) is offered to the citizen inbox — the
 *     seam where it will be attached to their open case — and answered with what the account can do;
 *  2. text → intent (./intents.ts), with the city names of the restriction data: bind / unbind /
 *     restriction for a city, a day, a tail or a plate / road conditions / menu number /
 *     unsubscribe / resubscribe / reminder preferences / help;
 *  3. apply the intent (each one idempotent: a retried message cannot bind twice) and reply in
 *     concise Chinese, at most 600 characters, promising a reminder only where one will be sent; a
 *     reply about one notice carries it as an article (WeChat shows it linking to the notice's page).
 */
import type { CaseCategory, ServiceInfo } from '../../../schemas/desk.ts';
import type { KeywordReplies } from '../../../schemas/wechat.ts';
import { type DriverDesk, HOW_TO_VERIFY_LICENCE, HOW_TO_VERIFY_PLATE } from '../drivers/desk.ts';
import { type RestrictionBook, restrictionOn, ruleOn } from '../restrictions/engine.ts';
import { type Plate, PlateError, parsePlate, tailDigit } from '../restrictions/plates.ts';
import {
  type Binding,
  MAX_BINDINGS,
  type Subscriber,
  type SubscriberRef,
  type SubscriberRepository,
} from '../subscribers/subscriber.ts';
import type { Clock } from '../time.ts';
import { civilMinute, today } from '../time.ts';
import { resolveDate } from './dates.ts';
import { type CityNames, type Intent, parseIntent } from './intents.ts';
import {
  cityName,
  clip,
  dateProblem,
  describeDay,
  exemptionLine,
  helpText,
  keywordReply,
  knownCityNames,
  plateLine,
  type ReminderReach,
  reminderStatus,
  servedNames,
  slotTime,
  tailLine,
} from './replies.ts';

export type { CityNames, Intent } from './intents.ts';
export { parseIntent } from './intents.ts';
export { describeDay, helpText, MAX_REPLY } from './replies.ts';

/** What a citizen sends that is not text (voice WeChat recognised arrives as text). */
export type Attachment =
  | { type: 'image'; mediaId: string; url: string }
  | { type: 'voice'; mediaId: string }
  | { type: 'video'; mediaId: string }
  | { type: 'location'; latitude: number; longitude: number; label: string }
  | { type: 'link'; title: string; url: string }
  | { type: 'other'; what: string };

export type Inbound =
  /** `voice`: a voice message WeChat recognised (the text is its recognition). */
  | { kind: 'text'; text: string; voice?: { mediaId: string } | undefined }
  | { kind: 'click'; key: string }
  | { kind: 'follow'; scene: string | null }
  /** A follower scanned a QR code with a scene (SCAN): handled like a follow from that scene. */
  | { kind: 'scan'; scene: string | null }
  | { kind: 'unfollow' }
  | { kind: 'attachment'; attachment: Attachment };

/** A reply: its text (what SMS sends), and the notice it is about, shown as an article on WeChat. */
export interface Reply {
  text: string;
  article?: { noticeId: string; title: string; description: string };
}

/**
 * The citizen inbox: the service desk (functions/core/desk/intake.ts) behind the conversation. A
 * case word ("投诉 …") opens a case; what a citizen sends afterwards — texts the conversation does
 * not otherwise understand, images, voice, locations — joins the case that takes it; "查询留言" lists
 * their cases; 1–3 answers the satisfaction question of a closed case.
 */
export interface CitizenInbox {
  /** Opens a case and returns its number and the acknowledgement to say. */
  open(
    ref: SubscriberRef,
    request: { category: CaseCategory; text: string },
  ): Promise<{ caseNumber: string; acknowledgement: string }>;
  /** The next message (within minutes) is the text of a new case of `category` (a menu key, a bare case word). */
  expect(ref: SubscriberRef, category: CaseCategory): Promise<void>;
  /**
   * Adds a follow-up to the citizen's case that takes it, or opens the case their next message was
   * expected for; null when neither (nothing is kept).
   */
  followUp(
    ref: SubscriberRef,
    item: { text: string; voice?: { mediaId: string } | undefined } | { attachment: Attachment },
  ): Promise<{ caseNumber: string; reopened: boolean; acknowledgement?: string } | null>;
  /** "查询留言": the citizen's cases and their states. */
  cases(ref: SubscriberRef): Promise<string>;
  /** A satisfaction answer (1 satisfied … 3 not) to their latest closed case's question; null when none is asked. */
  rate(ref: SubscriberRef, score: 1 | 2 | 3): Promise<{ caseNumber: string } | null>;
}
export const NO_CITIZEN_INBOX: CitizenInbox = {
  open: async () => {
    throw new Error('this channel has no service desk');
  },
  expect: async () => undefined,
  followUp: async () => null,
  cases: async () => '本号暂未开通留言服务。',
  rate: async () => null,
};

export interface LatestNotice {
  /** Its id, for the article linking to its page (a feed that has none gets a text reply). */
  id?: string;
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
   * The cities whose restriction reminders this deployment pushes (a schedule exists for each; the
   * blueprint's SERVED_CITIES). A reminder is promised only for plates bound in one of them.
   */
  reminderCities: ReadonlySet<string>;
  /**
   * SMS fallback for WeChat followers, where the SMS channel is configured: a code the phone that is
   * to receive the fallback texts back ("WX <code>"), which links it (see receive-sms).
   */
  smsFallback?: { start(ref: SubscriberRef): Promise<string> };
  /** The service desk: cases opened, followed up, listed and rated (none: the channel has no desk). */
  inbox?: CitizenInbox;
  /** Driver notices (verification, 违法 / 记分 / 年检), where the deployment has them. */
  drivers?: DriverDesk;
  /** Service windows and hours, rescue numbers, one-way streets … (managed content `service-info`). */
  serviceInfo?: ServiceInfo;
}

/** The menu keys (CLICK) the conversation understands, and what each means; a keyword's key works too. */
export const CLICK_KEYS: Record<string, string> = {
  XIANXING: '限行',
  XIANXING_TOMORROW: '明天限行',
  LUKUANG: '路况',
  BIND_HELP: '绑定帮助',
  UNSUBSCRIBE: '退订',
  HELP: '帮助',
  /** 我要留言: the next message is the text of a case (留言 = a consultation unless it says otherwise). */
  LIUYAN: '留言',
  MY_CASES: '查询留言',
};

/** Chinese name → code of every city the restriction data has. */
export function cityNamesOf(book: RestrictionBook): CityNames {
  return new Map([...book.cities].map(([code, c]) => [c.name, code]));
}

/** "11/16 16:00": a publication time as a citizen in China reads it. */
const shanghaiTime = (iso: string) => civilMinute(new Date(iso));

/** Intents whose reading or answer depends on the restriction data (city names, rules). */
function needsBook(intent: Intent): boolean {
  if (intent.type === 'preference') return intent.reminders !== false;
  return ![
    'unsubscribe',
    'unbind',
    'sms-fallback',
    'location-reports',
    'verify-plate',
    'verify-licence',
    'verify-by-sms',
    'verify-code',
    'unbind-licence',
    'driver-query',
    'case',
    'my-cases',
  ].includes(intent.type);
}

/** Applies one inbound message or event; returns the reply text, or null when nothing is to be said. */
export async function converse(
  ref: SubscriberRef,
  inbound: Inbound,
  deps: ConversationDeps,
): Promise<string | null> {
  return (await respond(ref, inbound, deps))?.text ?? null;
}

const textOf = (inbound: Extract<Inbound, { kind: 'text' | 'click' }>) =>
  inbound.kind === 'click' ? (CLICK_KEYS[inbound.key] ?? inbound.key) : inbound.text;
const scoreOf = (text: string) => /^\s*([1-3])\s*$/.exec(text.normalize('NFKC'))?.[1];

/**
 * What answering `inbound` will read besides the follower's record, decided as `respond` decides
 * it, so the webhook can begin those reads beside its claim (a question then waits one round trip,
 * not two or three): the citizen's latest case and intake (a satisfaction score, what may follow up
 * a case, an attachment), and what they proved as a driver (违法 / 记分 / 年检, a menu key asking it).
 * A wrong guess costs a read or a round trip, never a different answer.
 */
export function readsAhead(inbound: Inbound, keywords: KeywordReplies): { desk: boolean; drivers: boolean } {
  if (inbound.kind === 'attachment') return { desk: true, drivers: false };
  if (inbound.kind !== 'text' && inbound.kind !== 'click') return { desk: false, drivers: false };
  const text = textOf(inbound);
  const intent = parseIntent(text, keywords);
  return {
    desk: inbound.kind === 'text' && (scoreOf(text) !== undefined || intent.type === 'help'),
    drivers:
      intent.type === 'driver-query' || (intent.type === 'keyword' && !!keywords[intent.index]?.intent),
  };
}

/** Applies one inbound message or event; returns the reply, or null when nothing is to be said. */
export async function respond(
  ref: SubscriberRef,
  inbound: Inbound,
  deps: ConversationDeps,
): Promise<Reply | null> {
  const now = deps.clock.now().toISOString();
  if (inbound.kind === 'unfollow') {
    await deps.subscribers.unfollow(ref, now);
    return null;
  }
  if (inbound.kind === 'follow' || inbound.kind === 'scan') {
    await deps.subscribers.follow(ref, deps.account.id, now, inbound.scene);
    const reach = { book: await deps.restrictions(), served: deps.reminderCities };
    const hello = inbound.kind === 'follow' ? '感谢关注！' : '欢迎回来！';
    return { text: clip(`${hello}${helpText(deps.keywords, reach)}`) };
  }
  const subscriber = await deps.subscribers.touch(ref, deps.account.id, now);
  const inbox = deps.inbox ?? NO_CITIZEN_INBOX;
  if (inbound.kind === 'attachment') {
    const attached = await inbox.followUp(ref, { attachment: inbound.attachment });
    return { text: attachmentReply(inbound.attachment, attached) };
  }
  const text = textOf(inbound);
  // A closed case's satisfaction question is answered with 1–3, before the menu numbers.
  const score = scoreOf(text);
  if (score && inbound.kind === 'text') {
    const rated = await inbox.rate(ref, Number(score) as 1 | 2 | 3);
    if (rated) return { text: `感谢您的评价！留言 ${rated.caseNumber} 的评价已记录。` };
  }
  const voice = inbound.kind === 'text' ? inbound.voice : undefined;
  // The service information the department publishes (managed content), asked for by its words.
  const info = deps.serviceInfo?.find((i) => i.keys.includes(text.trim()));
  if (info) return { text: clip(info.text) };
  // Commands (TD, 订阅, preferences …) are read without the restriction data, so they work even
  // when it cannot be loaded; questions are read again with the data's city names.
  let intent = parseIntent(text, deps.keywords);
  if (!needsBook(intent)) return asReply(await apply(ref, intent, subscriber, deps, null));
  const book = await deps.restrictions();
  intent = parseIntent(text, deps.keywords, cityNamesOf(book));
  // What the conversation does not understand may be a follow-up of the citizen's case.
  if (intent.type === 'help' && inbound.kind === 'text') {
    const followed = await inbox.followUp(ref, { text, voice });
    if (followed) return { text: followUpReply(followed) };
  }
  return asReply(await apply(ref, intent, subscriber, deps, book));
}

/** Case words: open a case (or wait for its text), list the citizen's cases. */
async function desk(
  ref: SubscriberRef,
  intent: Extract<Intent, { type: 'case' | 'my-cases' }>,
  inbox: CitizenInbox,
): Promise<string> {
  if (intent.type === 'my-cases') return inbox.cases(ref);
  if (!intent.text) {
    await inbox.expect(ref, intent.category);
    return `请直接发送您要${intent.word}的具体内容（时间、地点、情况），可附图片或语音，民警会尽快答复。紧急情况请拨打 122 或 110。`;
  }
  return (await inbox.open(ref, { category: intent.category, text: intent.text })).acknowledgement;
}

function followUpReply(f: { caseNumber: string; reopened: boolean; acknowledgement?: string }): string {
  if (f.acknowledgement) return f.acknowledgement;
  return f.reopened
    ? `已补充到您的留言（编号 ${f.caseNumber}），该留言已重新打开，民警会尽快答复。`
    : `已补充到您的留言（编号 ${f.caseNumber}）。`;
}

const asReply = (r: string | Reply | null): Reply | null => (typeof r === 'string' ? { text: r } : r);

async function apply(
  ref: SubscriberRef,
  intent: Intent,
  subscriber: Subscriber,
  deps: ConversationDeps,
  book: RestrictionBook | null,
): Promise<string | Reply | null> {
  const now = deps.clock.now().toISOString();
  const reach = (): ReminderReach => ({ book: book!, served: deps.reminderCities });
  switch (intent.type) {
    case 'case':
    case 'my-cases':
      return desk(ref, intent, deps.inbox ?? NO_CITIZEN_INBOX);
    case 'help':
      return helpText(deps.keywords, reach());
    case 'keyword': {
      const asks = deps.keywords[intent.index]!.intent;
      if (asks && deps.drivers) return clip(await deps.drivers.query(ref, asks));
      return keywordReply(deps.keywords, intent.index, reach());
    }
    case 'driver-query':
      if (!deps.drivers) return '本号暂未开通车驾管信息查询，请使用“交管12123”App。';
      return clip(await deps.drivers.query(ref, intent.what));
    case 'verify-plate': {
      if (!deps.drivers) return '本号暂未开通车主验证。';
      let plate: string;
      try {
        plate = parsePlate(intent.plate).canonical;
      } catch (e) {
        if (e instanceof PlateError) return `${e.zh}，请发送“验证 京A12345 车架号后6位”。`;
        throw e;
      }
      if (!intent.proof) return HOW_TO_VERIFY_PLATE;
      const bound = subscriber.bindings.map((b) => b.plate);
      return deps.drivers.verifyPlate(ref, deps.account.id, { plate, vinLast6: intent.proof, bound });
    }
    case 'verify-licence':
      if (!deps.drivers) return '本号暂未开通驾驶证验证。';
      if (!intent.licence || !intent.file) return HOW_TO_VERIFY_LICENCE;
      return deps.drivers.verifyLicence(ref, deps.account.id, {
        licenceNumber: intent.licence,
        fileNumber: intent.file,
      });
    case 'verify-by-sms': {
      if (!deps.drivers) return '本号暂未开通车主验证。';
      if (intent.licence !== null) {
        if (!/^[0-9A-Z]{6,20}$/.test(intent.licence))
          return '驾驶证号为6–20位数字或字母，请发送“验证驾驶证 驾驶证号 短信”。';
        return deps.drivers.requestCode(ref, deps.account.id, {
          kind: 'licence',
          licenceNumber: intent.licence,
        });
      }
      if (!intent.plate) return '请发送“验证 京A12345 短信”，验证码将发送到该车登记的手机。';
      let plate: string;
      try {
        plate = parsePlate(intent.plate).canonical;
      } catch (e) {
        if (e instanceof PlateError) return `${e.zh}，请发送“验证 京A12345 短信”。`;
        throw e;
      }
      const bound = subscriber.bindings.map((b) => b.plate);
      return deps.drivers.requestCode(ref, deps.account.id, { kind: 'plate', plate, bound });
    }
    case 'verify-code':
      if (!deps.drivers) return '本号暂未开通车主验证。';
      if (!intent.code) return '请发送“验证码 6位数字”（验证码见短信）。';
      return deps.drivers.confirmCode(ref, deps.account.id, {
        code: intent.code,
        bound: subscriber.bindings.map((b) => b.plate),
      });
    case 'unbind-licence':
      if (!deps.drivers) return '本号暂未开通驾驶证验证。';
      return deps.drivers.licencesUnbound(ref);
    case 'unsubscribe':
      await deps.subscribers.setStatus(ref, 'opted-out', now);
      return '您已退订，将不再收到限行提醒与通知推送。发送“订阅”可恢复。';
    case 'resubscribe': {
      await deps.subscribers.setStatus(ref, 'active', now);
      const cities = subscriber.bindings.map((b) => b.city);
      if (cities.length === 0) {
        const offer = deps.reminderCities.size ? `，${servedNames(reach())}的车牌限行日可收到提醒` : '';
        return `已恢复订阅。发送“绑定 京A12345”绑定车牌${offer}。`;
      }
      return clip(`已恢复订阅。${reminderStatus({ ...subscriber, status: 'active' }, cities, reach())}`);
    }
    case 'preference': {
      await deps.subscribers.setPreferences(ref, {
        ...(intent.reminders !== undefined ? { reminders: intent.reminders } : {}),
        ...(intent.slot ? { slot: intent.slot } : {}),
      });
      if (intent.reminders === false) return '已关闭限行提醒。发送“开启提醒”可重新开启。';
      const slot = intent.slot ?? subscriber.slot;
      const set = `已设置为${slotTime(slot)}提醒。`;
      if (subscriber.status === 'opted-out') return `${set}您目前已退订推送，发送“订阅”恢复后生效。`;
      const cities = subscriber.bindings.map((b) => b.city);
      if (cities.length === 0) {
        const where = deps.reminderCities.size
          ? `（提醒城市：${servedNames(reach())}）`
          : '（本号暂不推送限行提醒）';
        return `${set}发送“绑定 京A12345”绑定车牌后生效${where}。`;
      }
      const status = reminderStatus({ ...subscriber, reminders: true, slot }, cities, reach());
      if (!status) return set; // not pushable for another reason (blocked): promise nothing
      return clip(cities.some((c) => deps.reminderCities.has(c)) ? `好的，${status}` : `${set}${status}`);
    }
    case 'sms-fallback': {
      if (ref.channel !== 'wechat' || !deps.smsFallback) return '本号暂未开通短信备用提醒。';
      if (!intent.on) {
        if (!subscriber.smsFallback) return '短信备用提醒未开通，无需关闭。发送“短信备用”可开通。';
        await deps.subscribers.setPreferences(ref, { smsFallback: null });
        return '已关闭短信备用提醒，微信消息无法送达时将不再发送短信。';
      }
      if (subscriber.smsFallback)
        return '短信备用提醒已开通：微信消息无法送达时，限行提醒与重要通知将以短信发送到您关联的手机。发送“关闭短信备用”可关闭；更换手机请先关闭，再发送“短信备用”。';
      const code = await deps.smsFallback.start(ref);
      return `请用接收提醒的手机发送短信“WX ${code}”到交警短信服务号码（10分钟内有效）。开通后，微信消息无法送达时，限行提醒与重要通知将以短信发送；每条短信均可回复TD退订。`;
    }
    case 'location-reports': {
      if (ref.channel !== 'wechat') return '短信渠道不支持位置上报。';
      await deps.subscribers.setPreferences(ref, { locationReports: intent.on });
      return intent.on
        ? '已开启：本号将只保存您最近一次上报的位置（2小时后删除）。发送“关闭位置”可随时停止。'
        : '已关闭：本号不再保存您上报的位置。';
    }
    case 'road':
      return road(intent, subscriber, deps, book!);
    case 'bind':
      return bind(ref, intent, subscriber, deps, book!);
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
      // A verified ownership goes with its binding.
      await deps.drivers?.unbound(ref, removed);
      return `已解除绑定：${removed.join('、')}。`;
    }
    case 'restriction':
      return restriction(intent, subscriber, deps, book!);
  }
}

async function road(
  intent: Extract<Intent, { type: 'road' }>,
  subscriber: Subscriber,
  deps: ConversationDeps,
  book: RestrictionBook,
): Promise<string | Reply> {
  if (intent.unknownCity && !intent.city)
    return `暂时没有${intent.unknownCity}的路况与交通管制信息。发送“路况”可查看${cityName(book, deps.account.defaultCity)}的最新路况。`;
  const bound = [...new Set(subscriber.bindings.map((b) => b.city))];
  const cities = intent.city ? [intent.city] : bound.length ? bound : [deps.account.defaultCity];
  const named = cities.length > 1 || cities[0] !== deps.account.defaultCity;
  const lines: string[] = [];
  const found: LatestNotice[] = [];
  for (const city of cities) {
    const notice = await deps.notices.latestRoadCondition(city);
    const where = named ? `${cityName(book, city)}：` : '';
    if (notice) found.push(notice);
    lines.push(
      notice
        ? `${where}【${notice.title}】${notice.summary}（发布于 ${shanghaiTime(notice.publishedAt)}）`
        : `${where}目前没有正在发布的路况或交通管制信息。`,
    );
  }
  if (lines.every((l) => l.endsWith('目前没有正在发布的路况或交通管制信息。')))
    lines.push('出行前也可关注导航软件的实时路况。');
  const text = clip(lines.join(named ? '\n' : ''));
  // One notice: an article, so the citizen opens the notice in full (WeChat allows one in a reply).
  const n = found[0];
  if (cities.length !== 1 || !n?.id) return text;
  const where = named ? `${cityName(book, cities[0]!)} · ` : '';
  return {
    text,
    article: {
      noticeId: n.id,
      title: n.title,
      description: `${where}${n.summary}（发布于 ${shanghaiTime(n.publishedAt)}）`,
    },
  };
}

/** What the account can do with what a citizen sent, or where it was attached. */
function attachmentReply(a: Attachment, attached: { caseNumber: string; reopened: boolean } | null): string {
  const what = { image: '图片', voice: '语音', video: '视频', location: '位置', link: '链接', other: '消息' }[
    a.type
  ];
  if (attached)
    return `已收到您的${what}，已附加到您的留言（编号 ${attached.caseNumber}）${attached.reopened ? '，该留言已重新打开' : ''}。`;
  const help = '发送“帮助”查看本号可以办理的事项。';
  switch (a.type) {
    case 'voice':
      return '收到您的语音，但未能识别内容。请发送文字，例如“限行”“路况”“绑定 京A12345”。';
    case 'location':
      return clip(
        `收到您的位置${a.label ? `（${a.label}）` : ''}。本号暂不能按位置查询：发送“路况”查看最新路况与交通管制，发送“限行”查询今日限行。紧急情况请拨打 122 或 110。`,
      );
    case 'link':
      return `收到您分享的链接。本号不能受理链接中的内容；反映交通问题请拨打 122。${help}`;
    case 'other':
      return `暂不支持这类消息。${help}`;
    default:
      return `收到您的${what}。如需反映问题，请先发送“留言 + 内容”（如“举报 某路口违停”），再发送${what}即可附加。交通事故请拨打 122，紧急情况请拨打 110。`;
  }
}

async function bind(
  ref: SubscriberRef,
  intent: Extract<Intent, { type: 'bind' }>,
  subscriber: Subscriber,
  deps: ConversationDeps,
  book: RestrictionBook,
): Promise<string> {
  const city = intent.city ?? deps.account.defaultCity;
  if (!book.cities.has(city))
    return `暂时没有“${city}”的限行数据，无法按该城市绑定。可选城市：${knownCityNames(book)}。`;
  let plate: Plate;
  try {
    plate = parsePlate(intent.plate);
  } catch (e) {
    if (e instanceof PlateError) return `${e.zh}，请重新发送，例如“绑定 京A12345”。`;
    throw e;
  }
  const date = today(deps.clock);
  const rule = ruleOn(book, city, date) ?? book.cities.get(city)!.rules.at(-1)!;
  const binding: Binding = {
    plate: plate.canonical,
    city,
    tail: tailDigit(plate, rule.letterTail),
    nev: plate.nev !== null,
    boundAt: deps.clock.now().toISOString(),
  };
  const outcome = await deps.subscribers.bind(ref, binding);
  if (outcome === 'limit-reached')
    return `最多可绑定 ${MAX_BINDINGS} 个车牌。请先发送“解绑 车牌号”解除一个。`;
  const head =
    outcome === 'already-bound'
      ? `${plate.display} 已绑定。`
      : `已绑定 ${plate.display}（${cityName(book, city)}，尾号${binding.tail}）。`;
  // Binding a plate proves nothing: personal notices wait for the owner's proof (core/drivers/desk.ts).
  const verify = deps.drivers
    ? `\n违法、年检等车辆提醒只发给验证过的车主：发送“验证 ${plate.canonical} 车架号后6位”。`
    : '';
  const exempt = exemptionLine(book, plate, city, date);
  if (exempt) return clip(`${head}${exempt}${verify}`);
  let status = reminderStatus(subscriber, [city], { book, served: deps.reminderCities });
  const pushed = subscriber.status === 'active' && subscriber.reminders && deps.reminderCities.has(city);
  if (pushed && restrictionOn(book, city, date).reason === 'no-rule')
    status += `（${cityName(book, city)}的现行限行规定尚未收录，收录前不会推送。）`;
  return clip(`${head}${status}\n${plateLine(book, plate, city, date)}${verify}`);
}

/** "绑定 京A12345", or for another city than the account's "绑定 津A12345 天津". */
function bindExample(book: RestrictionBook, city: string, defaultCity: string): string {
  if (city === defaultCity) return '绑定 京A12345';
  const c = book.cities.get(city)!;
  return `绑定 ${c.rules.at(-1)!.province}A12345 ${c.name}`;
}

function restriction(
  intent: Extract<Intent, { type: 'restriction' }>,
  subscriber: Subscriber,
  deps: ConversationDeps,
  book: RestrictionBook,
): string {
  const date = today(deps.clock);
  const issue = intent.issue;
  if (issue?.kind === 'unknown-city' && intent.cities.length === 0)
    return `暂时没有${issue.name}的限行数据。目前可以查询的城市：${knownCityNames(book)}。`;
  if (issue?.kind === 'plate') return `${issue.zh}。请检查后重新发送，例如“京A12345”或“明天 京A12345”。`;
  const resolved = resolveDate(intent.when, date);
  if (!resolved.ok) return dateProblem(resolved, date);
  const on = resolved.date;
  const def = deps.account.defaultCity;
  const bindings = subscriber.bindings;
  const lines: string[] = [];
  const day = (city: string) => {
    if (!book.cities.has(city)) return `暂时没有${cityName(book, city)}的限行数据。`;
    return describeDay(book, restrictionOn(book, city, on), date);
  };

  if (intent.plates.length > 0) {
    // A plate is answered for the city named, else where the follower bound it, else the account's.
    const asked = intent.plates.flatMap((p) => {
      const cities = intent.cities.length
        ? intent.cities
        : [bindings.find((b) => b.plate === p)?.city ?? def];
      return cities.map((city) => ({ plate: parsePlate(p), city }));
    });
    const cities = [...new Set(asked.map((a) => a.city))];
    for (const city of cities) lines.push(day(city));
    for (const a of asked) {
      if (!book.cities.has(a.city)) continue;
      const where = cities.length > 1 ? `${cityName(book, a.city)}：` : '';
      lines.push(`${where}${plateLine(book, a.plate, a.city, on)}`);
    }
  } else if (intent.tail !== null) {
    const cities = intent.cities.length ? intent.cities : [def];
    for (const city of cities) {
      lines.push(day(city));
      if (!book.cities.has(city)) continue;
      const line = tailLine(restrictionOn(book, city, on), intent.tail);
      if (line) lines.push(`${cities.length > 1 ? `${cityName(book, city)}` : ''}${line}`);
    }
  } else {
    const cities = intent.cities.length
      ? intent.cities
      : bindings.length
        ? [...new Set(bindings.map((b) => b.city))]
        : [def];
    for (const city of cities) lines.push(day(city));
    for (const b of bindings) {
      if (!cities.includes(b.city) || !book.cities.has(b.city)) continue;
      lines.push(plateLine(book, parsePlate(b.plate), b.city, on));
    }
    const only = cities[0]!;
    const known = book.cities.has(only) && restrictionOn(book, only, on).reason !== 'no-rule';
    const pushed = subscriber.status === 'active' && subscriber.reminders && deps.reminderCities.has(only);
    if (bindings.length === 0 && cities.length === 1 && known && pushed)
      lines.push(`发送“${bindExample(book, only, def)}”绑定车牌，${slotTime(subscriber.slot)}为您推送提醒。`);
  }
  if (issue?.kind === 'unknown-city') lines.push(`暂时没有${issue.name}的限行数据。`);
  return clip(lines.join('\n'));
}
