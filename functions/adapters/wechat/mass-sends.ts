/**
 * An article mass send over the API client (core/delivery/mass-send.ts `MassSender`): the article
 * as a draft (`/cgi-bin/draft/add`), then the draft to the account's followers or a tag
 * (`/cgi-bin/message/mass/sendall`, msgtype mpnews, with a clientmsgid so a repeat is refused 45065).
 */
import type { MassSender } from '../../core/delivery/mass-send.ts';
import type { WeChatApi } from './api.ts';
import { outcome } from './messages.ts';

export class WeChatMassSender implements MassSender {
  private readonly api: WeChatApi;
  constructor(api: WeChatApi) {
    this.api = api;
  }

  addDraft: MassSender['addDraft'] = async (account, a) => {
    let mediaId = '';
    const result = await outcome(async () => {
      const res = await this.api.call(account, '/cgi-bin/draft/add', {
        articles: [
          {
            title: a.title,
            ...(a.author ? { author: a.author } : {}),
            digest: a.digest,
            content: a.content,
            ...(a.sourceUrl ? { content_source_url: a.sourceUrl } : {}),
            thumb_media_id: a.thumbMediaId,
            need_open_comment: 0,
            only_fans_can_comment: 0,
          },
        ],
      });
      mediaId = String(res.media_id ?? '');
      return res;
    });
    return result.status === 'sent' && mediaId ? { mediaId } : result;
  };

  sendAll: MassSender['sendAll'] = (account, s) =>
    outcome(async () => {
      const res = await this.api.call(account, '/cgi-bin/message/mass/sendall', {
        filter: s.tagId === null ? { is_to_all: true } : { is_to_all: false, tag_id: s.tagId },
        mpnews: { media_id: s.mediaId },
        msgtype: 'mpnews',
        send_ignore_reprint: 0,
        clientmsgid: s.clientMsgId,
      });
      return { ...res, msgid: res.msg_id };
    });
}
