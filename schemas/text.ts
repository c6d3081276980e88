/**
 * The rules for what people type into the system, in one place: every free-text field of the API
 * (titles, bodies, reasons, names, areas, sources, notes), every URL, and every integer, month and
 * date in a query string are built from these, so a field cannot be stricter or looser than its
 * neighbours by accident. A refusal is a zod issue, so the router's 400 names the field.
 *
 * Text: trimmed; at most `max` characters (UTF-16 code units, as DynamoDB and the schemas count
 * them); no C0 or C1 control characters and no DEL (a multi-line field keeps newline and tab); no
 * bidirectional embeddings, overrides or isolates (U+202A–U+202E, U+2066–U+2069: they make
 * published text read differently from how it was reviewed); no lone surrogates (not Unicode, and
 * not storable as UTF-8); and something visible once whitespace and invisible characters
 * (format characters, default-ignorable code points, the braille blank) are taken away.
 *
 * URLs: absolute, `https:` (or `http:` where the field says so), at most 2,000 characters.
 */
import * as z from 'zod';

/** C0, DEL and C1 (Unicode's control characters), but newline and tab. */
const CONTROL = /(?![\n\t])\p{Cc}/u;
const CONTROL_OR_TAB_NEWLINE = /\p{Cc}/u;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
const INVISIBLE = /[\s\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/gu;

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `s` is not acceptable text, or null. */
export function textProblem(s: string, multiLine: boolean): string | null {
  const control = (multiLine ? CONTROL : CONTROL_OR_TAB_NEWLINE).exec(s);
  if (control)
    return `contains the control character ${codePoint(control[0])}${multiLine ? ' (only newline and tab are allowed)' : ''}`;
  const bidi = BIDI_CONTROL.exec(s);
  if (bidi) return `contains the bidirectional control ${codePoint(bidi[0])}`;
  if (!s.isWellFormed()) return 'contains a lone surrogate (not Unicode text)';
  if (s.replace(INVISIBLE, '') === '') return 'is empty once invisible characters are removed';
  return null;
}

interface TextOptions {
  /** Newline and tab allowed (bodies, notes). */
  multiLine?: boolean;
}

/** Required free text of at most `max` characters. */
export const text = (max: number, options: TextOptions = {}) =>
  z
    .string()
    .trim()
    .max(max, `at most ${max} characters`)
    .superRefine((s, ctx) => {
      const problem = textProblem(s, options.multiLine ?? false);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

/** An absolute URL with the scheme https (or http where `allowHttp`), at most 2,000 characters. */
export const url = (options: { allowHttp?: boolean } = {}) =>
  z
    .string()
    .max(2000, 'at most 2,000 characters')
    .pipe(
      z.url({
        protocol: options.allowHttp ? /^https?$/ : /^https$/,
        error: options.allowHttp ? 'expected an http: or https: URL' : 'expected an https: URL',
      }),
    );

/** An identifier typed by a person or a system: `pattern` decides, `max` bounds it (keys are built from these). */
export const identifier = (pattern: RegExp, max: number, what: string) =>
  z.string().max(max, `at most ${max} characters`).regex(pattern, what);

// Query strings: what API Gateway hands over is text; only decimal digits are numbers. -------------

/**
 * Query and path integers by their bounds: the OpenAPI document (schemas/openapi.ts) shows each as
 * what it is on the wire, an integer in [min, max] written in decimal digits, rather than as the
 * string pattern that parses it — so typed clients pass numbers.
 */
export const queryInts = new WeakMap<z.ZodType, { min: number; max: number }>();

/** A query or path integer: decimal digits only (no sign, spaces, hex or exponent), within [min, max]. */
export const queryInt = (min: number, max: number) => {
  const schema = z
    .string()
    .regex(/^\d{1,9}$/, 'expected a whole number in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
  queryInts.set(schema, { min, max });
  return schema;
};

/** YYYY-MM, a real month. */
export const MonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month as YYYY-MM');
