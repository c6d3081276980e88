/**
 * A notice as people receive it: the WeChat template values (each within WeChat's 20 characters)
 * and the SMS exactly as deliver-sms sends it, with its billable parts. The send path and the
 * preview render with these same functions.
 */
import type { Notice } from '../../../schemas/notices.ts';
import type { SmsCatalogue } from '../../../schemas/sms.ts';
import { renderSms, smsLength } from '../sms/messages.ts';
import { noticePlaceholders } from '../wechat/placeholders.ts';
import { LEGACY_FIELDS, renderTemplate } from '../wechat/templates.ts';

/**
 * The notice's values in a pre-2023 template (title, window, place, summary), each within WeChat's
 * display limit: the mapping every account's template goes through (core/wechat/templates.ts).
 */
export function noticeTemplateValues(
  n: Pick<Notice, 'title' | 'effectiveFrom' | 'effectiveTo' | 'areas' | 'city' | 'shortBody'> &
    Partial<Pick<Notice, 'id' | 'kind' | 'publishedAt'>>,
  cityName: string = n.city,
) {
  const values = noticePlaceholders({ id: '', kind: 'general', publishedAt: null, ...n }, cityName);
  const rendered = renderTemplate(
    { id: 'legacy', fields: LEGACY_FIELDS.notice, url: null, consts: {} },
    'notice',
    values,
    { pageBaseUrl: null },
  );
  if (!rendered.ok) throw new Error(rendered.problems.join('; ')); // keyword keys take any text
  return Object.fromEntries(Object.entries(rendered.data).map(([k, v]) => [k, v.value])) as Record<
    'keyword1' | 'keyword2' | 'keyword3' | 'keyword4',
    string
  >;
}

/**
 * The notice's SMS exactly as deliver-sms renders it (the `notice` template with its sign: title and
 * short form), its billable parts, and whether it is within the deployment's part limit.
 */
export function noticeSms(n: Pick<Notice, 'title' | 'shortBody'>, catalogue: SmsCatalogue, maxParts: number) {
  const rendered = renderSms(
    catalogue,
    'notice',
    { title: n.title, summary: n.shortBody },
    Number.MAX_SAFE_INTEGER,
  );
  return {
    text: rendered.text,
    characters: smsLength(rendered.text),
    parts: rendered.parts,
    maxParts,
    withinLimit: rendered.parts <= maxParts,
  };
}
