/**
 * Template mappings: which template an account sends for a push category, and how each of its keys
 * is filled from the category's placeholders (./placeholders.ts):
 *
 *   "notice": { "id": "…", "fields": { "thing1": "{title}", "time2": "{window}",
 *               "thing3": "{areas|全市}", "phrase4": "{kind}" }, "url": "notice-page" }
 *
 * A legacy template is just its id: keyword1..4 filled as before 2023 (LEGACY_FIELDS).
 *
 * `mappingProblems` says why a mapping cannot produce valid values for every push of its category
 * (an unknown placeholder, Chinese into character_string, a time field that is not a time…): the
 * accounts configuration is refused at load with these. `renderTemplate` fills the keys of one push,
 * each value made valid by its type or refused — approval and preview render the notice itself, so
 * a refusal is seen there, never as WeChat's 47003 at send time. Pure.
 */

import { DRIVER_NOTICE_KINDS, DriverNoticeKindSchema } from '../../../schemas/drivers.ts';
import type { TemplateMapping as TemplateMappingConfig, WeChatAccount } from '../../../schemas/wechat.ts';
import { civilDate, isoWeekday, zonedFormatter } from '../time.ts';
import { PUSH_CATEGORIES, type PushCategory, WEEKDAY_NAMES } from '../vocabulary.ts';
import { cleanText, type FieldType, fieldTypeOf, fitValue } from './field-types.ts';
import { CASE_PAGE, DRIVER_PLACEHOLDERS, NOTICE_ID, PLACEHOLDERS, type Placeholder } from './placeholders.ts';

/** Carried with a driver notice's values (not placeholders): its page link's token and its kind. */
export const PAGE_TOKEN = 'pageToken';
export const DRIVER_KIND = 'driverKind';

export interface TemplateMapping {
  id: string;
  fields: Readonly<Record<string, string>>;
  /** `notice-page`: the notice's page (/n/{id}); `case-page`: a case's (/c/{number}, signed); a fixed https URL; or none. */
  url: string | null;
  /** The declared values of each `const` key. */
  consts: Readonly<Record<string, readonly string[]>>;
}

/** keyword1..4 as the pre-2023 templates were filled (a template configured by its id alone). */
export const LEGACY_FIELDS: Record<PushCategory, Record<string, string>> = {
  restriction: {
    keyword1: '{city}尾号{tails}限行',
    keyword2: '{date} {windows}',
    keyword3: '{plates}',
    keyword4: '{area}',
  },
  notice: { keyword1: '{title}', keyword2: '{window}', keyword3: '{place}', keyword4: '{summary}' },
  emergency: { keyword1: '{title}', keyword2: '{window}', keyword3: '{place}', keyword4: '{summary}' },
  transactional: { keyword1: '{title}', keyword2: '{subject}', keyword3: '{date}', keyword4: '{detail}' },
  desk: { keyword1: '{number}', keyword2: '{subject}', keyword3: '{summary}', keyword4: '{answered}' },
};

export function normalizeMapping(
  config: string | TemplateMappingConfig,
  category: PushCategory,
): TemplateMapping {
  if (typeof config === 'string')
    return { id: config, fields: LEGACY_FIELDS[category], url: null, consts: {} };
  return { id: config.id, fields: config.fields, url: config.url ?? null, consts: config.consts ?? {} };
}

/**
 * The template message an account sends for a category, if it has one. A pre-2023 template of a
 * notice links to the notice's page too, where the account serves pages.
 */
export function templateOf(
  account: WeChatAccount,
  category: PushCategory,
  values: Readonly<Record<string, string>> = {},
): TemplateMapping | null {
  // A person's own notice of a kind with a template of its own (driverTemplates), else the category's.
  const kind = category === 'transactional' ? DriverNoticeKindSchema.safeParse(values[DRIVER_KIND]) : null;
  const own = kind?.success ? account.driverTemplates?.[kind.data] : undefined;
  if (own) return normalizeMapping(own, category);
  const config = account.templates[category];
  if (config === undefined) return null;
  const mapping = normalizeMapping(config, category);
  if (typeof config !== 'string' || !account.pageBaseUrl) return mapping;
  if (category === 'notice' || category === 'emergency') return { ...mapping, url: 'notice-page' };
  if (category === 'desk') return { ...mapping, url: 'case-page' };
  return category === 'transactional' ? { ...mapping, url: 'personal-page' } : mapping;
}

/** The long-term subscription template (订阅通知) an account sends for a category, if it has one. */
export function subscriptionOf(account: WeChatAccount, category: PushCategory): TemplateMapping | null {
  const config = account.subscriptions[category];
  return config === undefined ? null : normalizeMapping(config, category);
}

// Patterns -----------------------------------------------------------------------------------------

type Segment = { literal: string } | { name: string; fallback: string | null };

/** `{city}尾号{tails}限行` → literals and placeholders; `{area|全市}` has a literal fallback. */
export function parsePattern(pattern: string): Segment[] | { problem: string } {
  const segments: Segment[] = [];
  const re = /\{([a-zA-Z]+)(?:\|([^{}]*))?\}/g;
  let at = 0;
  for (const m of pattern.matchAll(re)) {
    if (m.index > at) segments.push({ literal: pattern.slice(at, m.index) });
    segments.push({ name: m[1]!, fallback: m[2] ?? null });
    at = m.index + m[0].length;
  }
  if (at < pattern.length) segments.push({ literal: pattern.slice(at) });
  const stray = segments.find((s) => 'literal' in s && /[{}]/.test(s.literal));
  if (stray) return { problem: `a stray brace in "${pattern}" (placeholders are written {name})` };
  return segments;
}

// Static validation --------------------------------------------------------------------------------

const TEMPORAL = new Set(['date', 'instant', 'window']);
/** The placeholder kinds a key type takes. */
const TAKES: Record<FieldType, ReadonlySet<string>> = {
  thing: new Set(['text', 'ascii', 'plate', 'label', 'date', 'instant', 'window', 'amount', 'number']),
  keyword: new Set(['text', 'ascii', 'plate', 'label', 'date', 'instant', 'window', 'amount', 'number']),
  character_string: new Set(['ascii']),
  car_number: new Set(['plate']),
  phrase: new Set(['label']),
  const: new Set(['label']),
  number: new Set(['number']),
  amount: new Set(['amount']),
  phone_number: new Set(),
  name: new Set(),
  letter: new Set(),
  symbol: new Set(),
  time: new Set(['instant', 'window']),
  date: new Set(['date', 'instant', 'window']),
};
/** Types whose value is exactly one placeholder (nothing around it), or a literal alone. */
const WHOLE = new Set<FieldType>(['car_number', 'phrase', 'const', 'time', 'date', 'amount', 'number']);

function fieldProblems(
  key: string,
  pattern: string,
  category: PushCategory,
  consts: readonly string[] | undefined,
  offered: Readonly<Record<string, Placeholder>>,
): string[] {
  const type = fieldTypeOf(key);
  const where = `${key} "${pattern}"`;
  if (!type)
    return [
      key === 'first' || key === 'remark'
        ? `${key}: first and remark were removed from template messages in 2023; map the template’s own keys`
        : `${key}: not a WeChat template key (thing1, time2, character_string3, car_number4, phrase5, … or keyword1)`,
    ];
  const parsed = parsePattern(pattern);
  if ('problem' in parsed) return [`${key}: ${parsed.problem}`];
  const used = parsed.filter((s): s is Extract<Segment, { name: string }> => 'name' in s);
  const literal = parsed.flatMap((s) => ('literal' in s ? [s.literal] : [])).join('');
  const unknown = used.filter((s) => !offered[s.name]);
  if (unknown.length)
    return [
      `${where}: unknown placeholder ${unknown.map((s) => `{${s.name}}`).join(', ')}; ${category} offers ${
        Object.keys(offered)
          .map((n) => `{${n}}`)
          .join(', ') || 'none (literal text only)'
      }`,
    ];
  const specs = used.map((s) => ({ ...s, spec: offered[s.name]! }));
  const problems: string[] = [];
  if (type === 'const' && !consts?.length)
    problems.push(`${key}: a const key takes only values declared for it: add "consts": {"${key}": ["…"]}`);
  for (const s of specs)
    if (!TAKES[type].has(s.spec.kind))
      problems.push(
        `${where}: {${s.name}} (${s.spec.kind}) cannot fill a ${type} key${hint(type, s.spec, offered)}`,
      );
  if (problems.length) return problems;

  if (WHOLE.has(type) && used.length + (literal ? 1 : 0) > 1)
    return [`${where}: a ${type} key takes one placeholder or one literal value, nothing around it`];
  if ((type === 'time' || type === 'date') && used.length === 0)
    return [
      `${where}: a ${type} key is filled from ${[...TAKES[type]].map((k) => `a ${k}`).join(' or ')} placeholder`,
    ];
  for (const s of specs) {
    if ((type === 'time' || type === 'date') && s.spec.optional)
      problems.push(
        `${where}: {${s.name}} may be absent; a ${type} key needs a value every time (use {window})`,
      );
    else if (WHOLE.has(type) && s.spec.optional)
      problems.push(
        `${where}: {${s.name}} may be absent for some pushes of ${category}; a ${type} key needs a value every time${category === 'transactional' ? ' (give the kind its own template in driverTemplates)' : ''}`,
      );
    if (s.fallback !== null && (type === 'time' || type === 'date' || WHOLE.has(type)))
      problems.push(`${where}: a fallback only fills text keys`);
    if (s.spec.kind === 'label' && (type === 'phrase' || type === 'const')) {
      const bad = (s.spec.labels ?? []).filter((l) => !fitValue(type, l, consts).ok);
      if (bad.length) problems.push(`${where}: {${s.name}} may be ${bad.join(', ')}, not a valid ${type}`);
    }
  }
  if (used.length === 0) {
    const f = fitValue(type, literal, consts);
    if (!f.ok) problems.push(`${where}: ${f.reason}`);
    else if (f.value !== cleanText(literal))
      problems.push(`${where}: longer than a ${type} shows (cut to "${f.value}")`);
  } else if (type === 'character_string' && /[^\x21-\x7e]/.test(literal)) {
    problems.push(
      `${where}: character_string takes digits, letters and symbols only around its placeholders`,
    );
  }
  // A text key needs something to show whatever the push: a placeholder always there, a fallback, or words.
  if (type === 'thing') {
    const always = specs.some(
      (s) => !s.spec.optional || (s.fallback !== null && /[\p{L}\p{N}]/u.test(s.fallback)),
    );
    if (!always && !/[\p{L}\p{N}]/u.test(literal))
      problems.push(
        `${where}: ${specs.map((s) => `{${s.name}}`).join(', ')} may be empty and a thing key cannot be: give a fallback, {${specs[0]?.name ?? 'x'}|全市}`,
      );
  }
  return problems;
}

function hint(type: FieldType, spec: Placeholder, offered: Readonly<Record<string, Placeholder>>): string {
  if (type === 'character_string' && spec.kind !== 'ascii') return ' (it may contain Chinese; try {ref})';
  if (type === 'time') return ' (a time key is filled from {window} or an instant)';
  if (type === 'car_number') return ' (only {plate})';
  // amount and number take a driver notice's {fine} and {points}; other categories have none.
  if (!Object.values(offered).some((p) => TAKES[type].has(p.kind)))
    return ` (no placeholder is a ${type}: write the value itself)`;
  return '';
}

/** Why a mapping cannot produce valid values for every push of its category; empty when it can. */
export function mappingProblems(
  mapping: TemplateMapping,
  category: PushCategory,
  account: Pick<WeChatAccount, 'pageBaseUrl'>,
  offered: Readonly<Record<string, Placeholder>> = PLACEHOLDERS[category],
): string[] {
  const problems: string[] = [];
  const keys = Object.keys(mapping.fields);
  if (keys.length === 0) problems.push('no fields: map each key of the template');
  for (const key of keys)
    problems.push(...fieldProblems(key, mapping.fields[key]!, category, mapping.consts[key], offered));
  for (const key of Object.keys(mapping.consts))
    if (fieldTypeOf(key) !== 'const') problems.push(`consts.${key}: only const keys declare values`);
  if (mapping.url === 'notice-page') {
    if (category !== 'notice' && category !== 'emergency')
      problems.push(`url: a ${category} push has no notice page`);
    if (!account.pageBaseUrl) problems.push('url: notice-page needs the account’s pageBaseUrl');
  } else if (mapping.url === 'personal-page') {
    if (category !== 'transactional') problems.push(`url: a ${category} push has no personal page`);
    if (!account.pageBaseUrl) problems.push('url: personal-page needs the account’s pageBaseUrl');
  } else if (mapping.url === 'case-page') {
    if (category !== 'desk') problems.push(`url: a ${category} push has no case page`);
    if (!account.pageBaseUrl) problems.push('url: case-page needs the account’s pageBaseUrl');
  } else if (mapping.url !== null && !/^https:\/\//.test(mapping.url)) {
    problems.push(`url: "${mapping.url}" is not an https URL (or notice-page, case-page)`);
  }
  return problems;
}

/** Every problem of an account's templates and subscription templates, as `templates.notice.thing1: …`. */
export function accountTemplateProblems(account: WeChatAccount): string[] {
  const problems: string[] = [];
  for (const [what, source] of [
    ['templates', templateOf],
    ['subscriptions', subscriptionOf],
  ] as const) {
    for (const category of PUSH_CATEGORIES) {
      const mapping = source(account, category);
      if (!mapping) continue;
      for (const p of mappingProblems(mapping, category, account)) problems.push(`${what}.${category}: ${p}`);
    }
  }
  for (const kind of DRIVER_NOTICE_KINDS) {
    const config = account.driverTemplates?.[kind];
    if (!config) continue;
    const mapping = normalizeMapping(config, 'transactional');
    for (const p of mappingProblems(mapping, 'transactional', account, DRIVER_PLACEHOLDERS[kind]))
      problems.push(`driverTemplates.${kind}: ${p}`);
  }
  if (account.kind === 'subscription' && Object.keys(account.templates).length)
    problems.push(
      'templates: a subscription account (公众号) cannot send template messages; notices go as mass sends (massSend)',
    );
  return problems;
}

// Rendering ----------------------------------------------------------------------------------------

const HOUR_MINUTE: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
interface Civil {
  date: string;
  y: number;
  m: number;
  d: number;
  hm: string;
}
function civil(iso: string): Civil | null {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return null;
  const date = civilDate(at);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return { date, y, m, d, hm: zonedFormatter('en-GB', HOUR_MINUTE, 'Asia/Shanghai').format(at) };
}
const full = (c: Civil) => `${c.y}年${c.m}月${c.d}日`;

/** A date, an instant or a window as WeChat's time/date types want it, or as text for other keys. */
function temporal(kind: string, raw: string, as: FieldType): string | null {
  if (kind === 'date') {
    const [y, m, d] = raw.split('-').map(Number);
    if (!y || !m || !d) return null;
    return as === 'date' ? `${y}年${m}月${d}日` : `${m}月${d}日${WEEKDAY_NAMES[isoWeekday(raw)]}`;
  }
  if (kind === 'instant') {
    const c = civil(raw);
    if (!c) return null;
    return as === 'time' || as === 'date' ? `${full(c)} ${c.hm}` : `${c.m}月${c.d}日 ${c.hm}`;
  }
  const [fromIso, toIso] = raw.split('/');
  const from = civil(fromIso ?? '');
  if (!from) return null;
  const to = toIso ? civil(toIso) : null;
  if (as === 'time' || as === 'date') {
    const start = `${full(from)} ${from.hm}`;
    if (!to) return start;
    return `${start}~${as === 'time' && to.date === from.date ? '' : `${full(to)} `}${to.hm}`;
  }
  // Text: the end names only what differs from the start (11月23日09:50至14:00, …至25日14:00).
  const start = `${from.m}月${from.d}日${from.hm}`;
  if (!to) return `${start}起`;
  const end =
    to.date === from.date
      ? to.hm
      : to.y === from.y && to.m === from.m
        ? `${to.d}日${to.hm}`
        : `${to.m}月${to.d}日${to.hm}`;
  return `${start}至${end}`;
}

export type Rendered =
  | { ok: true; data: Record<string, { value: string }>; url: string | null }
  | { ok: false; problems: string[] };

/**
 * The keys of one push filled from its values, each made valid by its type, or the problems. A value
 * given under the key itself (a pre-rendered `keyword1`) is fitted as it is.
 */
export function renderTemplate(
  mapping: TemplateMapping,
  category: PushCategory,
  values: Readonly<Record<string, string>>,
  account: Pick<WeChatAccount, 'pageBaseUrl'>,
): Rendered {
  const offered = PLACEHOLDERS[category];
  const data: Record<string, { value: string }> = {};
  const problems: string[] = [];
  for (const [key, pattern] of Object.entries(mapping.fields)) {
    const type = fieldTypeOf(key);
    if (!type) {
      problems.push(`${key}: not a template key`);
      continue;
    }
    const consts = mapping.consts[key] ?? [];
    let text: string | null;
    if (values[key] !== undefined) text = values[key]!;
    else {
      const parsed = parsePattern(pattern);
      if ('problem' in parsed) {
        problems.push(`${key}: ${parsed.problem}`);
        continue;
      }
      text = '';
      for (const s of parsed) {
        if ('literal' in s) {
          text += s.literal;
          continue;
        }
        const spec = offered[s.name];
        const raw = values[s.name] ?? '';
        const shown =
          raw === '' ? '' : spec && TEMPORAL.has(spec.kind) ? temporal(spec.kind, raw, type) : raw;
        if (shown === null) {
          problems.push(`${key}: {${s.name}} "${raw}" is not a ${spec!.kind}`);
          text = null;
          break;
        }
        // A fallback stands in for a value with nothing to show (empty, or only symbols and emoji).
        const blank = shown === '' || (s.fallback !== null && !/[\p{L}\p{N}]/u.test(cleanText(shown)));
        text += blank ? (s.fallback ?? '') : shown;
      }
    }
    if (text === null) continue;
    const fitted = fitValue(type, text, consts);
    if (fitted.ok) data[key] = { value: fitted.value };
    else problems.push(`${key}: ${fitted.reason}`);
  }
  let url: string | null = mapping.url;
  if (url === 'notice-page') {
    // A message rendered before it carried its notice's id (one in flight, a pre-rendered one) links nowhere.
    const id = values[NOTICE_ID];
    url = id && account.pageBaseUrl ? noticePageUrl(account.pageBaseUrl, id) : null;
  } else if (url === 'personal-page') {
    const token = values[PAGE_TOKEN];
    url = token && account.pageBaseUrl ? personalPageUrl(account.pageBaseUrl, token) : null;
  } else if (url === 'case-page') {
    const path = values[CASE_PAGE];
    url = path && account.pageBaseUrl ? `${account.pageBaseUrl.replace(/\/+$/, '')}${path}` : null;
  }
  return problems.length ? { ok: false, problems } : { ok: true, data, url };
}

/** A person's own page behind a driver notice (GET /d/{token}: signed, expiring). */
export const personalPageUrl = (base: string, token: string) => `${base.replace(/\/+$/, '')}/d/${token}`;

/** The public page of a published notice (GET /n/{id}). */
export const noticePageUrl = (base: string, id: string) =>
  `${base.replace(/\/+$/, '')}/n/${encodeURIComponent(id)}`;
