/**
 * The replies the asynchronous path sends (core/delivery/async-reply.ts `PendingReplies`), over the
 * inbound de-duplication log: its record stores the passive reply as WeChat XML (text, or one
 * article), read back here as the customer-service message that says the same.
 */
import type { PendingReplies } from '../../core/delivery/async-reply.ts';
import type { NoteClaims } from '../../core/delivery/follower-notes.ts';
import type { CustomerServiceMessage } from '../../core/delivery/ports.ts';
import type { InboundLog } from '../dynamodb/inbound-log.ts';
import { cdata, field, parseWeChatXml, type XmlNode } from './xml.ts';

function replyOf(xml: string): CustomerServiceMessage | null {
  const m = parseWeChatXml(xml);
  if (field(m, 'MsgType') === 'news') {
    const articles = m.Articles;
    const item =
      articles && typeof articles === 'object' && !Array.isArray(articles)
        ? ((articles as XmlNode).item as XmlNode[] | undefined)?.[0]
        : undefined;
    if (!item) return null;
    return {
      type: 'news',
      article: {
        title: field(item, 'Title'),
        description: field(item, 'Description'),
        url: field(item, 'Url'),
      },
    };
  }
  const content = field(m, 'Content');
  return content ? { type: 'text', content } : null;
}

export class InboundPendingReplies implements PendingReplies {
  private readonly log: InboundLog;
  constructor(log: InboundLog) {
    this.log = log;
  }

  async state(key: string) {
    const record = await this.log.get(key);
    if (!record) return undefined;
    return { done: record.state === 'done', reply: record.reply ? replyOf(record.reply) : null };
  }

  finishWith(key: string, text: string) {
    return this.log.complete(key, `<xml><Content>${cdata(text)}</Content></xml>`);
  }

  claimSend(key: string) {
    return this.log.claimAsyncSend(key);
  }

  releaseSend(key: string) {
    return this.log.releaseAsyncSend(key);
  }
}

/** Follower notes are claimed once on the inbound log (`note#<key>`), kept a day: past any redelivery. */
export class InboundNoteClaims implements NoteClaims {
  private readonly log: InboundLog;
  private readonly now: () => number;
  constructor(log: InboundLog, now: () => number) {
    this.log = log;
    this.now = now;
  }

  async claim(key: string) {
    return (await this.log.claim(`note#${key}`, this.now(), 24 * 3600)) === 'claimed';
  }

  release(key: string) {
    return this.log.release(`note#${key}`);
  }
}
