import { describe, expect, it } from 'vitest';
import {
  PlateError,
  type PlateErrorCode,
  parsePlate,
  tailDigit,
} from '../../../functions/core/restrictions/plates.ts';

describe('parsePlate: valid inputs', () => {
  it.each([
    // input, canonical, display, type, nev, Beijing tail (zero), Xi'an tail (last-digit)
    ['京a·12345', '京A12345', '京A·12345', 'ordinary', null, 5, 5],
    ['京ＡＢ１２３Ｃ', '京AB123C', '京A·B123C', 'ordinary', null, 0, 3],
    ['陕A 1234Q', '陕A1234Q', '陕A·1234Q', 'ordinary', null, 0, 4],
    ['  京 a • 1 2 3 4 5 ', '京A12345', '京A·12345', 'ordinary', null, 5, 5],
    ['京A・12345', '京A12345', '京A·12345', 'ordinary', null, 5, 5],
    ['京A-12345', '京A12345', '京A·12345', 'ordinary', null, 5, 5],
    ['滬A12345', '沪A12345', '沪A·12345', 'ordinary', null, 5, 5],
    ['陝a1234q', '陕A1234Q', '陕A·1234Q', 'ordinary', null, 0, 4],
    ['粵B12345', '粤B12345', '粤B·12345', 'ordinary', null, 5, 5],
    ['京AD12345', '京AD12345', '京A·D12345', 'new-energy-small', 'pure-electric', 5, 5],
    ['京AFA1234', '京AFA1234', '京A·FA1234', 'new-energy-small', 'non-pure', 4, 4],
    ['粤BA12345', '粤BA12345', '粤B·A12345', 'new-energy-small', 'pure-electric', 5, 5],
    ['粤BG12345', '粤BG12345', '粤B·G12345', 'new-energy-small', 'non-pure', 5, 5],
    ['京A12345D', '京A12345D', '京A·12345D', 'new-energy-large', 'pure-electric', 0, 5],
    ['京A12345F', '京A12345F', '京A·12345F', 'new-energy-large', 'non-pure', 0, 5],
    ['粤Z1234港', '粤Z1234港', '粤Z·1234港', 'hong-kong', null, 4, 4],
    ['粤Z1234澳', '粤Z1234澳', '粤Z·1234澳', 'macau', null, 4, 4],
    ['京A1234学', '京A1234学', '京A·1234学', 'coach', null, 4, 4],
    ['京A123学', null, null, null, null, null, null],
    ['京A1234學', '京A1234学', '京A·1234学', 'coach', null, 4, 4],
    ['京A1234挂', '京A1234挂', '京A·1234挂', 'trailer', null, 4, 4],
    ['京A1234警', '京A1234警', '京A·1234警', 'police', null, 4, 4],
    ['沪A1234领', '沪A1234领', '沪A·1234领', 'consulate', null, 4, 4],
    ['京X2345应急', '京X2345应急', '京·X2345应急', 'emergency', null, 5, 5],
    ['京12345应急', '京12345应急', '京·12345应急', 'emergency', null, 5, 5],
    ['使014578', '使014578', '使·014578', 'embassy', null, 8, 8],
  ])('%s', (input, canonical, display, type, nev, bj, xa) => {
    if (canonical === null) {
      expect(() => parsePlate(input)).toThrow(PlateError);
      return;
    }
    const plate = parsePlate(input);
    expect(plate).toMatchObject({ canonical, display, type, nev });
    expect(tailDigit(plate, 'zero')).toBe(bj);
    expect(tailDigit(plate, 'last-digit')).toBe(xa);
  });

  it('applies a fixed:N letter rule (Changchun legacy: letter counts as 4)', () => {
    expect(tailDigit(parsePlate('吉A1234Q'), 'fixed:4')).toBe(4);
    expect(tailDigit(parsePlate('吉A12345'), 'fixed:4')).toBe(5);
  });
});

const PROVINCE = '车牌第一个字应为省份简称（如京、陕）';
const LENGTH = '号牌长度不对：普通号牌7位（如京A12345），新能源号牌8位（如京AD12345）';
const NEV = '新能源号牌格式不对：应为字母D、F等加5位（如京AD12345），或5位数字加D、F等（如京A12345D）';

describe('parsePlate: invalid inputs say what is wrong', () => {
  it.each<[string, PlateErrorCode, string]>([
    ['', 'empty', '请输入车牌号'],
    ['   ', 'empty', '请输入车牌号'],
    ['A12345', 'province', PROVINCE],
    ['港A12345', 'province', PROVINCE],
    ['Ａ１２３４５', 'province', PROVINCE],
    ['京112345', 'authority', '车牌第二位应为发牌机关字母（如京A12345中的A）'],
    ['京AI2345', 'letters-i-o', '车牌序号中不含字母I和O'],
    ['京A1234O', 'letters-i-o', '车牌序号中不含字母I和O'],
    ['京A123', 'length', LENGTH],
    ['京A1234567', 'length', LENGTH],
    ['京AD123456', 'length', LENGTH],
    ['京AZ12345', 'new-energy-format', NEV],
    ['京A12345Z', 'new-energy-format', NEV],
    ['京A1234$', 'characters', '车牌中有无效字符（如符号或多余的汉字）'],
    ['京A12345应急', 'length', LENGTH],
    ['京ＡＩ２３４５', 'letters-i-o', '车牌序号中不含字母I和O'],
  ])('%j → %s', (input, code, zh) => {
    try {
      parsePlate(input);
      expect.unreachable('should have thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(PlateError);
      const err = e as PlateError;
      expect(err.code).toBe(code);
      expect(err.zh).toBe(zh);
      expect(err.message).toMatch(/^Invalid plate/);
      expect(err.extensions).toMatchObject({ code: `plate-${code}`, messageZh: zh });
    }
  });
});
