/**
 * What a citizen's text asks for, whatever the channel. Pure: the city names we have data for are an
 * input (`cities`, Chinese name → city code, from the restriction data), today is not needed (dates
 * stay relative until `resolveDate`).
 *
 * Primary course of parseIntent:
 *  1. commands, matched whole: TD/退订 …, 订阅, reminder preferences, 短信备用, menu keywords,
 *     绑定/BD <plate> [city], 解绑/JB [plate], a bare tail digit ("3", "尾号3");
 *  2. otherwise a question, read in any order, spaces or not: the cities it names (known names, or a
 *     place we have no data for), a tail ("尾号3"), a date (see ./dates.ts), the plates in it (and
 *     the problem with an almost-plate), the restriction or road-condition words, filler words;
 *  3. a question that names nothing we understand, or leaves words we do not understand without
 *     asking about restrictions, is `help` (the menu).
 */
import type { CaseCategory } from '../../../schemas/desk.ts';
import type { KeywordReplies } from '../../../schemas/wechat.ts';
import {
  PlateError,
  type PlateErrorCode,
  PROVINCES,
  parsePlate,
  simplifyPlateCharacters,
} from '../restrictions/plates.ts';
import { findDate, type When } from './dates.ts';
import { placeName } from './places.ts';

/** Chinese city name → city code, e.g. 西安 → xian (from the restriction data's `cityName`). */
export type CityNames = ReadonlyMap<string, string>;

/** What stands in the way of answering a question as asked. */
export type QuestionIssue =
  | { kind: 'unknown-city'; name: string }
  | { kind: 'plate'; code: PlateErrorCode; zh: string };

export type Intent =
  /** `city`: a city code, or the name the citizen typed when we have no data for it. */
  | { type: 'bind'; plate: string; city: string | null }
  | { type: 'unbind'; plate: string | null }
  | {
      type: 'restriction';
      when: When;
      /** Cities named in the message (codes), in the order named. */
      cities: string[];
      tail: number | null;
      /** Plates in the message (canonical). */
      plates: string[];
      issue: QuestionIssue | null;
    }
  /** `city`: a code named in the message; `unknownCity`: a place named that we have no data for. */
  | { type: 'road'; city: string | null; unknownCity: string | null }
  | { type: 'keyword'; index: number }
  | { type: 'unsubscribe' }
  | { type: 'resubscribe' }
  | { type: 'preference'; reminders?: boolean; slot?: 'morning' | 'evening' }
  | { type: 'sms-fallback'; on: boolean }
  /** Keep the follower's reported location (WeChat LOCATION events), or stop. */
  | { type: 'location-reports'; on: boolean }
  /** 验证 <plate> <VIN last 6>: prove ownership of a bound plate (no proof: how to). */
  | { type: 'verify-plate'; plate: string; proof: string | null }
  /** 验证驾驶证 <licence number> <file number>. */
  | { type: 'verify-licence'; licence: string | null; file: string | null }
  /** 验证 <plate> 短信 / 验证驾驶证 <licence number> 短信: a code by SMS to the registered phone. */
  | { type: 'verify-by-sms'; plate: string | null; licence: string | null }
  /** 验证码 <6 digits>: the code sent by SMS (null: the word alone). */
  | { type: 'verify-code'; code: string | null }
  | { type: 'unbind-licence' }
  /** 违法 / 记分 / 年检: the follower's own vehicles' or licence's records. */
  | { type: 'driver-query'; what: 'violations' | 'points' | 'inspection' }
  /** A case for the service desk ("投诉 …"); `text` empty: the word alone (its text comes next). */
  | { type: 'case'; category: CaseCategory; word: string; text: string }
  /** "查询留言": the citizen's cases. */
  | { type: 'my-cases' }
  | { type: 'help' };

const NO_CITIES: CityNames = new Map();
const today = (): When => ({ kind: 'offset', days: 0 });

/** Full-width → half-width, traditional plate characters simplified, trimmed, inner whitespace collapsed. */
function clean(text: string): string {
  return simplifyPlateCharacters(text)
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/[\s。.!！?？~～,，、…]+$/, '');
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Removes every known city name (and a 市 after it); returns the codes in the order named. */
function takeCities(text: string, cities: CityNames): { codes: string[]; rest: string } {
  const names = [...cities.keys()].sort((a, b) => b.length - a.length);
  if (names.length === 0) return { codes: [], rest: text };
  const found: Array<{ at: number; code: string }> = [];
  const re = new RegExp(`(${names.map(escapeRegExp).join('|')})市?`, 'g');
  const rest = text.replace(re, (match, name: string, at: number) => {
    found.push({ at, code: cities.get(name)! });
    return ' '.repeat(match.length);
  });
  const codes = [...new Set(found.sort((a, b) => a.at - b.at).map((f) => f.code))];
  return { codes, rest };
}

const SEP = '\\s·•・.\\-_—–';
/** A province character (or 使), then letters and digits (separators inside allowed), then a suffix. */
const PLATE_RUN = new RegExp(
  `[${PROVINCES}使][${SEP}]*[A-Za-z0-9](?:[A-Za-z0-9${SEP}]*[A-Za-z0-9])?(?:[挂学警港澳领试超]|应急)?`,
  'g',
);

/**
 * The plates written in `text`. A run of plate characters may swallow a neighbouring number
 * ("京A12345 6"), so a run that is not a plate is retried without its trailing space-separated parts;
 * a run that is no plate at all is reported with what is wrong with it.
 */
export function findPlates(text: string): { plates: string[]; problem: PlateError | null; rest: string } {
  const plates: string[] = [];
  let problem: PlateError | null = null;
  const rest = text.replace(PLATE_RUN, (run) => {
    const cuts = [run];
    // A plate is at most 9 characters; a long run is not retried piece by piece (bounded work).
    if (run.length <= 24)
      for (let i = run.length - 1; i > 0; i--) if (run[i] === ' ') cuts.push(run.slice(0, i).trimEnd());
    for (const candidate of cuts) {
      try {
        const plate = parsePlate(candidate);
        if (!plates.includes(plate.canonical)) plates.push(plate.canonical);
        return ` ${run.slice(candidate.length)} `;
      } catch (e) {
        if (!(e instanceof PlateError)) throw e;
      }
    }
    try {
      parsePlate(run);
    } catch (e) {
      if (e instanceof PlateError) problem ??= e;
      else throw e;
    }
    return ' ';
  });
  return { plates, problem, rest };
}

/** Something typed as a plate but without a province character first ("A12345", "港A12345", "12345"). */
function almostPlate(chunk: string): PlateError | null {
  if (!/^[\u4e00-\u9fff]?[A-Za-z0-9][A-Za-z0-9·•・.\-_—–]{2,}[挂学警港澳领试超]?$/.test(chunk)) return null;
  const alnum = chunk.replace(/[^A-Za-z0-9]/g, '');
  if (!/\d/.test(alnum) || alnum.length < 4 || (alnum.length < 5 && !/[A-Za-z]/.test(alnum))) return null;
  try {
    parsePlate(chunk);
    return null;
  } catch (e) {
    if (e instanceof PlateError) return e;
    throw e;
  }
}

const TAIL = /尾号\s*(?:是|为)?\s*([0-9])(?![0-9])/;
const RESTRICTION_WORDS = /限行查询|尾号限行|限号查询|限不限行?|限行|限号|限不限|尾号|是否限|限吗/g;
const ROAD_WORDS = /路况信息|路况查询|交通管制|道路管制|路况/g;
/** Words people wrap a question in; removed before deciding whether anything is left unexplained. */
const FILLER_WORDS = new RegExp(
  [
    '请问一下',
    '请问',
    '麻烦',
    '查询一下',
    '查一下',
    '查询',
    '查查',
    '看一下',
    '看看',
    '一下',
    '我想知道',
    '想知道',
    '我想问',
    '想问',
    '我想',
    '我要',
    '帮我',
    '告诉我',
    '是不是',
    '是否',
    '会不会',
    '能不能',
    '可不可以',
    '可以',
    '情况',
    '规定',
    '信息',
    '怎么样',
    '怎样',
    '哪些',
    '哪个',
    '多少',
    '几号',
    '车牌号码',
    '车牌号',
    '车牌',
    '号码',
    '号牌',
    '我的车',
    '我的',
    '我家',
    '出行',
    '开车',
    '上路',
    '出门',
    '能开',
    '的话',
    '安排',
    '机动车',
    '小汽车',
    '汽车',
    '本市',
    '市区',
  ].join('|'),
  'g',
);
const FILLER_CHARS = new Set([
  ...'吗呢吧啊呀么嘛的了我请查问是不会要想能开车可以有没在还和跟与及号日天市呗哈哦嗯么',
]);
const PUNCTUATION = /[\s。.!！?？~～,，、…:：;；"“”'‘’()（）[\]【】<>《》]+/g;

/** A chunk of what is left: a place, an almost-plate, or words we do not understand (filler trimmed). */
function readChunk(chunk: string): { place: string } | { plate: PlateError } | { unknown: string } | null {
  let c = chunk;
  while (c !== '') {
    const place = placeName(c);
    if (place) return { place };
    if (FILLER_CHARS.has(c[0]!)) c = c.slice(1);
    else if (FILLER_CHARS.has(c.at(-1)!)) c = c.slice(0, -1);
    else break;
  }
  if (c === '') return null;
  const plate = almostPlate(c);
  if (plate) return { plate };
  return { unknown: c };
}

/** A question about restrictions or road conditions, read in any order; `help` when it is neither. */
function parseQuestion(text: string, cities: CityNames): Intent {
  const named = takeCities(text, cities);
  let rest = named.rest;
  let tail: number | null = null;
  const t = TAIL.exec(rest);
  if (t) {
    tail = Number(t[1]);
    rest = rest.replace(TAIL, ' ');
  }
  const date = findDate(rest);
  if (date) rest = date.rest;
  const found = findPlates(rest);
  rest = found.rest;
  let problem = found.problem;
  const asksRestriction = rest.search(RESTRICTION_WORDS) >= 0;
  rest = rest.replace(RESTRICTION_WORDS, ' ');
  const asksRoad = rest.search(ROAD_WORDS) >= 0;
  rest = rest.replace(ROAD_WORDS, ' ').replace(FILLER_WORDS, ' ');

  let unknownCity: string | null = null;
  let unexplained = false;
  const codes = new Set(cities.values());
  for (const chunk of rest.split(PUNCTUATION).filter(Boolean)) {
    if (codes.has(chunk.toLowerCase())) {
      if (!named.codes.includes(chunk.toLowerCase())) named.codes.push(chunk.toLowerCase());
      continue;
    }
    const read = readChunk(chunk);
    if (!read) continue;
    if ('place' in read) unknownCity ??= read.place;
    else if ('plate' in read) problem ??= read.plate;
    else unexplained = true;
  }

  const about =
    asksRestriction ||
    named.codes.length > 0 ||
    tail !== null ||
    found.plates.length > 0 ||
    problem !== null ||
    unknownCity !== null ||
    date !== null;
  if (asksRoad && !asksRestriction && tail === null && found.plates.length === 0 && problem === null)
    return unexplained ? { type: 'help' } : { type: 'road', city: named.codes[0] ?? null, unknownCity };
  if (!about || (unexplained && !asksRestriction)) return { type: 'help' };
  const issue: QuestionIssue | null =
    unknownCity !== null
      ? { kind: 'unknown-city', name: unknownCity }
      : problem
        ? { kind: 'plate', code: problem.code, zh: problem.zh }
        : null;
  return {
    type: 'restriction',
    when: date?.when ?? today(),
    cities: named.codes,
    tail,
    plates: found.plates,
    issue,
  };
}

/** "绑定 陕A1234Q 西安", "BD 京A12345", "绑定西安陕A1234Q", "bd 陕A1234Q xian". */
function parseBind(arg: string, cities: CityNames): Intent {
  const named = takeCities(arg, cities);
  let city = named.codes[0] ?? null;
  let rest = named.rest.trim();
  const code = /(?:^|\s)([a-z]+)$/.exec(rest);
  if (!city && code && code.index > 0) {
    city = code[1]!;
    rest = rest.slice(0, code.index);
  }
  const run = [...rest.matchAll(PLATE_RUN)][0];
  if (!run) return { type: 'bind', plate: rest.replace(/\s+/g, ''), city };
  const plate = run[0].replace(/\s+/g, '');
  const other = `${rest.slice(0, run.index)} ${rest.slice(run.index + run[0].length)}`
    .replace(PUNCTUATION, '')
    .replace(/市$/, '');
  return { type: 'bind', plate, city: city ?? (other === '' ? null : other) };
}

const DRIVER_QUERIES: Record<string, 'violations' | 'points' | 'inspection'> = {
  违法: 'violations',
  违章: 'violations',
  查违法: 'violations',
  查违章: 'violations',
  违章查询: 'violations',
  记分: 'points',
  查记分: 'points',
  扣分: 'points',
  查扣分: 'points',
  驾驶证记分: 'points',
  年检: 'inspection',
  查年检: 'inspection',
  年审: 'inspection',
  机动车检验: 'inspection',
};

/**
 * 违法 / 记分 / 年检, 验证 …, 验证驾驶证 …, 验证 … 短信, 验证码 …, 解绑驾驶证 (matched whole, like the
 * other commands).
 */
function driverCommand(text: string): Intent | null {
  const query = DRIVER_QUERIES[text];
  if (query) return { type: 'driver-query', what: query };
  if (text === '解绑驾驶证' || text === '取消驾驶证验证') return { type: 'unbind-licence' };
  // Before 验证 <plate>: 验证码 is its own word (a VIN's last 6 may be digits only, like a code).
  const code = /^验证码\s*(?:[:：]\s*)?(\d{6})?$/.exec(text);
  if (code) return { type: 'verify-code', code: code[1] ?? null };
  const bySms = /^验证(驾驶证)?\s*(.*?)\s*(?:短信验证|短信|SMS)$/i.exec(text);
  if (bySms) {
    const arg = bySms[2]!.replace(/\s+/g, '');
    return bySms[1]
      ? { type: 'verify-by-sms', plate: null, licence: arg.toUpperCase() || null }
      : { type: 'verify-by-sms', plate: arg || null, licence: null };
  }
  const licence = /^验证驾驶证\s*(?:([0-9A-Za-z]{6,20})\s*(?:(\d{12}))?)?$/.exec(text);
  if (licence)
    return { type: 'verify-licence', licence: licence[1]?.toUpperCase() ?? null, file: licence[2] ?? null };
  const plate = /^(?:验证|YZ)\s*(.+)$/i.exec(text);
  if (!plate) return null;
  const arg = plate[1]!.trim();
  const proof = /\s+([0-9A-Za-z]{6})$/.exec(arg);
  return {
    type: 'verify-plate',
    plate: (proof ? arg.slice(0, proof.index) : arg).replace(/\s+/g, ''),
    proof: proof ? proof[1]!.toUpperCase() : null,
  };
}

const UNSUBSCRIBE = ['TD', 'T', 'R', 'N', '退订', '取消订阅'];

/** The words that open a case, and the category each means (留言 and SMS's LY: a consultation). */
const CASE_WORDS: Record<string, CaseCategory> = {
  留言: 'consultation',
  咨询: 'consultation',
  投诉: 'complaint',
  建议: 'suggestion',
  举报: 'report',
  求助: 'help',
  表扬: 'praise',
  LY: 'consultation',
};
const CASE = /^(留言|咨询|投诉|建议|举报|求助|表扬|LY(?=$|[\s:：,，]))[\s:：,，]*([\s\S]*)$/i;
const MY_CASES = ['查询留言', '我的留言', '留言查询', '查留言'];
/** A case's text is kept as written (up to the desk's limit), not cleaned like a question. */
const MAX_CASE_TEXT = 2000;

/** Longer messages are not questions we can answer precisely; they get the menu. */
const MAX_QUESTION = 120;

export function parseIntent(raw: string, keywords: KeywordReplies, cities: CityNames = NO_CITIES): Intent {
  const text = clean(raw.length > 4 * MAX_QUESTION ? raw.slice(0, 4 * MAX_QUESTION) : raw);
  const upper = text.toUpperCase();
  if (UNSUBSCRIBE.includes(upper)) return { type: 'unsubscribe' };
  if (['订阅', '恢复订阅', '恢复'].includes(text)) return { type: 'resubscribe' };
  if (text === '晚上提醒') return { type: 'preference', slot: 'evening', reminders: true };
  if (text === '早上提醒') return { type: 'preference', slot: 'morning', reminders: true };
  if (text === '关闭提醒') return { type: 'preference', reminders: false };
  if (text === '开启提醒') return { type: 'preference', reminders: true };
  if (text === '关闭短信备用') return { type: 'sms-fallback', on: false };
  if (text === '短信备用' || text === '开通短信备用') return { type: 'sms-fallback', on: true };
  if (text === '开启位置' || text === '开启位置上报') return { type: 'location-reports', on: true };
  if (text === '关闭位置' || text === '关闭位置上报') return { type: 'location-reports', on: false };
  const driver = driverCommand(text);
  if (driver) return driver;
  const index = keywords.findIndex((k) => k.keys.includes(text));
  if (index >= 0) return { type: 'keyword', index };
  if (MY_CASES.includes(text)) return { type: 'my-cases' };
  const asked = CASE.exec(raw.trim());
  if (asked) {
    const word = asked[1]!.toUpperCase() === 'LY' ? '留言' : asked[1]!;
    const body = asked[2]!.trim().slice(0, MAX_CASE_TEXT);
    return { type: 'case', category: CASE_WORDS[word]!, word, text: body };
  }
  const bind = /^(?:绑定|BD)\s*(.+)$/i.exec(text);
  if (bind) return parseBind(bind[1]!.trim(), cities);
  const unbind = /^(?:解绑|解除绑定|JB)\s*(.*)$/i.exec(text);
  if (unbind) return { type: 'unbind', plate: unbind[1]!.trim() || null };
  const tail = /^(?:尾号)?\s*([0-9])\s*(?:号)?$/.exec(text);
  if (tail)
    return { type: 'restriction', when: today(), cities: [], tail: Number(tail[1]), plates: [], issue: null };
  if (text.length > MAX_QUESTION) return { type: 'help' };
  return parseQuestion(text, cities);
}
