/**
 * Every DynamoDB key this system writes or reads, built in one place. The README's access-pattern
 * table lists these one to one; no other module spells a prefix. Ids that come from outside (openids,
 * plates, notice ids) are validated by their schemas before they reach a key; and every key built
 * here is length-checked against DynamoDB's limits (a partition key of 2,048 bytes, a sort key of
 * 1,024: a bare key string is held to the smaller), so one that slipped past a schema is a
 * ValidationError (400 on a route) instead of DynamoDB's ValidationException (a 500).
 */
import type { Subject } from '../../core/drivers/subjects.ts';

import { ValidationError } from '../../core/errors.ts';
import type { FanoutSegment } from '../../core/subscribers/fanout.ts';
import type { SubscriberRef } from '../../core/subscribers/subscriber.ts';
import type { Channel } from '../../core/vocabulary.ts';

const SUB = 'SUB#';
const PROFILE = 'PROFILE';
const BIND = 'BIND#';

const builders = {
  // --- subscribers table ----------------------------------------------------------------------
  /** The profile item and one item per binding, in one partition per subscriber. */
  subscriberPartition: (r: SubscriberRef) => `${SUB}${r.channel}#${r.id}`,
  subscriber: (r: SubscriberRef) => ({ pk: keys.subscriberPartition(r), sk: PROFILE }),
  binding: (r: SubscriberRef, plate: string) => ({ pk: keys.subscriberPartition(r), sk: `${BIND}${plate}` }),
  /** An SMS subscriber's number, encrypted (id = HMAC of the number). */
  smsContact: (id: string) => ({ pk: `${SUB}sms#${id}`, sk: 'CONTACT' }),
  /** What an item of a subscriber's partition is, from its keys (a Scan sees them all). */
  subscriberItemKind: (item: { pk?: unknown; sk?: unknown }): 'profile' | 'binding' | 'other' | null =>
    typeof item.pk !== 'string' || !item.pk.startsWith(SUB)
      ? null
      : item.sk === PROFILE
        ? 'profile'
        : typeof item.sk === 'string' && item.sk.startsWith(BIND)
          ? 'binding'
          : 'other',
  /** A WeChat follower's customer-service window (the grants their messages and events opened). */
  customerServiceWindow: (openid: string) => ({
    pk: keys.subscriberPartition({ channel: 'wechat', id: openid }),
    sk: 'CSWINDOW',
  }),
  /** A WeChat follower's consent to one long-term subscription template (订阅通知). */
  subscriptionConsent: (openid: string, templateId: string) => ({
    pk: keys.subscriberPartition({ channel: 'wechat', id: openid }),
    sk: `CONSENT#${templateId}`,
  }),
  /** A WeChat follower's last reported location (LOCATION events), kept only if they opted in; TTL. */
  lastLocation: (openid: string) => ({
    pk: keys.subscriberPartition({ channel: 'wechat', id: openid }),
    sk: 'LOCATION',
  }),
  /** The sparse fan-out index (`fanout`): bindings listed exactly while their subscriber may be pushed. */
  fanout: (s: FanoutSegment) => `${s.city}#${s.tail}#${s.slot}#${s.shard}`,
  fanoutSort: (r: SubscriberRef, plate: string) => `${r.channel}#${r.id}#${plate}`,

  // --- ledger table ---------------------------------------------------------------------------
  /** A subscriber's day ledger: cap counters and push keys for one civil day. */
  ledgerPartition: (channel: Channel, id: string) => `LEDGER#${channel}#${id}`,
  ledgerDay: (channel: Channel, id: string, date: string) => ({
    pk: keys.ledgerPartition(channel, id),
    sk: date,
  }),
  /** The subscriber a ledger partition belongs to. */
  ledgerOwner: (pk: string): { channel: string; id: string } => {
    const rest = pk.slice('LEDGER#'.length);
    const cut = rest.indexOf('#');
    return { channel: rest.slice(0, cut), id: rest.slice(cut + 1) };
  },
  /** What a delivery bundle's attempts finished, one attribute per recipient. */
  receipt: (bundle: string) => ({ pk: `RECEIPT#${bundle}`, sk: 'RECEIPT' }),
  /** Bundles deferred by quiet hours, by release day (UTC) and shard; sorted by release instant. */
  deferredPartition: (releaseDay: string, shard: number) => `DEFER#${releaseDay}#${shard}`,
  deferred: (releaseAt: string, shard: number, pushKey: string, channel: Channel, bundle: string) => ({
    pk: keys.deferredPartition(releaseAt.slice(0, 10), shard),
    sk: `${releaseAt}#${pushKey}#${channel}#${bundle}`,
  }),
  /** Messages sent to one SMS number on one civil day (the per-number daily cap). */
  smsNumberDay: (id: string, date: string) => ({ pk: `SMSNUM#${id}`, sk: date }),

  // --- drivers table -------------------------------------------------------------------------
  /** One partition per vehicle (plate) or licence, named by its keyed hash: registry, owners, records. */
  driverSubject: (s: Subject) => `${s.type === 'vehicle' ? 'VEH' : 'LIC'}#${s.key}`,
  /** The registry: a vehicle's per plate type (VIN hash, phone), a licence's one (file-number hash, phone). */
  driverRegistry: (s: Subject, plateType?: string) => ({
    pk: keys.driverSubject(s),
    sk: plateType ? `REG#${plateType}` : 'REG',
  }),
  /** A follower who proved ownership (the operators' view lists them; notices read HOLDERS). */
  driverOwner: (s: Subject, channel: Channel, id: string) => ({
    pk: keys.driverSubject(s),
    sk: `REGOWNER#${channel}#${id}`,
  }),
  /**
   * Who a subject's notices go to, in one item read by BatchGetItem (100 subjects a call): the
   * registered phone's id and one `owner:{channel}:{id}` attribute per verified owner.
   */
  driverHolders: (s: Subject) => ({ pk: keys.driverSubject(s), sk: 'HOLDERS' }),
  driverVehicleRegistryPrefix: 'REG#',
  driverViolation: (s: Subject, violationId: string) => ({
    pk: keys.driverSubject(s),
    sk: `VIOL#${violationId}`,
  }),
  driverViolationsPrefix: 'VIOL#',
  driverPoints: (s: Subject) => ({ pk: keys.driverSubject(s), sk: 'POINTS' }),
  driverDue: (s: Subject, kind: string) => ({ pk: keys.driverSubject(s), sk: `DUE#${kind}` }),
  driverDuePrefix: 'DUE#',
  /** The sparse due-date index (`gsi1`): due records by date and shard, sorted by kind. */
  driverDueIndex: (dueDate: string, shard: number) => `DUE#${dueDate}#${shard}`,
  driverDueIndexSort: (kind: string, s: Subject) => `${kind}#${s.type}#${s.key}`,
  /** What a follower verified, and their wrong proofs of a day. */
  driverFollower: (channel: Channel, id: string) => `DFOLLOW#${channel}#${id}`,
  driverVerified: (channel: Channel, id: string, s: Subject) => ({
    pk: keys.driverFollower(channel, id),
    sk: `OWNS#${s.type}#${s.key}`,
  }),
  driverVerifiedPrefix: 'OWNS#',
  driverFollowerTries: (channel: Channel, id: string, s: Subject, day: string) => ({
    pk: keys.driverFollower(channel, id),
    sk: `TRY#${s.key}#${day}`,
  }),
  /** A follower's pending SMS code (its keyed hash; one at a time) and when they last asked for one. */
  driverPendingCode: (channel: Channel, id: string) => ({ pk: keys.driverFollower(channel, id), sk: 'CODE' }),
  driverCodeLast: (channel: Channel, id: string) => ({
    pk: keys.driverFollower(channel, id),
    sk: 'CODELAST',
  }),
  /** SMS codes sent on a day: at a follower's request, and for one vehicle or licence, whoever asked. */
  driverFollowerCodes: (channel: Channel, id: string, day: string) => ({
    pk: keys.driverFollower(channel, id),
    sk: `CODES#${day}`,
  }),
  driverSubjectCodes: (s: Subject, day: string) => ({ pk: keys.driverSubject(s), sk: `CODES#${day}` }),
  /** Wrong proofs of one vehicle or licence on a day, whoever sent them. */
  driverSubjectTries: (s: Subject, day: string) => ({ pk: keys.driverSubject(s), sk: `TRIES#${day}` }),
  /** A registered phone, sealed, by its SMS identity (deliver-sms reads it for SMS to registered phones). */
  registeredPhone: (phoneId: string) => ({ pk: `PHONE#${phoneId}`, sk: 'CONTACT' }),
  /** Verification counts of an ISO week; `total` holds the verified ownerships now. */
  driverStats: (week: string) => ({ pk: `DSTATS#${week}`, sk: 'STATS' }),

  // --- inbound table --------------------------------------------------------------------------
  /** One de-duplication record per WeChat message / event / SMS callback. */
  inbound: (key: string) => ({ pk: `IN#${key}` }),
  /** An SMS-fallback code (短信备用), valid minutes; and a number's tries today. */
  fallbackCode: (code: string) => ({ pk: `FBLINK#${code}` }),
  fallbackTries: (smsId: string, day: string) => ({ pk: `FBTRY#${smsId}#${day}` }),

  // --- content table --------------------------------------------------------------------------
  /** All records of one kind share a partition (tiny, read together). */
  restrictionData: (kind: 'calendar' | 'rule' | 'suspension', id: string) => ({
    pk: `RDATA#${kind}`,
    sk: id,
  }),
  restrictionDataPartition: (kind: 'calendar' | 'rule' | 'suspension') => `RDATA#${kind}`,
  /** A notice, its public feed projection (published/withdrawn only) and its pending announcement. */
  notice: (id: string) => ({ pk: `NOTICE#${id}`, sk: 'NOTICE' }),
  noticesByStatus: (status: string) => `NSTATUS#${status}`,
  noticeByStatus: (status: string, at: string, id: string) => ({
    gsi1pk: keys.noticesByStatus(status),
    gsi1sk: `${at}#${id}`,
  }),
  feedItem: (id: string) => ({ pk: `NOTICE#${id}`, sk: 'FEED' }),
  feedOf: (city: string) => `FEED#${city}`,
  feed: (city: string, publishedAt: string, id: string) => ({
    gsi1pk: keys.feedOf(city),
    gsi1sk: `${publishedAt}#${id}`,
  }),
  noticeAnnouncement: (id: string, version: number) => ({ pk: `NOTICE#${id}`, sk: `PUSH#${version}` }),
  /** Managed content (keyword replies, service information, the desk's configuration): in force and every version. */
  contentPartition: (name: string) => `CONTENT#${name}`,
  contentCurrent: (name: string) => ({ pk: keys.contentPartition(name), sk: 'CURRENT' }),
  contentVersion: (name: string, version: number) => ({
    pk: keys.contentPartition(name),
    sk: `V#${String(version).padStart(6, '0')}`,
  }),
  pendingAnnouncements: 'NPUSH#pending',

  // --- desk table -----------------------------------------------------------------------------
  /** A case (诉求): its head item, one item per message and per history line, in one partition. */
  casePartition: (number: string) => `CASE#${number}`,
  case: (number: string) => ({ pk: keys.casePartition(number), sk: 'CASE' }),
  caseMessage: (number: string, at: string, id: string) => ({
    pk: keys.casePartition(number),
    sk: `MSG#${at}#${id}`,
  }),
  caseMessages: 'MSG#',
  caseHistory: (number: string, at: string, id: string) => ({
    pk: keys.casePartition(number),
    sk: `HIST#${at}#${id}`,
  }),
  caseHistories: 'HIST#',
  /** A unit's cases in one status, newest first (`by-unit`). */
  casesOfUnit: (unit: string, status: string) => `UNIT#${unit}#${status}`,
  caseByUnit: (unit: string, status: string, createdAt: string, number: string) => ({
    gsi1pk: keys.casesOfUnit(unit, status),
    gsi1sk: `${createdAt}#${number}`,
  }),
  /** An officer's open cases (`by-assignee`; absent once closed or unassigned). */
  casesOfAssignee: (sub: string) => `ASSIGNEE#${sub}`,
  caseByAssignee: (sub: string, createdAt: string, number: string) => ({
    gsi2pk: keys.casesOfAssignee(sub),
    gsi2sk: `${createdAt}#${number}`,
  }),
  /** A unit's open cases by their next deadline (`by-due`; absent once closed). */
  casesDue: (unit: string) => `DUE#${unit}`,
  caseByDue: (unit: string, due: string, number: string) => ({
    gsi3pk: keys.casesDue(unit),
    gsi3sk: `${due}#${number}`,
  }),
  /** A citizen's cases, newest first (`by-citizen`). */
  casesOfCitizen: (channel: string, id: string) => `CITIZEN#${channel}#${id}`,
  caseByCitizen: (channel: string, id: string, createdAt: string, number: string) => ({
    gsi4pk: keys.casesOfCitizen(channel, id),
    gsi4sk: `${createdAt}#${number}`,
  }),
  /** The day's case-number counter (Asia/Shanghai day). */
  caseSequence: (day: string) => ({ pk: `CASESEQ#${day}`, sk: 'SEQ' }),
  /** The case of an external system's ticket (12345), so a ticket posted twice is one case. */
  caseExternal: (system: string, id: string) => ({ pk: `CASEEXT#${system}#${id}`, sk: 'EXT' }),
  /** The next message of a citizen opens a case of this category (a menu key, a bare case word); minutes. */
  caseIntake: (channel: string, id: string) => ({ pk: `INTAKE#${channel}#${id}`, sk: 'INTAKE' }),

  // --- operations table -----------------------------------------------------------------------
  /** A push run under its idempotent key, listed newest first through gsi1; one item per segment cursor. */
  run: (runKey: string) => ({ pk: `RUN#${runKey}`, sk: 'RUN' }),
  runsListed: 'RUNS',
  /** `startedAt` is an ISO instant in UTC (toISOString), so the sort key sorts by time. */
  runListing: (startedAt: string, runKey: string) => ({
    gsi1pk: keys.runsListed,
    gsi1sk: `${startedAt}#${runKey}`,
  }),
  runSegment: (runKey: string, segment: string) => ({ pk: `RUN#${runKey}`, sk: `SEG#${segment}` }),
  runSegmentPrefix: 'SEG#',
  /** One expanded page of a segment: the bundles it became, what was settled at expansion. */
  runPage: (runKey: string, segment: string, page: number) => ({
    pk: `RUN#${runKey}`,
    sk: `PAGE#${segment}#${String(page).padStart(6, '0')}`,
  }),
  runPagePrefix: 'PAGE#',
  /** Pushes sent and unfollows attributed per category and ISO week. */
  pushStats: (category: string, week: string) => ({ pk: `STATS#${category}#${week}`, sk: 'STATS' }),
  /** An account's article mass send of one day (its daily allowance), with the runs it went out for. */
  massSendDay: (appId: string, date: string) => ({ pk: `MASS#${appId}#${date}`, sk: 'MASS' }),
  /** The custom menu last published to a WeChat account from the repository (with its audit entry). */
  wechatMenu: (appId: string) => ({ pk: `MENU#${appId}`, sk: 'MENU' }),
  /** A provider's daily quota (WeChat template messages per account). */
  dailyQuota: (appId: string, date: string) => ({ pk: `QUOTA#${appId}#${date}`, sk: 'QUOTA' }),
  /** The WeChat access_token shared by all containers, with the fetch lease. */
  wechatToken: (appId: string) => ({ pk: `TOKEN#${appId}`, sk: 'TOKEN' }),
  /** An editable policy (the frequency cap). */
  policy: (name: string) => ({ pk: `POLICY#${name}`, sk: 'POLICY' }),
  /** The month's SMS spend in fen (the budget ceiling). */
  smsBudget: (month: string) => ({ pk: `SMSBUDGET#${month}`, sk: 'SPEND' }),
  /** One SMS delivery record by the gateway's message id (receipts update it). */
  smsMessage: (provider: string, messageId: string) => ({
    pk: `SMSMSG#${provider}#${messageId}`,
    sk: 'DELIVERY',
  }),
  /** The outcome WeChat reported for a template message, by the msgid it returned. */
  templateOutcome: (appId: string, msgId: string) => ({ pk: `WXMSG#${appId}#${msgId}`, sk: 'OUTCOME' }),
  /** Audit entries by day, and by actor through gsi1 (append-only: writers may put only here). */
  auditDay: (day: string) => `${AUDIT_PREFIX}${day}`,
  auditByActor: (actor: string) => `ACTOR#${actor}`,
  audit: (at: string, id: string, actor: string) => ({
    pk: keys.auditDay(at.slice(0, 10)),
    sk: `${at}#${id}`,
    gsi1pk: keys.auditByActor(actor),
    gsi1sk: `${at}#${id}`,
  }),
} as const;

/** DynamoDB's limits on a key attribute's value, in UTF-8 bytes. */
export const MAX_PARTITION_KEY_BYTES = 2048;
export const MAX_SORT_KEY_BYTES = 1024;

/** Refuses a built key DynamoDB would refuse (`pk`, `gsi1pk`, …: partition keys; anything else: sort keys). */
export function checkKey<T>(builder: string, key: T): T {
  const parts: Record<string, unknown> =
    typeof key === 'string'
      ? { key }
      : key && typeof key === 'object'
        ? (key as Record<string, unknown>)
        : {};
  for (const [attribute, value] of Object.entries(parts)) {
    if (typeof value !== 'string') continue;
    const max = /pk$/.test(attribute) ? MAX_PARTITION_KEY_BYTES : MAX_SORT_KEY_BYTES;
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > max)
      throw new ValidationError(
        `A key built from this input would be ${bytes} bytes; at most ${max} are allowed.`,
        [{ path: 'key', message: `${builder}: ${attribute} of ${bytes} bytes (at most ${max})` }],
      );
  }
  return key;
}

/** The builders, each one's result length-checked. */
export const keys = Object.fromEntries(
  Object.entries(builders).map(([name, build]) => [
    name,
    typeof build === 'function'
      ? (...args: unknown[]) => checkKey(name, (build as (...a: unknown[]) => unknown)(...args))
      : build,
  ]),
) as typeof builders;

/** The partitions an append-only writer may put into (the IAM condition dynamodb:LeadingKeys). */
export const AUDIT_PREFIX = 'AUDIT#';
