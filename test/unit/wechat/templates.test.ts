/**
 * Typed template mappings: whatever a notice says and whatever plate a follower bound, every value
 * a valid mapping produces passes the WeChat sandbox's checks (written from WeChat's table,
 * independently of the code that makes values valid), so 47003 is never reached; a mapping that
 * cannot produce valid values is refused when the accounts configuration loads, naming the key.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AccountConfigurationError,
  accountsFromEnv,
  parseAccounts,
} from '../../../functions/adapters/wechat/accounts.ts';
import { PROVINCES, parsePlate } from '../../../functions/core/restrictions/plates.ts';
import { cleanText } from '../../../functions/core/wechat/field-types.ts';
import {
  NOTICE_KIND_LABELS,
  noticePlaceholders,
  restrictionPlaceholders,
} from '../../../functions/core/wechat/placeholders.ts';
import {
  mappingProblems,
  renderTemplate,
  type TemplateMapping,
} from '../../../functions/core/wechat/templates.ts';
import { keyType, weChatAccepts } from '../../../lib/local/wechat-sandbox.ts';
import { NOTICE_KINDS } from '../../../schemas/notices.ts';
import { v1Account } from '../../fixtures/wechat.ts';

const page = { pageBaseUrl: 'https://wx.example.gov.cn' };
const mapping = (fields: Record<string, string>, over: Partial<TemplateMapping> = {}): TemplateMapping => ({
  id: 'tpl',
  fields,
  url: null,
  consts: {},
  ...over,
});

/** One key of every type, each filled the way the README documents for notices. */
const EVERY_TYPE_NOTICE = mapping(
  {
    thing1: '{title}',
    thing2: '{areas|全市}',
    thing3: '{summary}',
    thing4: '{window}',
    character_string5: '{ref}',
    phrase6: '{kind}',
    time7: '{window}',
    time8: '{from}',
    date9: '{published}',
    const10: '{kind}',
    number11: '122',
    amount12: '¥0',
    phone_number13: '122',
    name14: '交警支队',
    letter15: 'TPB',
    symbol16: '!',
    keyword17: '{title}',
  },
  { url: 'notice-page', consts: { const10: Object.values(NOTICE_KIND_LABELS) } },
);
const EVERY_TYPE_RESTRICTION = mapping({
  thing1: '{city}尾号{tails}限行',
  time2: '{window}',
  date3: '{date}',
  car_number4: '{plate}',
  thing5: '{area|全市}',
  thing6: '{plates}',
  thing7: '{date} {windows}',
  phrase8: '限行',
});

/** Text people write: Chinese, Latin, digits, punctuation, emoji, newlines, markup, CDATA ends. */
const noticeText = (max: number) =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '长安街',
          '临时交通管制',
          '请绕行',
          '二环',
          '（',
          '）',
          '：',
          '，',
          '。',
          '\n',
          ' ',
          '\t',
        ),
        fc.constantFrom(
          '🚗',
          '⚠️',
          '👨‍👩‍👧',
          '🇨🇳',
          ']]>',
          '<b>',
          '&amp;',
          '"',
          "'",
          '\u0000',
          '\u200b',
          'é',
          '🀄',
        ),
        fc.string({ unit: 'grapheme', maxLength: 6 }),
        fc.string({ maxLength: 6 }),
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join('').slice(0, max))
    .filter((t) => t.trim().length > 0);

const plate = fc
  .tuple(
    fc.constantFrom(...PROVINCES),
    fc.constantFrom(...'ABCDEFGHJKLMNPQRSTUVWXY'),
    fc.stringMatching(/^[0-9A-HJ-NP-Z]{5}$/),
    fc.boolean(),
  )
  .map(([p, a, s, nev]) => (nev ? `${p}${a}D${s}` : `${p}${a}${s}`))
  .filter((p) => {
    try {
      parsePlate(p);
      return true;
    } catch {
      return false;
    }
  })
  .map((p) => parsePlate(p).canonical);

const instant = fc
  .integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') })
  .map((ms) => new Date(ms).toISOString());

/** Every value passes the sandbox's check for its key's type (the const key's declared values given). */
function expectAccepted(m: TemplateMapping, data: Record<string, { value: string }>) {
  expect(Object.keys(data).sort()).toEqual(Object.keys(m.fields).sort());
  for (const [key, { value }] of Object.entries(data))
    expect(
      weChatAccepts(keyType(key), value, m.consts[key] ? [...m.consts[key]!] : null),
      `${key} = ${JSON.stringify(value)}`,
    ).toBe(true);
}

describe('a typed mapping fills every type with values WeChat accepts', () => {
  it('the two mappings used here are valid configurations', () => {
    expect(mappingProblems(EVERY_TYPE_NOTICE, 'notice', page)).toEqual([]);
    expect(mappingProblems(EVERY_TYPE_RESTRICTION, 'restriction', page)).toEqual([]);
  });

  it('any notice text, window and kind → values valid for every type, or a refusal naming the key', () => {
    fc.assert(
      fc.property(
        noticeText(64),
        noticeText(140),
        fc.array(noticeText(64), { maxLength: 4 }),
        fc.constantFrom(...NOTICE_KINDS),
        instant,
        fc.option(fc.integer({ min: 60_000, max: 40 * 86_400_000 }), { nil: null }),
        fc.uuid(),
        (title, summary, areas, kind, from, length, id) => {
          const to = length === null ? null : new Date(Date.parse(from) + length).toISOString();
          const values = noticePlaceholders(
            {
              id,
              kind,
              title,
              shortBody: summary,
              areas,
              effectiveFrom: from,
              effectiveTo: to,
              publishedAt: from,
            },
            '北京',
          );
          const rendered = renderTemplate(EVERY_TYPE_NOTICE, 'notice', values, page);
          if (!rendered.ok) {
            // Only a text with nothing WeChat can show (emoji, symbols) is refused, naming its key.
            for (const p of rendered.problems) {
              expect(p).toMatch(/^thing[13]: nothing WeChat can show/);
              const text = p.startsWith('thing1') ? title : summary;
              expect(/[\p{L}\p{N}]/u.test(cleanText(text))).toBe(false);
            }
            return;
          }
          expectAccepted(EVERY_TYPE_NOTICE, rendered.data);
          expect(rendered.url).toBe(`https://wx.example.gov.cn/n/${id}`);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('any plate, tails, windows and area → values valid for every type', () => {
    fc.assert(
      fc.property(
        fc.array(plate, { minLength: 1, maxLength: 3 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 2 }),
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 12, max: 23 })).map(([a, b]) => ({
            from: `${String(a).padStart(2, '0')}:00`,
            to: `${String(b).padStart(2, '0')}:30`,
          })),
          { minLength: 1, maxLength: 2 },
        ),
        fc.option(noticeText(120), { nil: null }),
        fc.date({ min: new Date('2026-01-01'), max: new Date('2027-12-31'), noInvalidDate: true }),
        (plates, tails, windows, area, day) => {
          const date = day.toISOString().slice(0, 10);
          const values = restrictionPlaceholders({ date, tails, windows, area }, '北京', plates);
          const rendered = renderTemplate(EVERY_TYPE_RESTRICTION, 'restriction', values, page);
          if (!rendered.ok) throw new Error(rendered.problems.join('; '));
          expectAccepted(EVERY_TYPE_RESTRICTION, rendered.data);
          expect(rendered.data.car_number4!.value).toBe(plates[0]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('cuts at a character boundary and says so with …; a window in a time key joins its ends with ~', () => {
    const values = noticePlaceholders(
      {
        id: '3f2b1c4d-0000-4000-8000-000000000000',
        kind: 'traffic-control',
        title: '一二三四五六七八九十一二三四五六七八九👨‍👩‍👧十一二',
        shortBody: '绕行',
        areas: [],
        effectiveFrom: '2026-11-23T01:50:00Z',
        effectiveTo: '2026-11-23T06:00:00Z',
        publishedAt: '2026-11-23T01:00:00Z',
      },
      '北京',
    );
    const r = renderTemplate(EVERY_TYPE_NOTICE, 'notice', values, page);
    if (!r.ok) throw new Error(r.problems.join('; '));
    expect(r.data.thing1!.value).toBe('一二三四五六七八九十一二三四五六七八九…');
    expect(r.data.thing2!.value).toBe('全市');
    expect(r.data.time7!.value).toBe('2026年11月23日 09:50~14:00');
    expect(r.data.thing4!.value).toBe('11月23日09:50至14:00');
    expect(r.data.date9!.value).toBe('2026年11月23日 09:00');
    expect(r.data.phrase6!.value).toBe('交通管制');
    expect(r.data.character_string5!.value).toBe('N3F2B1C4D');
  });
});

describe('a mapping that cannot produce valid values is refused, naming the key and why', () => {
  const problems = (
    fields: Record<string, string>,
    category: 'notice' | 'restriction' = 'notice',
    over = {},
  ) => mappingProblems(mapping(fields, over), category, { pageBaseUrl: null });

  it.each([
    [{ thing1: '{titel}' }, /thing1 "\{titel\}": unknown placeholder \{titel\}; notice offers \{title\}/],
    [
      { character_string2: '{title}' },
      /character_string2.*\{title\} \(text\) cannot fill a character_string key \(it may contain Chinese; try \{ref\}\)/,
    ],
    [{ character_string2: '编号{ref}' }, /character_string takes digits, letters and symbols only/],
    [{ car_number3: '{title}' }, /car_number3.*only \{plate\}/],
    [{ phrase4: '{title}' }, /phrase4.*cannot fill a phrase key/],
    [
      { phrase4: '交通管制通知' },
      /phrase4 "交通管制通知": "交通管制通知" is not at most 5 Chinese characters/,
    ],
    [{ time5: '{window}起' }, /time5.*one placeholder or one literal value/],
    [{ time5: '{to}' }, /time5.*\{to\} may be absent/],
    [{ time5: '2026年' }, /a time key is filled from/],
    [{ thing6: '{areas}' }, /thing6.*may be empty and a thing key cannot be: give a fallback/],
    [{ const7: '{kind}' }, /const7: a const key takes only values declared for it/],
    [{ first: '{title}' }, /first: first and remark were removed from template messages in 2023/],
    [{ number8: '{title}' }, /no placeholder is a number: write the value itself/],
    [{ thing9: '一二三四五六七八九十一二三四五六七八九十一' }, /longer than a thing shows/],
  ])('%j', (fields, message) => {
    expect(problems(fields).join('\n')).toMatch(message);
  });

  it('a const key whose placeholder may take an undeclared value, and urls that cannot be served', () => {
    expect(
      problems({ const1: '{kind}' }, 'notice', { consts: { const1: ['交通管制', '路况'] } }).join(),
    ).toMatch(/\{kind\} may be 辟谣, 限行调整, 通知, not a valid const/);
    expect(problems({ thing1: '{title}' }, 'notice', { url: 'notice-page' })).toEqual([
      'url: notice-page needs the account’s pageBaseUrl',
    ]);
    expect(problems({ thing1: '{city}' }, 'restriction', { url: 'notice-page' }).join()).toMatch(
      /a restriction push has no notice page/,
    );
    expect(problems({ thing1: '{plate}' }, 'notice').join()).toMatch(/unknown placeholder \{plate\}/);
  });

  it('is refused when the accounts configuration loads (the functions do not start with it)', () => {
    const bad = { notice: { id: 'tpl', fields: { thing1: '{title}', character_string2: '{title}' } } };
    expect(() => accountsFromEnv({ WECHAT_TEMPLATES: JSON.stringify(bad) })).toThrow(
      AccountConfigurationError,
    );
    expect(() => accountsFromEnv({ WECHAT_TEMPLATES: JSON.stringify(bad) })).toThrow(
      /dev\.templates\.notice: character_string2 "\{title\}": \{title\} \(text\) cannot fill/,
    );
    // An account of another deployment (the secret's JSON array) is read through the same check.
    expect(() =>
      parseAccounts([
        { ...v1Account(), subscriptions: { notice: { id: 's', fields: { time1: '{title}' } } } },
      ]),
    ).toThrow(/v1\.subscriptions\.notice: time1/);
    expect(() =>
      parseAccounts([{ ...v1Account(), kind: 'subscription', templates: { notice: 'x' } }]),
    ).toThrow(/a subscription account \(公众号\) cannot send template messages/);
    const good = {
      notice: { id: 'tpl', fields: { thing1: '{title}', time2: '{window}' }, url: 'notice-page' },
    };
    const [dev] = accountsFromEnv({
      WECHAT_TEMPLATES: JSON.stringify(good),
      WECHAT_PAGE_BASE_URL: 'https://x.cn',
    });
    expect(dev!.templates.notice).toMatchObject({ id: 'tpl', url: 'notice-page' });
  });

  it('a legacy id keeps working: keyword1..4 as before 2023', () => {
    const [dev] = accountsFromEnv({});
    expect(dev!.templates.restriction).toBe('dev-restriction-template');
  });
});
