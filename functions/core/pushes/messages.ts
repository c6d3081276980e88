/** What a follower sees of a push in a WeChat template message: values within WeChat's display limit. */
import type { RestrictionAnswer } from '../../../schemas/restrictions.ts';
import { isoWeekday } from '../time.ts';
import { WEEKDAY_NAMES } from '../vocabulary.ts';

/** WeChat shows at most 20 characters of a template value since 2023-05; we cut, it must not. */
export function templateValue(text: string, max = 20): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** The restriction reminder's template values (keyword1..keyword4), each within the display limit. */
export function restrictionReminder(answer: RestrictionAnswer, cityName: string, plates: string[]) {
  const [, m, d] = answer.date.split('-').map(Number);
  return {
    keyword1: templateValue(`${cityName}尾号${answer.tails.join('和')}限行`),
    keyword2: templateValue(
      `${m}月${d}日${WEEKDAY_NAMES[isoWeekday(answer.date)]} ${answer.windows.map((w) => `${w.from}-${w.to}`).join(',')}`,
    ),
    keyword3: templateValue(plates.join('、')),
    keyword4: templateValue(answer.area ?? ''),
  };
}
