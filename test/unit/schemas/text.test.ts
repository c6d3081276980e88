/**
 * The text rules every free-text field, URL and query number of the API is built from
 * (schemas/text.ts): what the issue found stored and published — NUL, ANSI escapes, U+202E, only
 * invisible characters, lone surrogates, `javascript:` sources, `?limit=0x10` — is refused, and
 * ordinary Chinese text, newlines in bodies and https links pass.
 */
import { describe, expect, it } from 'vitest';
import { MonthSchema, queryInt, text, textProblem, url } from '../../../schemas/text.ts';

const title = text(64);
const body = text(2000, { multiLine: true });
const problem = (schema: typeof title, value: string) => {
  const r = schema.safeParse(value);
  return r.success ? null : r.error.issues[0]!.message;
};

describe('free text', () => {
  it('takes ordinary text, trimmed; a body keeps its newlines and tabs', () => {
    expect(title.parse('  长安街临时交通管制 ')).toBe('长安街临时交通管制');
    expect(body.parse('第一段\n\t第二段')).toBe('第一段\n\t第二段');
    expect(title.parse('A·B（京A12345）😀')).toBe('A·B（京A12345）😀');
  });

  it.each([
    ['NUL', 'a\u0000b', /control character U\+0000/],
    ['an ANSI escape', '\u001b[31mred', /control character U\+001B/],
    ['DEL', 'a\u007fb', /U\+007F/],
    ['a C1 control', 'a\u0085b', /U\+0085/],
    ['a right-to-left override', 'abc\u202Egnp.exe', /bidirectional control U\+202E/],
    ['a left-to-right embedding', '\u202Aabc', /U\+202A/],
    ['a first-strong isolate', 'a\u2068b\u2069', /U\+2068/],
    ['a lone high surrogate', 'a\uD800b', /lone surrogate/],
    ['a lone low surrogate', 'a\uDC00', /lone surrogate/],
    ['only zero-width spaces', '\u200B\u200B\u200C', /empty once invisible/],
    ['only a Hangul filler and a BOM', '\u3164\uFEFF', /empty once invisible/],
    ['only ideographic spaces', '\u3000\u3000', /empty once invisible/],
    ['nothing', '', /empty once invisible/],
    ['a braille blank', '\u2800', /empty once invisible/],
  ])('refuses %s, saying why', (_, value, why) => {
    expect(problem(title, value)).toMatch(why);
    expect(problem(body, value)).toMatch(why);
  });

  it('refuses newline and tab in a single-line field, and carriage returns everywhere', () => {
    expect(problem(title, 'a\nb')).toMatch(/U\+000A/);
    expect(problem(title, 'a\tb')).toMatch(/U\+0009/);
    expect(problem(body, 'a\r\nb')).toMatch(/U\+000D .*only newline and tab/);
  });

  it('counts the limit after trimming, and says it', () => {
    expect(title.safeParse('x'.repeat(64)).success).toBe(true);
    expect(problem(title, 'x'.repeat(65))).toBe('at most 64 characters');
    expect(problem(title, 'x'.repeat(1_000_000))).toBe('at most 64 characters');
  });

  it('textProblem is the one rule (null for good text)', () => {
    expect(textProblem('路况', false)).toBeNull();
    expect(textProblem('a\u0000', true)).not.toBeNull();
  });
});

describe('URLs', () => {
  it('are https (http only where a field allows it)', () => {
    expect(url().safeParse('https://www.gov.cn/zhengce/content/x.htm').success).toBe(true);
    for (const bad of [
      'javascript:alert(1)',
      'http://www.gov.cn/',
      'data:text/html,x',
      'ftp://x',
      '//x',
      'x',
    ])
      expect(url().safeParse(bad).success).toBe(false);
    expect(url({ allowHttp: true }).safeParse('http://www.tjits.cn/').success).toBe(true);
    expect(url({ allowHttp: true }).safeParse('javascript:alert(1)').success).toBe(false);
    expect(url().safeParse(`https://x.cn/${'a'.repeat(2000)}`).success).toBe(false);
  });
});

describe('query numbers and months', () => {
  const limit = queryInt(1, 100);
  it.each(['0x10', ' 5', '%205', '5 ', '+5', '-1', '1e2', '5.0', '', '0', '101', '１０', '9999999999'])(
    'refuses limit=%j',
    (v) => expect(limit.safeParse(v).success).toBe(false),
  );
  it('takes decimal digits within bounds', () => {
    expect(limit.parse('10')).toBe(10);
    expect(limit.parse('007')).toBe(7);
    expect(limit.parse('100')).toBe(100);
  });
  it.each(['2026-13', '2026-00', '2026-1', '26-01', '2026-01-01', '2026-1x'])('refuses month=%s', (m) =>
    expect(MonthSchema.safeParse(m).success).toBe(false),
  );
  it('takes a real month', () => expect(MonthSchema.parse('2026-12')).toBe('2026-12'));
});
