/**
 * What a template mapping may say, per push category: the placeholders each category offers, what
 * kind of value each one is (so a mapping that cannot produce a valid value is refused when the
 * configuration loads), and the values of one push. README "Typed templates" lists them.
 *
 * Values travel as strings (a delivery message's `values`): text as is, a date as YYYY-MM-DD, an
 * instant as ISO 8601 with its zone, a window as `from/to` (to empty when open-ended).
 */

import type { DriverNoticeKind } from '../../../schemas/drivers.ts';
import type { Notice, NoticeKind } from '../../../schemas/notices.ts';
import type { RestrictionAnswer } from '../../../schemas/restrictions.ts';
import type { PushCategory } from '../vocabulary.ts';

/** The `{kind}` of a driver notice (phrases of ≤ 5 Chinese characters). */
export const DRIVER_KIND_LABELS: Record<DriverNoticeKind, string> = {
  violation: '违法',
  points: '记分',
  'inspection-due': '年检',
  'insurance-expiry': '保险',
  'licence-renewal': '换证',
};

/**
 * text: any text (Chinese included); ascii: digits, letters and symbols only; plate: a canonical
 * plate; label: one of `labels`; date / instant / window: formatted per field type.
 */
export type PlaceholderKind =
  | 'text'
  | 'ascii'
  | 'plate'
  | 'label'
  | 'date'
  | 'instant'
  | 'window'
  | 'amount'
  | 'number';

export interface Placeholder {
  kind: PlaceholderKind;
  /** May be empty for some pushes: a field made of it alone needs a fallback, `{area|全市}`. */
  optional?: boolean;
  labels?: readonly string[];
  description: string;
}

export const NOTICE_KIND_LABELS: Record<NoticeKind, string> = {
  'road-condition': '路况',
  'traffic-control': '交通管制',
  'rumour-rebuttal': '辟谣',
  'restriction-change': '限行调整',
  general: '通知',
};

const RESTRICTION: Record<string, Placeholder> = {
  city: { kind: 'text', description: 'the city, 北京' },
  tails: { kind: 'text', description: 'the restricted tails, 0和5' },
  date: { kind: 'date', description: 'the day restricted (thing: 11月16日周一; date: 2026年11月16日)' },
  window: {
    kind: 'window',
    description: 'first start to last end that day (time: 2026年11月16日 07:00~20:00)',
  },
  windows: { kind: 'text', description: 'every window that day, 07:00-09:00,16:30-18:30' },
  plate: { kind: 'plate', description: 'the follower’s first restricted plate, 京A12345 (car_number)' },
  plates: { kind: 'text', description: 'all the follower’s restricted plates, 京A12345、京B54320' },
  area: { kind: 'text', optional: true, description: 'where the restriction applies (may be empty)' },
};

const NOTICE: Record<string, Placeholder> = {
  title: { kind: 'text', description: 'the title' },
  summary: { kind: 'text', description: 'the short form (shortBody)' },
  kind: {
    kind: 'label',
    labels: Object.values(NOTICE_KIND_LABELS),
    description: `the kind: ${Object.values(NOTICE_KIND_LABELS).join(', ')} (phrase, const)`,
  },
  city: { kind: 'text', description: 'the city, 北京' },
  areas: { kind: 'text', optional: true, description: 'the areas or roads, 长安街、二环 (may be empty)' },
  place: { kind: 'text', description: 'the areas, or the city when none is named' },
  from: { kind: 'instant', description: 'the start of the effective window' },
  to: { kind: 'instant', optional: true, description: 'its end (none when open-ended)' },
  window: { kind: 'window', description: 'the effective window (thing: 11月23日09:50至14:00)' },
  published: { kind: 'instant', description: 'when it was published' },
  ref: { kind: 'ascii', description: 'a short reference, N1A2B3C4D (character_string)' },
};

/**
 * A person's own notices (driver notices): what each kind always has. `transactional` offers their
 * union, optional where a kind lacks it (a licence has no plate); a per-kind template
 * (`driverTemplates`) may use a placeholder its kind always has in a typed key (car_number, amount,
 * number, time).
 */
const DRIVER_COMMON: Record<string, Placeholder> = {
  title: {
    kind: 'text',
    description: 'what it is: 交通违法提醒, 驾驶证记分提醒, 机动车检验提醒, 交强险到期提醒, 驾驶证换证提醒',
  },
  kind: {
    kind: 'label',
    labels: Object.values(DRIVER_KIND_LABELS),
    description: `the kind: ${Object.values(DRIVER_KIND_LABELS).join(', ')} (phrase, const)`,
  },
  subject: { kind: 'text', description: 'the plate, or the licence masked: 驾驶证1101**********1234' },
  date: {
    kind: 'date',
    description: 'the day it is about: the violation’s day, the due date, the points’ day',
  },
  detail: {
    kind: 'text',
    description: 'the act (闯红灯), 本记分周期已记9分, 机动车检验有效期至12月1日，还有7天',
  },
};
const VIOLATION: Record<string, Placeholder> = {
  ...DRIVER_COMMON,
  plate: { kind: 'plate', description: 'the plate (car_number)' },
  time: { kind: 'instant', description: 'when the camera captured it (time)' },
  place: { kind: 'text', description: 'where' },
  fine: { kind: 'amount', description: 'the fine, 200元 (amount)' },
  points: { kind: 'number', description: 'the points, 6 (number)' },
};
const optional = (p: Record<string, Placeholder>) =>
  Object.fromEntries(Object.entries(p).map(([k, v]) => [k, { ...v, optional: true }]));
export const DRIVER_PLACEHOLDERS: Record<DriverNoticeKind, Record<string, Placeholder>> = {
  violation: VIOLATION,
  points: { ...DRIVER_COMMON, points: VIOLATION.points! },
  'inspection-due': { ...DRIVER_COMMON, plate: VIOLATION.plate! },
  'insurance-expiry': { ...DRIVER_COMMON, plate: VIOLATION.plate! },
  'licence-renewal': DRIVER_COMMON,
};
const TRANSACTIONAL: Record<string, Placeholder> = {
  ...optional(VIOLATION),
  ...DRIVER_COMMON,
};

/** The desk's notice to a citizen that their case has an answer (or was closed): 您的留言有回复. */
const DESK: Record<string, Placeholder> = {
  number: { kind: 'ascii', description: 'the case number, 2612010042 (character_string)' },
  category: {
    kind: 'label',
    labels: ['咨询', '投诉', '建议', '举报', '求助', '表扬'],
    description: 'what the citizen wrote: 咨询, 投诉, 建议, 举报, 求助, 表扬 (phrase, const)',
  },
  subject: { kind: 'text', description: 'the first words of their message' },
  summary: { kind: 'text', description: 'the first words of the answer (或“已办结，请评价”)' },
  status: { kind: 'label', labels: ['已答复', '已办结'], description: 'the case’s state: 已答复, 已办结' },
  answered: { kind: 'instant', description: 'when the answer was given' },
};

export const PLACEHOLDERS: Record<PushCategory, Record<string, Placeholder>> = {
  restriction: RESTRICTION,
  notice: NOTICE,
  emergency: NOTICE,
  transactional: TRANSACTIONAL,
  desk: DESK,
};

/** Carried with a desk notice's values for its url (`case-page`): the case page's path with its token. */
export const CASE_PAGE = 'casePage';

/** Carried with a notice's values for its page's url; not a placeholder. */
export const NOTICE_ID = 'noticeId';

const SHANGHAI = '+08:00';

/** A restriction reminder's values for one follower, from the engine's answer. */
export function restrictionPlaceholders(
  answer: Pick<RestrictionAnswer, 'date' | 'tails' | 'windows' | 'area'>,
  cityName: string,
  plates: readonly string[],
): Record<string, string> {
  const first = answer.windows[0];
  const last = answer.windows.at(-1);
  const at = (hhmm: string) => `${answer.date}T${hhmm}:00${SHANGHAI}`;
  return {
    city: cityName,
    tails: answer.tails.join('和'),
    date: answer.date,
    window: first && last ? `${at(first.from)}/${at(last.to)}` : `${at('00:00')}/${at('23:59')}`,
    windows: answer.windows.map((w) => `${w.from}-${w.to}`).join(','),
    plate: plates[0] ?? '',
    plates: plates.join('、'),
    area: answer.area ?? '',
  };
}

/**
 * A notice's values (the same for every follower), as planning puts them on its segments. An
 * officers-only notice has no public page, so it carries no id to link to.
 */
export function noticePlaceholders(
  n: Pick<
    Notice,
    'id' | 'kind' | 'title' | 'shortBody' | 'areas' | 'effectiveFrom' | 'effectiveTo' | 'publishedAt'
  > &
    Partial<Pick<Notice, 'audience'>>,
  cityName: string,
): Record<string, string> {
  const areas = n.areas.join('、');
  return {
    title: n.title,
    summary: n.shortBody,
    kind: NOTICE_KIND_LABELS[n.kind],
    city: cityName,
    areas,
    place: areas || cityName,
    from: n.effectiveFrom,
    to: n.effectiveTo ?? '',
    window: `${n.effectiveFrom}/${n.effectiveTo ?? ''}`,
    published: n.publishedAt ?? n.effectiveFrom,
    ref: `N${n.id.replace(/-/g, '').slice(0, 8).toUpperCase()}`,
    ...(n.audience?.type === 'internal' ? {} : { [NOTICE_ID]: n.id }),
  };
}
