/**
 * Chinese licence plates (GA 36-2018 family): normalise what a citizen types, validate it, classify
 * it, and take its tail digit under a city's letter rule. Pure; no I/O.
 *
 * Primary course:
 *  1. normalise: NFKC (full-width → half-width), uppercase, strip spaces and · • ・ . - _ —,
 *     map traditional province and suffix characters (滬 → 沪, 學 → 学);
 *  2. match, in order: emergency (应急), embassy (使), new-energy (8 characters), suffixed special
 *     plates (挂 学 警 港 澳 领 试 超), ordinary (7 characters);
 *  3. on failure, say what is wrong, in Chinese for citizens and English for the API.
 */
import type { LetterTailRule } from '../../../schemas/restrictions.ts';
import { ValidationError } from '../errors.ts';

export const PROVINCES = '京津沪渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新';

const TRADITIONAL: Record<string, string> = {
  滬: '沪',
  貴: '贵',
  遼: '辽',
  蘇: '苏',
  閩: '闽',
  贛: '赣',
  魯: '鲁',
  粵: '粤',
  瓊: '琼',
  陝: '陕',
  寧: '宁',
  雲: '云',
  晉: '晋',
  學: '学',
  掛: '挂',
  領: '领',
  應: '应',
  試: '试',
};

export type PlateType =
  | 'ordinary'
  | 'new-energy-small'
  | 'new-energy-large'
  | 'trailer'
  | 'coach'
  | 'police'
  | 'hong-kong'
  | 'macau'
  | 'consulate'
  | 'test'
  | 'oversize'
  | 'emergency'
  | 'embassy';

export type NevKind = 'pure-electric' | 'non-pure';

export interface Plate {
  /** Without separators, e.g. 京A12345. */
  canonical: string;
  /** For people, e.g. 京A·12345. */
  display: string;
  province: string;
  /** Issuing-authority letter (发牌机关代号); '' for embassy and ministry emergency plates. */
  authority: string;
  /** The serial the tail is taken from (without a Chinese suffix). */
  serial: string;
  suffix: string;
  type: PlateType;
  nev: NevKind | null;
}

export type PlateErrorCode =
  | 'empty'
  | 'province'
  | 'authority'
  | 'letters-i-o'
  | 'length'
  | 'new-energy-format'
  | 'characters';

const MESSAGES: Record<PlateErrorCode, { zh: string; en: string }> = {
  empty: { zh: '请输入车牌号', en: 'The plate is empty.' },
  province: {
    zh: '车牌第一个字应为省份简称（如京、陕）',
    en: 'The first character must be one of the 31 province abbreviations (e.g. 京, 陕) or 使.',
  },
  authority: {
    zh: '车牌第二位应为发牌机关字母（如京A12345中的A）',
    en: 'The second character must be the issuing-authority letter (A–Z).',
  },
  'letters-i-o': {
    zh: '车牌序号中不含字母I和O',
    en: 'Plate serials never contain the letters I or O; did you mean 1 or 0?',
  },
  length: {
    zh: '号牌长度不对：普通号牌7位（如京A12345），新能源号牌8位（如京AD12345）',
    en: 'A plate has 7 characters, or 8 for a new-energy plate (e.g. 京A12345, 京AD12345).',
  },
  'new-energy-format': {
    zh: '新能源号牌格式不对：应为字母D、F等加5位（如京AD12345），或5位数字加D、F等（如京A12345D）',
    en: 'A new-energy plate is letter+5 characters (京AD12345) or 5 digits+letter (京A12345D), energy letter D/F/A/B/C/E/G/H/J/K.',
  },
  characters: {
    zh: '车牌中有无效字符（如符号或多余的汉字）',
    en: 'The plate contains characters that never appear on a plate.',
  },
};

/** A plate the citizen typed is not valid; `zh` is what we tell them, `message` is for the API. */
export class PlateError extends ValidationError {
  readonly code: PlateErrorCode;
  readonly zh: string;
  constructor(code: PlateErrorCode, input: string) {
    super(`Invalid plate '${input}': ${MESSAGES[code].en}`, [{ path: 'plate', message: MESSAGES[code].en }], {
      code: `plate-${code}`,
      messageZh: MESSAGES[code].zh,
    });
    this.code = code;
    this.zh = MESSAGES[code].zh;
  }
}

/** NFKC (full-width → half-width) and the traditional province and suffix characters simplified (滬 → 沪). */
export function simplifyPlateCharacters(input: string): string {
  return [...input.normalize('NFKC')].map((c) => TRADITIONAL[c] ?? c).join('');
}

export function normalisePlate(input: string): string {
  return simplifyPlateCharacters(input)
    .toUpperCase()
    .replace(/[\s·•・.\-_—–]/g, '');
}

const P = `[${PROVINCES}]`;
const SERIAL = '[A-HJ-NP-Z0-9]';
const PURE = 'DABCE';
const ENERGY = '[DABCEFGHJK]';
const SUFFIX_TYPES: Record<string, PlateType> = {
  挂: 'trailer',
  学: 'coach',
  警: 'police',
  港: 'hong-kong',
  澳: 'macau',
  领: 'consulate',
  试: 'test',
  超: 'oversize',
};

const EMERGENCY = new RegExp(`^(${P})([XS]?)(\\d{4,5})(应急)$`);
const EMBASSY = /^(使)(\d{6})$/;
const NEV_SMALL = new RegExp(`^(${P})([A-HJ-Z])(${ENERGY}${SERIAL}\\d{4})$`);
const NEV_LARGE = new RegExp(`^(${P})([A-HJ-Z])(\\d{5}${ENERGY})$`);
const SUFFIXED = new RegExp(`^(${P})([A-HJ-Z])(${SERIAL}{4})([挂学警港澳领试超])$`);
const ORDINARY = new RegExp(`^(${P})([A-HJ-Z])(${SERIAL}{5})$`);

function build(
  province: string,
  authority: string,
  serial: string,
  suffix: string,
  type: PlateType,
  nev: NevKind | null,
): Plate {
  const canonical = `${province}${authority}${serial}${suffix}`;
  const head = `${province}${authority}`;
  return { canonical, display: `${head}·${serial}${suffix}`, province, authority, serial, suffix, type, nev };
}

const nevKind = (energyLetter: string): NevKind =>
  PURE.includes(energyLetter) ? 'pure-electric' : 'non-pure';

/** Tried in order; the first that recognises the normalised string wins. */
const MATCHERS: Array<(s: string) => Plate | undefined> = [
  (s) => {
    const m = EMERGENCY.exec(s);
    if (!m) return undefined;
    const [, prov, team, digits] = m as unknown as [string, string, string, string];
    // Team plates: X/S + 4 digits; ministry plates: 5 digits without a letter.
    const ok = (team !== '' && digits.length === 4) || (team === '' && digits.length === 5);
    return ok ? build(prov, '', `${team}${digits}`, '应急', 'emergency', null) : undefined;
  },
  (s) => {
    const m = EMBASSY.exec(s);
    return m ? build('使', '', m[2]!, '', 'embassy', null) : undefined;
  },
  (s) => {
    const m = NEV_SMALL.exec(s);
    return m ? build(m[1]!, m[2]!, m[3]!, '', 'new-energy-small', nevKind(m[3]![0]!)) : undefined;
  },
  (s) => {
    const m = NEV_LARGE.exec(s);
    return m ? build(m[1]!, m[2]!, m[3]!, '', 'new-energy-large', nevKind(m[3]!.at(-1)!)) : undefined;
  },
  (s) => {
    const m = SUFFIXED.exec(s);
    return m ? build(m[1]!, m[2]!, m[3]!, m[4]!, SUFFIX_TYPES[m[4]!]!, null) : undefined;
  },
  (s) => {
    const m = ORDINARY.exec(s);
    return m ? build(m[1]!, m[2]!, m[3]!, '', 'ordinary', null) : undefined;
  },
];

/** Parses a plate as typed by a citizen; throws PlateError saying what is wrong. */
export function parsePlate(input: string): Plate {
  const s = normalisePlate(input);
  if (s === '') throw new PlateError('empty', input);
  for (const match of MATCHERS) {
    const plate = match(s);
    if (plate) return plate;
  }
  throw new PlateError(diagnose(s), input);
}

/** The most useful thing to tell someone whose plate did not match. */
function diagnose(s: string): PlateErrorCode {
  const chars = [...s];
  const first = chars[0]!;
  if (!PROVINCES.includes(first) && first !== '使') return 'province';
  if (chars.length > 1 && !/[A-Z]/.test(chars[1]!)) return 'authority';
  const rest = chars.slice(2).join('');
  if (/[^A-Z0-9挂学警港澳领试超应急]/.test(rest)) return 'characters';
  if (/[IO]/.test(rest)) return 'letters-i-o';
  if (chars.length === 8) return 'new-energy-format';
  return 'length';
}

/**
 * The tail digit under a city's letter rule: `zero` (a letter counts as 0), `last-digit` (the last
 * Arabic digit of the serial), `fixed:N` (a letter counts as N).
 */
export function tailDigit(plate: Plate, rule: LetterTailRule): number {
  const last = plate.serial.at(-1)!;
  if (/\d/.test(last)) return Number(last);
  if (rule === 'zero') return 0;
  if (rule === 'last-digit') {
    const digits = plate.serial.match(/\d/g);
    return digits ? Number(digits.at(-1)) : 0;
  }
  return Number(rule.slice('fixed:'.length));
}
