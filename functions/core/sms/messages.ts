/**
 * SMS messages, pure: template rendering and billing parts.
 *
 * Billing parts: a message of at most 70 characters is one part; a longer one is split into parts
 * of 67 (the rest carry the concatenation header). The sign 【…】 counts. Characters are counted as
 * UTF-16 code units, because that is what a part holds on the wire (UCS-2/UTF-16, 140 octets = 70
 * units): every Chinese character, letter, digit and punctuation mark in the BMP is one unit, and a
 * character outside it (an emoji, a rare CJK Extension-B character) is two — the gateways' "each
 * character counts 1" holds for the BMP, and counting units never under-estimates a bill.
 */
import { type SmsCatalogue, type SmsTemplateKind, SmsTemplateKindSchema } from '../../../schemas/sms.ts';
import { ValidationError } from '../errors.ts';
import { isoWeekday } from '../time.ts';
import { WEEKDAY_NAMES } from '../vocabulary.ts';

export class SmsTooLongError extends ValidationError {}

/** Length as billed: UTF-16 code units (see the module comment). */
export const smsLength = (text: string) => text.length;

export function billableParts(text: string): number {
  const n = smsLength(text);
  return n <= 70 ? 1 : Math.ceil(n / 67);
}

export interface RenderedSms {
  kind: SmsTemplateKind;
  /** Per provider: the registered template id. */
  ids: { tencent: string; aliyun: string };
  signName: string;
  /** Parameter values in template order (Tencent) and by name (Aliyun). */
  params: string[];
  named: Record<string, string>;
  /** What the citizen reads, sign included: what SNS sends and what is billed. */
  text: string;
  parts: number;
}

/** A value as a template parameter: no 【】 (reserved for the sign), no control characters, one line. */
function paramValue(value: string): string {
  return value
    .normalize('NFC')
    .replace(/[【】]/g, '')
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Renders a template with its parameter values and counts its parts; refuses (SmsTooLongError) a
 * message over `maxParts` or a missing parameter (ValidationError).
 */
export function renderSms(
  catalogue: SmsCatalogue,
  kind: SmsTemplateKind,
  values: Record<string, string>,
  maxParts: number,
): RenderedSms {
  const template = catalogue.templates[kind];
  const missing = template.params.filter((p) => typeof values[p] !== 'string');
  if (missing.length)
    throw new ValidationError(`SMS template '${kind}' needs the parameter(s) ${missing.join(', ')}.`);
  const named = Object.fromEntries(template.params.map((p) => [p, paramValue(values[p]!)]));
  const body = template.text.replace(/\{([a-zA-Z0-9]+)\}/g, (_, name: string) => named[name]!);
  const text = `【${catalogue.signName}】${body}`;
  const parts = billableParts(text);
  if (parts > maxParts)
    throw new SmsTooLongError(
      `SMS '${kind}' would be ${smsLength(text)} characters = ${parts} billable parts; the limit is ${maxParts}.`,
    );
  return {
    kind,
    ids: template.ids,
    signName: catalogue.signName,
    params: template.params.map((p) => named[p]!),
    named,
    text,
    parts,
  };
}

/** The push's template: by its category, or for a person's own notices the one its values name. */
export function templateForCategory(category: string, values: Record<string, string> = {}): SmsTemplateKind {
  if (category === 'transactional') {
    const named = SmsTemplateKindSchema.safeParse(values.template);
    if (named.success) return named.data;
  }
  return category === 'restriction' ? 'restriction-reminder' : 'notice';
}

/** The restriction reminder's parameters, e.g. { date: '11月16日(周一)', tails: '1和6', plates: '京A12345' }. */
export function restrictionReminderValues(
  answer: { date: string; tails: number[] },
  plates: string[],
): Record<string, string> {
  const [, m, d] = answer.date.split('-').map(Number);
  return {
    date: `${m}月${d}日(${WEEKDAY_NAMES[isoWeekday(answer.date)]})`,
    tails: answer.tails.join('和'),
    plates: plates.join('、'),
  };
}
