/**
 * How a notice would go out on WeChat, account by account — the check approval, publication and
 * preview make, and what the preview shows: each account of its audience sends it as a template
 * message (its typed keys filled from this very notice), as a subscription notice to followers who
 * accepted it, or — an account that cannot send template messages — as an article mass send. A
 * template the account lacks, values this notice cannot fill validly (a const the notice's kind is
 * not declared for, a title with nothing WeChat can show) or a mass send not configured is a
 * problem named here, at approval and preview, never a 47003 at send time.
 */
import type { Notice } from '../../../schemas/notices.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { noticePlaceholders } from '../wechat/placeholders.ts';
import { renderTemplate, subscriptionOf, templateOf } from '../wechat/templates.ts';
import { pushCategory } from './lifecycle.ts';
import { weChatSenders } from './planning.ts';

export interface AccountSending {
  account: string;
  via: 'template' | 'subscription' | 'mass-send';
  templateId: string | null;
  /** The keys as a follower sees them (template and subscription notices). */
  values: Record<string, string> | null;
  url: string | null;
}

type Fields = Pick<
  Notice,
  | 'id'
  | 'kind'
  | 'title'
  | 'shortBody'
  | 'areas'
  | 'effectiveFrom'
  | 'effectiveTo'
  | 'publishedAt'
  | 'city'
  | 'channels'
  | 'audience'
  | 'priority'
>;

export function weChatSending(
  n: Fields,
  accounts: readonly WeChatAccount[],
  cityName: string = n.city,
): { sendings: AccountSending[]; problems: string[] } {
  if (!n.channels.includes('wechat')) return { sendings: [], problems: [] };
  const category = pushCategory(n);
  const audience = n.audience.type === 'internal' ? 'internal' : 'public';
  const { oneByOne, massSend } = weChatSenders(n, accounts);
  if (oneByOne.length + massSend.length === 0)
    return { sendings: [], problems: [`no ${audience} WeChat account is configured to send it`] };
  const values = noticePlaceholders(n, cityName);
  const sendings: AccountSending[] = [];
  const problems: string[] = [];
  for (const account of oneByOne) {
    const paths = [
      ['template', templateOf(account, category)],
      ['subscription', subscriptionOf(account, category)],
    ] as const;
    if (paths.every(([, m]) => !m)) {
      problems.push(`WeChat account '${account.id}' has no '${category}' template (templates.${category})`);
      continue;
    }
    for (const [via, mapping] of paths) {
      if (!mapping) continue;
      const r = renderTemplate(mapping, category, values, account);
      if (!r.ok) {
        problems.push(`WeChat account '${account.id}' ${via} ${mapping.id}: ${r.problems.join('; ')}`);
        continue;
      }
      sendings.push({
        account: account.id,
        via,
        templateId: mapping.id,
        values: Object.fromEntries(Object.entries(r.data).map(([k, v]) => [k, v.value])),
        url: r.url,
      });
    }
  }
  for (const account of massSend) {
    if (!account.massSend) {
      problems.push(
        `WeChat account '${account.id}' cannot send template messages and has no mass send configured (massSend.thumbMediaId)`,
      );
      continue;
    }
    sendings.push({ account: account.id, via: 'mass-send', templateId: null, values: null, url: null });
  }
  return { sendings, problems };
}
