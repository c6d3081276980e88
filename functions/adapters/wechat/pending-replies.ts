/**
 * The replies the asynchronous path sends (core/delivery/async-reply.ts `PendingReplies`), over the
 * inbound de-duplication log: its record stores the passive reply as WeChat XML, read back here.
 */
import type { PendingReplies } from '../../core/delivery/async-reply.ts';
import type { InboundLog } from '../dynamodb/inbound-log.ts';
import { cdata, field, parseWeChatXml } from './xml.ts';

export class InboundPendingReplies implements PendingReplies {
  private readonly log: InboundLog;
  constructor(log: InboundLog) {
    this.log = log;
  }

  async state(key: string) {
    const record = await this.log.get(key);
    if (!record) return undefined;
    const text = record.reply ? field(parseWeChatXml(record.reply), 'Content') || null : null;
    return { done: record.state === 'done', text };
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
