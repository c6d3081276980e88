/**
 * The SMS channel, pure: mainland mobile numbers (normalise, mask, key by HMAC), template rendering
 * and billing parts, the month a spend counts against. No I/O; the pepper and the clock come in.
 *
 * Billing parts: a message of at most 70 characters is one part; a longer one is split into parts
 * of 67 (the rest carry the concatenation header). The sign 【…】 counts. Characters are counted as
 * UTF-16 code units, because that is what a part holds on the wire (UCS-2/UTF-16, 140 octets = 70
 * units): every Chinese character, letter, digit and punctuation mark in the BMP is one unit, and a
 * character outside it (an emoji, a rare CJK Extension-B character) is two — the gateways' "each
 * character counts 1" holds for the BMP, and counting units never under-estimates a bill.
 */
import { createHmac } from 'node:crypto';
import type { SmsCatalogue, SmsProvider, SmsTemplateKind } from '../../schemas/sms.ts';
import { civilDate, isoWeekday } from './calendar.ts';
import { ValidationError } from './errors.ts';

export class PhoneNumberError extends ValidationError {}
export class SmsTooLongError extends ValidationError {}

/** +86 and an 11-digit mobile number (1, then 3–9, then 9 digits). */
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

/**
 * A mainland China mobile number in E.164 (`+8613800138000`) from what a person or a gateway writes:
 * spaces, dashes, dots and brackets are ignored, full-width digits read as digits, and a prefix of
 * +86, 0086 or 86 is accepted. Anything else (landlines, other countries) is refused.
 */
export function normalisePhone(raw: string): string {
  const compact = raw.normalize('NFKC').replace(/[\s\-.()]/g, '');
  const national = compact.replace(/^(?:\+86|0086|86)(?=1\d{10}$)/, '');
  if (!MAINLAND_MOBILE.test(national))
    throw new PhoneNumberError(
      'Only mainland China mobile numbers are supported: 11 digits starting with 13–19, optionally with +86 (e.g. +86 138 0013 8000).',
      [{ path: 'phone', message: 'not a mainland China mobile number' }],
    );
  return `+86${national}`;
}

/** For every log line: `+86 138****1234`. */
export function maskPhone(e164: string): string {
  const national = e164.replace(/^\+86/, '');
  if (!MAINLAND_MOBILE.test(national)) return '+** ****';
  return `+86 ${national.slice(0, 3)}****${national.slice(-4)}`;
}

/** The subscriber id of a number: HMAC-SHA256 under the deployment's pepper (hex). Never the number. */
export function phoneId(pepper: Buffer, e164: string): string {
  return createHmac('sha256', pepper).update(e164).digest('hex');
}

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

/** The push category's template. */
export function templateForCategory(category: string): SmsTemplateKind {
  return category === 'restriction' ? 'restriction-reminder' : 'notice';
}

const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** The restriction reminder's parameters, e.g. { date: '11月16日(周一)', tails: '1和6', plates: '京A12345' }. */
export function restrictionReminderValues(
  answer: { date: string; tails: number[] },
  plates: string[],
): Record<string, string> {
  const [, m, d] = answer.date.split('-').map(Number);
  return {
    date: `${m}月${d}日(${WEEKDAYS[isoWeekday(answer.date)]})`,
    tails: answer.tails.join('和'),
    plates: plates.join('、'),
  };
}

/** The month (Asia/Shanghai) a send's cost counts against: `2026-11`. */
export const budgetMonth = (now: Date) => civilDate(now).slice(0, 7);

/** What a send costs, in fen. */
export const costFen = (parts: number, pricePerPartFen: number) => parts * pricePerPartFen;

/** The per-number daily caps the gateways document (notify.md §4.1–§4.2); ours must be stricter. */
export const GATEWAY_NUMBER_DAILY_CAP: Record<SmsProvider, number | null> = {
  // Tencent's default: 2 a number a calendar day (changeable in the console).
  tencent: 2,
  // Aliyun: 50 a day per signature + template + number (rolling 24 h).
  aliyun: 50,
  sns: null,
};
