/**
 * WeChat's typed template keys (类目模板, since 2023) and what each type accepts, as WeChat states it
 * (../shared/reference/wechat-platform-2026.md §4.1): the type is the key's prefix (`thing1`,
 * `time2`, `car_number3`, …). `fitValue` makes a text valid for a type — whitespace collapsed, control
 * characters and emoji removed, cut at a character boundary where cutting keeps the meaning — or
 * refuses it with the reason, so an invalid value is never sent (WeChat would answer 47003). Pure.
 *
 * `keyword` is the pre-2023 template (keyword1..N): 20 characters shown, empty allowed.
 * `time` and `date` values are not fitted from text: they are formatted from instants (./templates.ts).
 */

export const FIELD_TYPES = [
  'thing',
  'character_string',
  'car_number',
  'phrase',
  'number',
  'amount',
  'phone_number',
  'name',
  'letter',
  'symbol',
  'time',
  'date',
  'const',
  'keyword',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** The type of a template key: `thing12` → thing; null for keys WeChat does not type (first, remark). */
export function fieldTypeOf(key: string): FieldType | null {
  const m = /^([a-z_]+?)(\d{1,2})$/.exec(key);
  if (!m) return null;
  return (FIELD_TYPES as readonly string[]).includes(m[1]!) ? (m[1] as FieldType) : null;
}

/** Characters (code points) a value of the type may have, where WeChat limits it. */
export const MAX_LENGTH: Partial<Record<FieldType, number>> = {
  thing: 20,
  keyword: 20,
  character_string: 32,
  car_number: 8,
  phrase: 5,
  number: 32,
  letter: 32,
  symbol: 5,
  phone_number: 17,
  const: 20,
};

export type Fitted = { ok: true; value: string } | { ok: false; reason: string };

const HAN = /\p{Script=Han}/u;
const EMOJI = /\p{Extended_Pictographic}|[\u{1F1E6}-\u{1F1FF}]|\u{FE0E}|\u{FE0F}|\u{200D}|\u{20E3}/gu;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b\u2028\u2029\u{E0000}-\u{E007F}]/gu;

/** Whitespace collapsed (newlines included), control characters and emoji removed (WeChat dropped emoji in 2023). */
export function cleanText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(CONTROL, '').replace(EMOJI, '').replace(/\s+/g, ' ').trim();
}

const graphemes = new Intl.Segmenter('zh', { granularity: 'grapheme' });
/** Code points of a text (what the limits count). */
export const lengthOf = (text: string) => [...text].length;

/** Cut to at most `max` code points at a character (grapheme) boundary, ending in `…` when cut. */
export function cut(text: string, max: number): string {
  if (lengthOf(text) <= max) return text;
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    if (lengthOf(out) + lengthOf(segment) > max - 1) break;
    out += segment;
  }
  return `${out.trimEnd()}…`;
}

const refuse = (reason: string): Fitted => ({ ok: false, reason });
const accept = (value: string): Fitted => ({ ok: true, value });

/** Exact-form types: a text either is one or is refused (cutting would change what it says). */
const FORMS: Partial<Record<FieldType, { test: (v: string) => boolean; what: string }>> = {
  car_number: {
    // Province (or 使) first, letters and digits, an optional Chinese suffix (挂, 学, 警 …): ≤ 8.
    test: (v) => /^\p{Script=Han}?[A-Z0-9]{1,7}\p{Script=Han}?$/u.test(v) && lengthOf(v) <= 8,
    what: 'a plate of at most 8 characters (Chinese only first and last)',
  },
  phrase: { test: (v) => /^\p{Script=Han}{1,5}$/u.test(v), what: 'at most 5 Chinese characters' },
  number: {
    test: (v) => /^-?\d+(\.\d+)?$/.test(v) && v.length <= 32,
    what: 'digits (a decimal allowed), ≤ 32',
  },
  amount: {
    test: (v) => /^[¥￥$€£]?\d{1,10}(\.\d{1,2})?元?$/.test(v),
    what: 'an amount: a currency sign, at most 10 digits, optionally 元',
  },
  phone_number: {
    test: (v) => /^\+?[0-9][0-9 -]{0,16}$/.test(v),
    what: 'a phone number of ≤ 17 digits, +, - or spaces',
  },
  name: {
    test: (v) => /^[\p{Script=Han}·]{1,10}$/u.test(v) || /^[A-Za-z][A-Za-z .'-]{0,19}$/.test(v),
    what: 'a name: ≤ 10 Chinese characters or ≤ 20 letters',
  },
  letter: { test: (v) => /^[A-Za-z]{1,32}$/.test(v), what: 'letters only, ≤ 32' },
  symbol: { test: (v) => /^[^\p{L}\p{N}\s]{1,5}$/u.test(v), what: 'at most 5 symbols' },
};

/**
 * A text made valid for a type, or refused with the reason. `allowed`: the declared values of a
 * `const` key. time/date are formatted elsewhere; here they are only checked.
 */
export function fitValue(type: FieldType, raw: string, allowed: readonly string[] = []): Fitted {
  const text = cleanText(raw);
  switch (type) {
    case 'keyword':
      return accept(cut(text, 20));
    case 'thing':
      if (!/[\p{L}\p{N}]/u.test(text))
        return refuse('nothing WeChat can show (a thing needs letters, digits or Chinese)');
      return accept(cut(text, 20));
    case 'character_string': {
      const v = text.replace(/\s/g, '');
      if (v === '') return refuse('empty');
      if (HAN.test(v) || /[^\x21-\x7e]/.test(v))
        return refuse(`character_string takes digits, letters and symbols only, not "${v}"`);
      return accept(v.length > 32 ? v.slice(0, 32) : v);
    }
    case 'car_number': {
      const v = text.replace(/[\s·•・.-]/g, '').toUpperCase();
      return FORMS.car_number!.test(v) ? accept(v) : refuse(`"${v}" is not ${FORMS.car_number!.what}`);
    }
    case 'const':
      if (!allowed.includes(text))
        return refuse(`"${text}" is not one of the declared values (${allowed.join(', ') || 'none'})`);
      return accept(text);
    case 'time':
    case 'date':
      return isWeChatTime(text) ? accept(text) : refuse(`"${text}" is not a WeChat ${type} value`);
    default: {
      const form = FORMS[type]!;
      const v = type === 'phone_number' || type === 'name' ? text : text.replace(/\s/g, '');
      return form.test(v) ? accept(v) : refuse(`"${v}" is not ${form.what}`);
    }
  }
}

/** One point: 2026年11月16日, 2026年11月16日 07:00, 07:00 (24-hour). A range joins two with "~". */
const POINT = /^(\d{4}年\d{1,2}月\d{1,2}日)?( ?([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?)?$/;
export function isWeChatTime(v: string): boolean {
  const parts = v.split('~');
  return parts.length <= 2 && parts.every((p) => p.trim() !== '' && POINT.test(p.trim()));
}
