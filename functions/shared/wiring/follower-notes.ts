/**
 * Wiring: a note to a WeChat follower from another channel's work (an SMS reply, a driver code's
 * blocked send), published to `wechat-replies`; send-wechat-reply sends it as a customer-service
 * message, at most once by its key.
 */
import type { FollowerNoteJob } from '../../../schemas/wechat.ts';
import type { FollowerNotes } from '../../core/sms/replies.ts';
import { topics } from '../clients/sns.ts';
import { topicArn } from '../config.ts';

export function followerNotes(): FollowerNotes {
  const repliesTopic = topicArn('wechat-replies');
  return {
    tell: (follower, key, text) =>
      topics.publish(repliesTopic, { kind: 'note', ...follower, key, text } satisfies FollowerNoteJob),
  };
}
