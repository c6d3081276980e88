/** What a follower sees of a push in a WeChat template message: values within WeChat's display limit. */
import type { RestrictionAnswer } from '../../../schemas/restrictions.ts';
import { restrictionPlaceholders } from '../wechat/placeholders.ts';
import { LEGACY_FIELDS, renderTemplate } from '../wechat/templates.ts';

/** WeChat shows at most 20 characters of a template value since 2023-05; we cut, it must not. */
export function templateValue(text: string, max = 20): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * The restriction reminder's values in a pre-2023 template (keyword1..keyword4), each within the
 * display limit: the same rendering every template mapping goes through (core/wechat/templates.ts).
 */
export function restrictionReminder(answer: RestrictionAnswer, cityName: string, plates: string[]) {
  const rendered = renderTemplate(
    { id: 'legacy', fields: LEGACY_FIELDS.restriction, url: null, consts: {} },
    'restriction',
    restrictionPlaceholders(answer, cityName, plates),
    { pageBaseUrl: null },
  );
  if (!rendered.ok) throw new Error(rendered.problems.join('; ')); // keyword keys take any text
  return Object.fromEntries(Object.entries(rendered.data).map(([k, v]) => [k, v.value]));
}
