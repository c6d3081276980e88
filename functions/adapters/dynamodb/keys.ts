/**
 * Every DynamoDB key this system writes, built in one place (README: "DynamoDB access patterns").
 */
import type { SubscriberRef } from '../../core/subscribers/subscriber.ts';

export const keys = {
  /** subscribers: the profile item and one item per binding, in one partition per subscriber. */
  subscriber: (r: SubscriberRef) => ({ pk: `SUB#${r.channel}#${r.id}`, sk: 'PROFILE' }),
  binding: (r: SubscriberRef, plate: string) => ({ pk: `SUB#${r.channel}#${r.id}`, sk: `BIND#${plate}` }),
  /** subscribers: an SMS subscriber's number, encrypted (id = HMAC of the number). */
  smsContact: (id: string) => ({ pk: `SUB#sms#${id}`, sk: 'CONTACT' }),
  /** ledger: messages sent to one SMS number on one civil day (the per-number daily cap). */
  smsNumberDay: (id: string, date: string) => ({ pk: `SMSNUM#${id}`, sk: date }),
  /** operations: the month's SMS spend in fen (the budget ceiling). */
  smsBudget: (month: string) => ({ pk: `SMSBUDGET#${month}`, sk: 'SPEND' }),
  /** operations: one SMS delivery record by the gateway's message id (receipts update it). */
  smsMessage: (provider: string, messageId: string) => ({
    pk: `SMSMSG#${provider}#${messageId}`,
    sk: 'DELIVERY',
  }),
  /** inbound: one de-duplication record per WeChat message / event / SMS callback. */
  inbound: (key: string) => ({ pk: `IN#${key}` }),
  /** content: all records of one kind share a partition (tiny, read together). */
  restrictionData: (kind: 'calendar' | 'rule' | 'suspension', id: string) => ({
    pk: `RDATA#${kind}`,
    sk: id,
  }),
  restrictionDataPartition: (kind: 'calendar' | 'rule' | 'suspension') => `RDATA#${kind}`,
  /** content: a notice, its public feed projection (published/withdrawn only) and its pending announcement. */
  notice: (id: string) => ({ pk: `NOTICE#${id}`, sk: 'NOTICE' }),
  noticeByStatus: (status: string, at: string, id: string) => ({
    gsi1pk: `NSTATUS#${status}`,
    gsi1sk: `${at}#${id}`,
  }),
  feedItem: (id: string) => ({ pk: `NOTICE#${id}`, sk: 'FEED' }),
  feed: (city: string, publishedAt: string, id: string) => ({
    gsi1pk: `FEED#${city}`,
    gsi1sk: `${publishedAt}#${id}`,
  }),
  noticeAnnouncement: (id: string, version: number) => ({ pk: `NOTICE#${id}`, sk: `PUSH#${version}` }),
  pendingAnnouncements: 'NPUSH#pending',
  /** operations: the outcome WeChat reported for a template message, by the msgid it returned. */
  templateOutcome: (appId: string, msgId: string) => ({ pk: `WXMSG#${appId}#${msgId}`, sk: 'OUTCOME' }),
  /** operations: audit entries by day, and by actor through gsi1. */
  audit: (at: string, id: string, actor: string) => ({
    pk: `AUDIT#${at.slice(0, 10)}`,
    sk: `${at}#${id}`,
    gsi1pk: `ACTOR#${actor}`,
    gsi1sk: `${at}#${id}`,
  }),
} as const;
