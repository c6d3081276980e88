/**
 * A case's message to its citizen, on the channel they used (the `desk-answers` queue →
 * send-desk-answer). These answer the citizen's own request: they are counted on the person's day
 * ledger in the category `desk` (a class of its own: never held by the routine cap, never deferred
 * by quiet hours), which is also what sends each message at most once.
 *
 * Primary course of deliverCaseMessage:
 *  1. the case and the message (gone: purged, nothing to do; delivered already: nothing to do);
 *  2. the 12345 platform's cases: the answer goes back to the platform (its port), nothing else;
 *  3. one reservation on the citizen's ledger (pushKey `desk#{number}#{messageId}`): a duplicate is
 *     never sent again, a capped one is recorded as not delivered;
 *  4. WeChat: a customer-service message within the follower's window (./../delivery/customer-service.ts);
 *     outside it, the account's `desk` template or subscription notice ("您的留言有回复") linking to
 *     the case page with a signed, expiring link; no such template: not delivered, the case page and
 *     "查询留言" still show it. SMS: the template SMS within the month's budget (a long answer: a link);
 *  5. the message's delivery (via, sent or failed, why) is recorded on the case, which the desk shows.
 * A transient refusal gives the reservation back and is retried by the queue.
 */
import {
  CATEGORY_WORDS,
  type Case,
  type CaseMessage,
  type Delivery,
  type DeskAnswerJob,
} from '../../../schemas/desk.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { RetryLater } from '../delivery/async-reply.ts';
import {
  type CustomerServiceDeps,
  type RefusalDeps,
  recordRefusal,
  sendCustomerService,
} from '../delivery/customer-service.ts';
import type {
  DailyQuota,
  PolicySource,
  PushLedger,
  PushTally,
  SubscriptionConsents,
  Telemetry,
  WeChatMessages,
  WeChatSendResult,
} from '../delivery/ports.ts';
import { clientMsgId } from '../delivery/wechat.ts';
import { maskId } from '../privacy.ts';
import { capRequest } from '../pushes/cap.ts';
import { civilDate } from '../time.ts';
import { CASE_PAGE } from '../wechat/placeholders.ts';
import { renderTemplate, subscriptionOf, templateOf } from '../wechat/templates.ts';
import { STATUS_WORDS, satisfactionQuestion, subjectOf } from './cases.ts';
import type { CaseStore } from './ports.ts';

/** The 12345 platform, answered through its own interface (an HTTP adapter; a sandbox locally). */
export interface PlatformAnswers {
  answer(a: {
    ticketId: string;
    caseNumber: string;
    text: string;
    answeredAt: string;
  }): Promise<{ ok: true } | { ok: false; detail: string }>;
}

export type SmsDeskTemplate =
  | 'desk-acknowledgement'
  | 'desk-answer'
  | 'desk-answer-link'
  | 'desk-satisfaction';

/** SMS as the desk uses it: one template SMS to a sealed number within the budget. */
export interface DeskSms {
  send(
    to: { sealedPhone: string; id: string },
    kind: SmsDeskTemplate,
    values: Record<string, string>,
  ): Promise<{ outcome: 'sent' } | { outcome: 'too-long' } | { outcome: string; code: string }>;
}

export interface AnswerDeps {
  store: Pick<CaseStore, 'get' | 'thread' | 'updateMessage'>;
  ledger: PushLedger;
  policy: PolicySource;
  tally: PushTally;
  clock: { now(): Date };
  telemetry: Telemetry;
  /** The case page's path with a signed token valid CASE_LINK_DAYS (./links.ts). */
  link(number: string): Promise<string>;
  /** Where case pages are served, for links in SMS (the public account's pageBaseUrl); null: none. */
  pageBaseUrl: string | null;
  wechat?: {
    account(id: string): Promise<WeChatAccount | undefined>;
    ensureToken(account: WeChatAccount): Promise<void>;
    customerService: CustomerServiceDeps;
    messages: Pick<WeChatMessages, 'sendTemplate' | 'sendSubscription'>;
    consents: SubscriptionConsents;
    quota: DailyQuota;
    refusals: RefusalDeps;
  };
  sms?: DeskSms;
  platform?: PlatformAnswers;
}

/** What the citizen reads, whatever the channel. */
export function answerText(c: Case, m: CaseMessage, kind: DeskAnswerJob['kind']): string {
  if (kind === 'satisfaction') return satisfactionQuestion(c.number);
  if (kind === 'acknowledgement') return m.text;
  return `您的留言（编号 ${c.number}）答复如下：\n${m.text}`;
}

const sent = (via: Delivery['via'], at: Date, detail: string | null = null): Delivery => ({
  via,
  status: 'sent',
  detail,
  at: at.toISOString(),
});
const failed = (via: Delivery['via'], at: Date, detail: string): Delivery => ({
  via,
  status: 'failed',
  detail: detail.slice(0, 300),
  at: at.toISOString(),
});

export async function deliverCaseMessage(
  job: DeskAnswerJob,
  deps: AnswerDeps,
): Promise<Delivery['status'] | 'gone'> {
  const c = await deps.store.get(job.caseNumber);
  const m = c
    ? (await deps.store.thread(job.caseNumber)).messages.find((x) => x.id === job.messageId)
    : undefined;
  if (!c || !m) return 'gone';
  if (m.delivery?.status === 'sent' || m.delivery?.status === 'failed') return m.delivery.status;
  const delivery = await deliver(c, m, job, deps);
  if (!delivery) return 'pending';
  await deps.store.updateMessage(c.number, { ...m, delivery });
  deps.telemetry.metric(delivery.status === 'sent' ? 'DeskAnswersSent' : 'DeskAnswersNotDelivered');
  if (delivery.status === 'sent') await deps.tally.addSent('desk', civilDate(deps.clock.now()), 1);
  return delivery.status;
}

/** The delivery of one message, or null when it was a duplicate of one in flight. */
async function deliver(
  c: Case,
  m: CaseMessage,
  job: DeskAnswerJob,
  deps: AnswerDeps,
): Promise<Delivery | null> {
  const now = deps.clock.now();
  if (c.channel === '12345') {
    if (job.kind !== 'answer' || !c.externalId)
      return failed('12345', now, 'only answers go back to the platform');
    if (!deps.platform) return failed('12345', now, 'no 12345 platform configured');
    const r = await deps.platform.answer({
      ticketId: c.externalId,
      caseNumber: c.number,
      text: m.text,
      answeredAt: m.at,
    });
    return r.ok ? sent('12345', now) : failed('12345', now, r.detail);
  }
  const citizen = c.citizen;
  if (!citizen)
    return failed('none', now, 'the citizen left no way to reach them (answer them on the phone)');
  const channel = citizen.channel;
  const pushKey = `desk#${c.number}#${m.id}`;
  const { policy } = await deps.policy.get();
  const req = capRequest(policy, channel, 'desk', now);
  const meta = { category: 'desk', runKey: `desk#${c.number}`, bundle: pushKey };
  const reservation = await deps.ledger.reserve(channel, citizen.id, pushKey, req, meta, now.getTime());
  if (reservation === 'duplicate') return null;
  if (reservation === 'unknown-outcome')
    return failed(
      channel === 'wechat' ? 'customer-service' : 'sms',
      now,
      'an earlier attempt did not confirm; not sent twice',
    );
  if (reservation === 'capped')
    return failed(
      channel === 'wechat' ? 'customer-service' : 'sms',
      now,
      `the desk's daily limit for this citizen (${req.dayLimit}) was reached`,
    );
  const give = () => deps.ledger.release(channel, citizen.id, req.date, pushKey, req.klass);
  try {
    const delivery =
      channel === 'wechat' ? await toFollower(c, m, job, citizen.id, deps) : await bySms(c, m, job, deps);
    if (delivery.status !== 'sent')
      await deps.ledger.settle(channel, citizen.id, req.date, pushKey, `failed:${delivery.via}`);
    return delivery;
  } catch (error) {
    if (error instanceof RetryLater) await give();
    throw error;
  }
}

async function toFollower(c: Case, m: CaseMessage, job: DeskAnswerJob, openid: string, deps: AnswerDeps) {
  const now = deps.clock.now();
  const w = deps.wechat;
  const account = c.citizen?.account ? await w?.account(c.citizen.account) : undefined;
  if (!w || !account)
    return failed('customer-service', now, `WeChat account '${c.citizen?.account}' is not configured`);
  await w.ensureToken(account); // a token problem fails before anything is sent
  const text = answerText(c, m, job.kind);
  const cs = await sendCustomerService(account, openid, { type: 'text', content: text }, w.customerService);
  if (cs.status === 'sent') return sent('customer-service', now);
  if (cs.status === 'unknown') return failed('customer-service', now, `outcome unknown: ${cs.message}`);
  if (cs.status === 'refused') {
    if (cs.refusal.action === 'retry' || cs.refusal.action === 'token')
      throw new RetryLater(cs.refusal.message);
    if (cs.refusal.action !== 'window') {
      await recordRefusal(cs.refusal, openid, 'desk answer not delivered', w.refusals);
      return failed('customer-service', now, `WeChat ${cs.refusal.errcode}: ${cs.refusal.message}`);
    }
  }
  // Outside the window: the notice that their case has news, linking to its page.
  if (job.kind === 'acknowledgement')
    return failed('customer-service', now, 'outside the customer-service window');
  return notice(c, m, job, account, openid, deps);
}

async function notice(
  c: Case,
  m: CaseMessage,
  job: DeskAnswerJob,
  account: WeChatAccount,
  openid: string,
  deps: AnswerDeps,
): Promise<Delivery> {
  const w = deps.wechat!;
  const now = deps.clock.now();
  const subscription = subscriptionOf(account, 'desk');
  const onSubscription =
    subscription !== null && (await w.consents.accepted([openid], subscription.id)).has(openid);
  const mapping = onSubscription ? subscription : templateOf(account, 'desk');
  const via = onSubscription ? 'subscription' : 'template';
  if (!mapping)
    return failed(
      'template',
      now,
      `outside the window and account '${account.id}' has no desk template (templates.desk)`,
    );
  const values = {
    number: c.number,
    category: CATEGORY_WORDS[c.category],
    subject: c.subject,
    summary: job.kind === 'satisfaction' ? '已办结，请评价' : subjectOf(m.text),
    status: STATUS_WORDS[c.status === 'closed' ? 'closed' : 'replied'],
    answered: m.at,
    [CASE_PAGE]: await deps.link(c.number),
  };
  const rendered = renderTemplate(mapping, 'desk', values, account);
  if (!rendered.ok) {
    deps.telemetry.metric('WeChatTemplateValuesRefused');
    return failed(via, now, `template ${mapping.id} cannot be filled: ${rendered.problems.join('; ')}`);
  }
  if (!onSubscription && !(await w.quota.take(account.appId, civilDate(now), 1, account.dailyTemplateQuota)))
    return failed(via, now, 'daily WeChat template quota reached');
  const result: WeChatSendResult = onSubscription
    ? await w.messages.sendSubscription(account, {
        touser: openid,
        templateId: mapping.id,
        data: rendered.data,
        page: rendered.url,
      })
    : await w.messages.sendTemplate(account, {
        touser: openid,
        templateId: mapping.id,
        clientMsgId: clientMsgId(`desk#${c.number}#${m.id}`, openid),
        data: rendered.data,
        url: rendered.url,
      });
  if (result.status === 'sent') return sent(via, now, rendered.url ? 'links to the case page' : null);
  if (result.status === 'unknown') return failed(via, now, `outcome unknown: ${result.message}`);
  if (result.refusal.action === 'retry' || result.refusal.action === 'token')
    throw new RetryLater(result.refusal.message);
  await recordRefusal(result.refusal, openid, 'desk notice not delivered', w.refusals);
  deps.telemetry.log('warn', 'desk notice refused', {
    openid: maskId(openid),
    errcode: result.refusal.errcode,
  });
  return failed(via, now, `WeChat ${result.refusal.errcode}: ${result.refusal.message}`);
}

async function bySms(c: Case, m: CaseMessage, job: DeskAnswerJob, deps: AnswerDeps): Promise<Delivery> {
  const now = deps.clock.now();
  const citizen = c.citizen!;
  if (!deps.sms || !citizen.sealedPhone) return failed('sms', now, 'no SMS channel or no number');
  const to = { sealedPhone: citizen.sealedPhone, id: citizen.id };
  const answer = m.text.replace(/\s*\n\s*/g, ' ');
  let r =
    job.kind === 'acknowledgement'
      ? await deps.sms.send(to, 'desk-acknowledgement', { number: c.number, due: dueOf(m.text) ?? '近期' })
      : job.kind === 'satisfaction'
        ? await deps.sms.send(to, 'desk-satisfaction', { number: c.number })
        : await deps.sms.send(to, 'desk-answer', { number: c.number, answer });
  // An answer longer than the parts allowed: its page, linked.
  if (r.outcome === 'too-long' && job.kind === 'answer')
    r = await deps.sms.send(to, 'desk-answer-link', {
      number: c.number,
      link: deps.pageBaseUrl
        ? `${deps.pageBaseUrl.replace(/\/+$/, '')}${await deps.link(c.number)}`
        : '交警公众号“查询留言”',
    });
  if (r.outcome === 'sent') return sent('sms', now);
  return failed('sms', now, 'code' in r ? `${r.outcome}: ${r.code}` : r.outcome);
}

/** The deadline the acknowledgement text names ("12月3日 17:00"), for its SMS template. */
const dueOf = (ack: string) => /(\d{1,2}月\d{1,2}日 \d{2}:\d{2})/.exec(ack)?.[1];
