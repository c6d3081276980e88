/**
 * Chinese city names a citizen may ask about, so "上海限行" is understood as a question about a city
 * (answered: no data for it, and which cities we have) rather than as noise. Which cities we CAN
 * answer for comes from the restriction data (each rule record's `cityName`), never from here: this
 * list only recognises a place. Municipalities, provincial capitals, sub-provincial cities and the
 * larger prefecture-level cities; any other name followed by 市 is recognised by its suffix.
 */
export const PLACE_NAMES: ReadonlySet<string> = new Set(
  (
    '北京 天津 上海 重庆 石家庄 太原 呼和浩特 沈阳 长春 哈尔滨 南京 杭州 合肥 福州 南昌 济南 郑州 武汉 长沙 ' +
    '广州 南宁 海口 成都 贵阳 昆明 拉萨 西安 兰州 西宁 银川 乌鲁木齐 深圳 大连 青岛 宁波 厦门 苏州 无锡 ' +
    '常州 南通 徐州 温州 绍兴 嘉兴 金华 台州 佛山 东莞 珠海 中山 惠州 汕头 泉州 烟台 潍坊 临沂 淄博 唐山 ' +
    '保定 廊坊 邯郸 洛阳 襄阳 宜昌 株洲 岳阳 柳州 桂林 绵阳 遵义 大同 包头 鞍山 吉林 大庆 芜湖 赣州 ' +
    '三亚 香港 澳门 台北'
  ).split(' '),
);

/** A place name as typed ("上海", "上海市", "廊坊市"): the name without 市, or null when it is not one. */
export function placeName(text: string): string | null {
  const t = text.trim();
  const bare = t.endsWith('市') ? t.slice(0, -1) : t;
  if (PLACE_NAMES.has(bare)) return bare;
  if (t.endsWith('市') && /^[\u4e00-\u9fff]{2,4}$/.test(bare)) return bare;
  return null;
}
