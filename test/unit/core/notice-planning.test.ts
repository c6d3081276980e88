import { describe, expect, it } from 'vitest';
import { subscribersOfPage } from '../../../functions/adapters/dynamodb/audience.ts';
import { parseIntent } from '../../../functions/core/conversation/converse.ts';
import { noticeRecipients } from '../../../functions/core/pushes/expansion.ts';

/** One page of a Scan as expansion reads it: complete subscribers (the adapter), the audience (core). */
function noticeRecipientsOfPage(
  items: Array<Record<string, unknown>>,
  segment: Parameters<typeof noticeRecipients>[1],
  lastEvaluatedKey: Record<string, unknown> | null,
) {
  const { members, resumeAfter } = subscribersOfPage(items, lastEvaluatedKey);
  return { recipients: noticeRecipients(members, segment), resumeAfter };
}

const profile = (id: string, over: Record<string, unknown> = {}) => ({
  pk: `SUB#${over.channel ?? 'wechat'}#${id}`,
  sk: 'PROFILE',
  channel: 'wechat',
  id,
  account: 'dev',
  status: 'active',
  ...over,
});
const binding = (id: string, city: string, tail: number, channel = 'wechat') => ({
  pk: `SUB#${channel}#${id}`,
  sk: `BIND#${city}#X${tail}`,
  city,
  tail,
});
const segment = (audience: Parameters<typeof noticeRecipientsOfPage>[1]['audience']) => ({
  audience,
  city: 'beijing',
  channels: ['wechat', 'sms'] as Array<'wechat' | 'sms'>,
  internalAccounts: ['officers'],
});

describe('noticeRecipientsOfPage', () => {
  const page = [
    binding('a', 'beijing', 1),
    profile('a'),
    binding('b', 'tianjin', 2),
    profile('b'),
    profile('c'), // no plate
    profile('d', { status: 'opted-out' }),
    profile('e', { account: 'officers' }),
    profile('f', { channel: 'sms', scene: 'wechat-fallback' }), // a fallback number only
    binding('g', 'beijing', 3, 'sms'),
    profile('g', { channel: 'sms', scene: 'wechat-fallback' }), // …who also bound a plate by SMS
  ];
  const ids = (audience: Parameters<typeof segment>[0]) =>
    noticeRecipientsOfPage(page, segment(audience), null).recipients.map((r) => r.id);

  it('keeps each audience: bound in the city, tails, all public followers, officers', () => {
    expect(ids({ type: 'bound-in-city' })).toEqual(['a', 'g']);
    expect(ids({ type: 'tails', tails: [1, 2] })).toEqual(['a']);
    expect(ids({ type: 'all-followers' })).toEqual(['a', 'b', 'c', 'g']);
    expect(ids({ type: 'internal' })).toEqual(['e']);
  });

  it('resumes a page that ends inside a subscriber after the last complete one', () => {
    const cut = [binding('a', 'beijing', 1), profile('a'), binding('b', 'beijing', 2)];
    const last = { pk: 'SUB#wechat#b', sk: 'BIND#beijing#X2' };
    const { recipients, resumeAfter } = noticeRecipientsOfPage(cut, segment({ type: 'bound-in-city' }), last);
    expect(recipients.map((r) => r.id)).toEqual(['a']);
    expect(resumeAfter).toEqual({ pk: 'SUB#wechat#a', sk: 'PROFILE' });
    // A page ending on a profile resumes where DynamoDB says; the last page ends the segment.
    expect(
      noticeRecipientsOfPage(cut.slice(0, 2), segment({ type: 'all-followers' }), { pk: 'x' }).resumeAfter,
    ).toEqual({ pk: 'x' });
    expect(noticeRecipientsOfPage(cut, segment({ type: 'all-followers' }), null).resumeAfter).toBeNull();
  });
});

describe('the SMS fallback intent', () => {
  it('reads 短信备用 / 开通短信备用 and 关闭短信备用', () => {
    expect(parseIntent('短信备用', [])).toEqual({ type: 'sms-fallback', on: true });
    expect(parseIntent('开通短信备用', [])).toEqual({ type: 'sms-fallback', on: true });
    expect(parseIntent('关闭短信备用', [])).toEqual({ type: 'sms-fallback', on: false });
  });
});
