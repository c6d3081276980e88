/**
 * Who a notice reaches: the audience rule (all followers, those bound in the city, some tails, the
 * officers' internal accounts), applied to one subscriber's census entry. The planner's expansion,
 * the preview and the operators' counts all use this one rule.
 */
import type { Audience, Notice } from '../../../schemas/notices.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import type { Channel } from '../vocabulary.ts';

export interface CensusEntry {
  channel: Channel;
  id: string;
  account: string;
  status: string;
  bindings: Array<{ city: string; tail: number }>;
}

export function matchesAudience(
  e: CensusEntry,
  audience: Audience,
  city: string,
  internalAccounts: ReadonlySet<string>,
): boolean {
  if (e.status !== 'active') return false;
  const internal = internalAccounts.has(e.account);
  switch (audience.type) {
    case 'internal':
      return internal;
    case 'all-followers':
      return !internal;
    case 'bound-in-city':
      return !internal && e.bindings.some((b) => b.city === city);
    case 'tails':
      return !internal && e.bindings.some((b) => b.city === city && audience.tails.includes(b.tail));
  }
}

/** The accounts whose followers are officers (audience `internal`), excluded from public audiences. */
export const internalAccountIds = (accounts: readonly Pick<WeChatAccount, 'id' | 'audience'>[]) =>
  new Set(accounts.filter((a) => a.audience === 'internal').map((a) => a.id));

/** The audience members on one channel. */
export function audienceOf(
  input: { notice: Pick<Notice, 'audience' | 'city'>; census: readonly CensusEntry[] },
  channel: Channel,
  internalAccounts: ReadonlySet<string>,
) {
  return input.census.filter(
    (e) =>
      e.channel === channel && matchesAudience(e, input.notice.audience, input.notice.city, internalAccounts),
  );
}
