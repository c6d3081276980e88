/**
 * How cases come in, whatever the channel, and what a citizen's later messages do to them.
 *
 * Primary course of openAndAcknowledge (every channel):
 *  1. the day's next number, the unit by the routing rules, both deadlines in working time;
 *  2. the case, its first message and its acknowledgement (number and expected answer time) in one
 *     transaction; a 12345 ticket seen before is the case it already made (idempotent);
 *  3. the acknowledgement reaches the citizen: in WeChat's passive reply or the 12345 call's answer
 *     (said by the caller), else by SMS through `desk-answers` (send-desk-answer).
 *
 * A citizen's follow-up (text, image, voice with its recognition, location) joins the case that
 * takes it (`takesFollowUp`: being worked and recent, answered, or closed within the reopen window,
 * which reopens it); an image or a voice is then fetched from WeChat's temporary media before it
 * expires (`desk-media` → fetch-desk-media). A menu key or a category word alone makes the next
 * message the text of a new case.
 */
import {
  type Attachment,
  CATEGORY_WORDS,
  type Case,
  type CaseCategory,
  type CaseMessage,
  type Citizen,
  type PlatformTicket,
} from '../../../schemas/desk.ts';
import type { CitizenInbox, Attachment as InboundAttachment } from '../conversation/converse.ts';
import { ConflictError } from '../errors.ts';
import type { SubscriberRef } from '../subscribers/subscriber.ts';
import { civilDate } from '../time.ts';
import {
  acknowledgementText,
  awaitsSatisfaction,
  caseNumber,
  citizenWrote,
  dueText,
  type OpenCase,
  openCase,
  rate,
  STATUS_WORDS,
  satisfactionQuestion,
  takesFollowUp,
} from './cases.ts';
import { caseSummary, commit, message } from './changes.ts';
import type { DeskDeps } from './ports.ts';

/** The actor of what citizens and the platform do, in the history and the audit trail. */
export const CITIZEN = { sub: 'citizen' };
export const PLATFORM_12345 = { sub: 'platform:12345' };

export interface Opened {
  case: Case;
  acknowledgement: string;
  duplicate: boolean;
}

const pending = { via: 'none' as const, status: 'pending' as const, detail: null, at: null };

export async function openAndAcknowledge(
  input: OpenCase & { attachment?: Attachment | null },
  actor: string,
  deps: DeskDeps,
): Promise<Opened> {
  const [config, calendar] = await Promise.all([deps.config(), deps.calendar()]);
  const now = deps.clock.now();
  const at = now.toISOString();
  const number = caseNumber(now, await deps.store.nextSequence(civilDate(now)));
  const opened = openCase(
    input,
    { config, calendar, retentionDays: deps.retentionDays },
    now,
    number,
    deps.newId(),
  );
  const c = opened.case;
  const first: CaseMessage = { ...opened.message, attachment: input.attachment ?? null };
  const acknowledgement = acknowledgementText(c);
  const inline = input.channel === 'wechat' || input.channel === '12345';
  const queued = !inline && c.citizen !== null;
  // A millisecond after what it acknowledges, so the thread (ordered by time) reads in that order.
  const ackAt = new Date(now.getTime() + 1).toISOString();
  const ack =
    inline || queued
      ? message(
          {
            from: 'system',
            at: ackAt,
            text: acknowledgement,
            delivery: inline ? { via: 'reply', status: 'sent', detail: null, at: ackAt } : pending,
          },
          deps.newId,
        )
      : null;
  const created = await deps.store.create(c, {
    audit: {
      id: deps.newId(),
      actor,
      at,
      action: 'case.open',
      entity: `case:${number}`,
      before: null,
      after: { ...caseSummary(c), channel: c.channel },
    },
    history: { at, actor, action: 'open', detail: { channel: c.channel, unit: c.unit } },
    messages: ack ? [first, ack] : [first],
  });
  if (created === 'exists') {
    const existing = c.externalId ? await deps.store.byExternal(input.channel, c.externalId) : undefined;
    if (!existing)
      throw new ConflictError(`A case for ${input.channel} ticket ${c.externalId} is being created; retry.`);
    return { case: existing, acknowledgement: acknowledgementText(existing), duplicate: true };
  }
  deps.metric('DeskCasesOpened', 1, { by: { category: c.category, channel: c.channel, unit: c.unit } });
  deps.log('info', 'case opened', { number, channel: c.channel, category: c.category, unit: c.unit });
  if (ack && queued)
    await deps.queues.answer({ caseNumber: number, messageId: ack.id, kind: 'acknowledgement' });
  await fetchMedia(c, first, deps);
  return { case: c, acknowledgement, duplicate: false };
}

/** An image or a voice is fetched from WeChat's temporary media (kept 3 days there) into our storage. */
async function fetchMedia(c: Case, m: CaseMessage, deps: DeskDeps) {
  const a = m.attachment;
  if (!a?.mediaId || (a.type !== 'image' && a.type !== 'voice') || !c.citizen?.account) return;
  await deps.queues.media({
    caseNumber: c.number,
    messageId: m.id,
    accountId: c.citizen.account,
    mediaId: a.mediaId,
    type: a.type,
  });
}

/** Adds the citizen's message to their case (reopening a closed one); retried over an officer's concurrent move. */
export async function addCitizenMessage(c: Case, m: CaseMessage, deps: DeskDeps): Promise<Case> {
  let current = c;
  for (let attempt = 0; ; attempt++) {
    const next = citizenWrote(current, deps.clock.now());
    try {
      const action = current.status === 'closed' ? 'reopen' : 'follow-up';
      await commit(current, next, { action, actor: CITIZEN, messages: [m] }, deps);
      await fetchMedia(next, m, deps);
      return next;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 2) throw error;
      const reread = await deps.store.get(c.number);
      if (!reread) throw error;
      current = reread;
    }
  }
}

/** What the conversation hands over, as the desk keeps it. */
export function attachmentOf(
  a: InboundAttachment,
  id: string,
  recognition: string | null = null,
): Attachment | null {
  const base = {
    id,
    objectKey: null,
    contentType: null,
    bytes: null,
    reason: null,
    recognition: null,
    location: null,
  };
  if (a.type === 'image') return { ...base, type: 'image', mediaId: a.mediaId, state: 'pending' };
  if (a.type === 'voice')
    return { ...base, type: 'voice', mediaId: a.mediaId, state: 'pending', recognition };
  if (a.type === 'location')
    return {
      ...base,
      type: 'location',
      mediaId: null,
      state: 'stored',
      location: { latitude: a.latitude, longitude: a.longitude, label: a.label.slice(0, 200) },
    };
  return null;
}

const LIST = 5;

/** The cases of a citizen as they read them in "查询留言". */
export function citizenCasesText(cases: readonly Case[]): string {
  if (cases.length === 0) return '您还没有留言。发送“留言 + 内容”（如“投诉 某路口违停严重”）即可联系民警。';
  const lines = cases.map(
    (c) =>
      `${c.number} ${CATEGORY_WORDS[c.category]} ${STATUS_WORDS[c.status]}${c.status === 'new' || c.status === 'assigned' ? `（${dueText(c.firstAnsweredAt ? c.resolutionDue : c.firstAnswerDue)}前答复）` : ''}：${c.subject.slice(0, 20)}`,
  );
  return `您的留言：\n${lines.join('\n')}`;
}

const INTAKE_MINUTES = 10;

/** The conversation's citizen inbox (core/conversation/converse.ts), for one WeChat account or SMS. */
export function citizenInbox(
  deps: DeskDeps,
  citizenOf: (ref: SubscriberRef) => Promise<Citizen>,
): CitizenInbox {
  const latest = async (ref: SubscriberRef) => (await deps.store.ofCitizen(ref, 1))[0];
  const open = async (
    ref: SubscriberRef,
    request: { category: CaseCategory; text: string; attachment?: Attachment | null },
  ) => {
    const citizen = await citizenOf(ref);
    const channel = citizen.channel === 'wechat' ? 'wechat' : 'sms';
    const opened = await openAndAcknowledge(
      {
        channel,
        category: request.category,
        text: request.text,
        citizen,
        area: null,
        externalId: null,
        attachment: request.attachment ?? null,
      },
      CITIZEN.sub,
      deps,
    );
    return { caseNumber: opened.case.number, acknowledgement: opened.acknowledgement };
  };
  return {
    open,
    async expect(ref, category) {
      const until = new Date(deps.clock.now().getTime() + INTAKE_MINUTES * 60_000).toISOString();
      await deps.store.expectIntake(ref, category, until);
    },
    async followUp(ref, item) {
      const now = deps.clock.now();
      const config = await deps.config();
      const c = await latest(ref);
      const recognition = 'text' in item && item.voice ? item.text : null;
      const attachment =
        'attachment' in item
          ? attachmentOf(item.attachment, deps.newId())
          : item.voice
            ? attachmentOf({ type: 'voice', mediaId: item.voice.mediaId }, deps.newId(), recognition)
            : null;
      if ('attachment' in item && !attachment) return null;
      if (c && takesFollowUp(c, config, now, ref.channel === 'sms' ? 'sms' : 'chat')) {
        const m = message(
          { from: 'citizen', at: now.toISOString(), text: 'text' in item ? item.text : '', attachment },
          deps.newId,
        );
        await addCitizenMessage(c, m, deps);
        return { caseNumber: c.number, reopened: c.status === 'closed' };
      }
      const intake = 'text' in item ? await deps.store.takeIntake(ref, now.toISOString()) : null;
      if (!intake || !('text' in item)) return null;
      const opened = await open(ref, { category: intake, text: item.text, attachment });
      return { ...opened, reopened: false };
    },
    async cases(ref) {
      return citizenCasesText(await deps.store.ofCitizen(ref, LIST));
    },
    async rate(ref, score) {
      const now = deps.clock.now();
      const c = await latest(ref);
      if (!c || !awaitsSatisfaction(c, now)) return null;
      await commit(
        c,
        rate(c, score, now),
        { action: 'rate', actor: CITIZEN, detail: { satisfaction: score } },
        deps,
      );
      deps.metric('DeskSatisfactionAnswers');
      // Its Average is the measures' satisfaction (1 best, 3 worst).
      deps.metric('DeskSatisfactionScore', score, { unit: 'None', by: { unit: c.unit } });
      return { caseNumber: c.number };
    },
  };
}

/** A ticket the 12345 platform hands over: a case of its own ticket id, once however often it is posted. */
export async function openFromPlatform(ticket: PlatformTicket, deps: DeskDeps): Promise<Opened> {
  const existing = await deps.store.byExternal('12345', ticket.ticketId);
  if (existing) return { case: existing, acknowledgement: acknowledgementText(existing), duplicate: true };
  let citizen: Citizen | null = null;
  if (ticket.phone && deps.sealPhone) {
    const { id, sealed } = await deps.sealPhone(ticket.phone);
    citizen = { channel: 'sms', id, account: null, sealedPhone: sealed };
  }
  return openAndAcknowledge(
    {
      channel: '12345',
      category: ticket.category,
      text: ticket.text,
      citizen,
      area: ticket.area ?? null,
      externalId: ticket.ticketId,
    },
    PLATFORM_12345.sub,
    deps,
  );
}

export { satisfactionQuestion };
