/**
 * A notice as people receive it: the WeChat template values (each within WeChat's 20 characters)
 * and the SMS exactly as deliver-sms sends it, with its billable parts. The send path and the
 * preview render with these same functions.
 */
import type { Notice } from '../../../schemas/notices.ts';
import type { SmsCatalogue } from '../../../schemas/sms.ts';
import { templateValue } from '../pushes/messages.ts';
import { renderSms, smsLength } from '../sms/messages.ts';
import { civilMinute } from '../time.ts';

const shanghai = (iso: string) => civilMinute(new Date(iso)).replace(/\//, '月').replace(/ /, '日');

/** The notice template's values (title, time, place, summary), each within WeChat's display limit. */
export function noticeTemplateValues(
  n: Pick<Notice, 'title' | 'effectiveFrom' | 'effectiveTo' | 'areas' | 'city' | 'shortBody'>,
) {
  // Within WeChat's 20 characters: the end names only what differs from the start
  // (11月23日09:50至14:00, 11月23日09:50至25日14:00).
  const from = shanghai(n.effectiveFrom);
  const to = n.effectiveTo ? shanghai(n.effectiveTo) : null;
  const upTo = (s: string, mark: string) => s.slice(0, s.indexOf(mark) + 1);
  const end =
    to === null
      ? null
      : upTo(to, '日') === upTo(from, '日')
        ? to.slice(to.indexOf('日') + 1)
        : upTo(to, '月') === upTo(from, '月')
          ? to.slice(to.indexOf('月') + 1)
          : to;
  const window = end === null ? `${from}起` : `${from}至${end}`;
  return {
    keyword1: templateValue(n.title),
    keyword2: templateValue(window),
    keyword3: templateValue(n.areas.length ? n.areas.join('、') : n.city),
    keyword4: templateValue(n.shortBody),
  };
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
