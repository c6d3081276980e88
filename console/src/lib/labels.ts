/** How the console names the API's values in Chinese. */
export const CITY: Record<string, string> = {
  beijing: '北京',
  tianjin: '天津',
  xian: '西安',
  hangzhou: '杭州',
  chengdu: '成都',
  lanzhou: '兰州',
};
export const city = (c: string) => CITY[c] ?? c;

export const NOTICE_KIND: Record<string, string> = {
  'road-condition': '路况',
  'traffic-control': '交通管制',
  'rumour-rebuttal': '辟谣',
  'restriction-change': '限行调整',
  general: '一般公告',
};
export const NOTICE_STATUS: Record<string, { text: string; color: string }> = {
  draft: { text: '草稿', color: 'default' },
  'in-review': { text: '待审核', color: 'processing' },
  approved: { text: '已批准', color: 'cyan' },
  published: { text: '已发布', color: 'success' },
  withdrawn: { text: '已撤回', color: 'warning' },
};
export const ACTION: Record<string, string> = {
  edit: '编辑',
  submit: '提交审核',
  approve: '批准',
  reject: '驳回',
  publish: '发布',
  withdraw: '撤回',
};
export const CHANNEL: Record<string, string> = { feed: '公告栏', wechat: '微信', sms: '短信' };
export const AUDIENCE: Record<string, string> = {
  'all-followers': '全部关注者',
  'bound-in-city': '本市绑定车牌的关注者',
  tails: '指定尾号',
  internal: '内部（民警账号）',
};
export const RUN_STATUS: Record<string, { text: string; color: string }> = {
  running: { text: '进行中', color: 'processing' },
  stalled: { text: '已停滞', color: 'warning' },
  completed: { text: '已完成', color: 'success' },
  'completed-with-failures': { text: '已完成（有失败）', color: 'warning' },
  aborted: { text: '已中止', color: 'error' },
  skipped: { text: '已跳过', color: 'default' },
};
export const OUTCOME: Record<string, string> = {
  planned: '计划',
  sent: '已发送',
  delivered: '已送达',
  failed: '失败',
  capped: '频控拦截',
  duplicate: '重复',
  'deferred-quiet': '静默时段顺延',
  'opted-out': '已退订',
  unfollowed: '已取关',
  blocked: '已拉黑',
  budget: '预算不足',
  'provider-permanent': '渠道永久失败',
  'unknown-outcome': '结果未知',
  exempt: '豁免',
  'invalid-recipient': '无效接收人',
  'not-subscribed': '未订阅通知',
  'mass-send': '已随群发送达',
  unsendable: '账号无法发送',
  'deferred-frequency': '频繁顺延（43117）',
  'failed:user block': '失败：用户拒收',
  'failed:system failed': '失败：系统',
  'failed:other': '失败：其他',
};
const MASS_SEND: Record<string, string> = {
  sent: '已群发',
  held: '当日已用',
  failed: '失败',
  skipped: '跳过',
};
export const outcome = (k: string) => {
  if (OUTCOME[k]) return OUTCOME[k];
  const [prefix, rest] = k.split(':', 2);
  if (prefix === 'sms-fallback' && rest) return `短信兜底：${OUTCOME[rest] ?? rest}`;
  if (prefix === 'mass-send' && rest) return `群发：${MASS_SEND[rest] ?? rest}`;
  return k;
};
export const REASON: Record<string, string> = {
  rule: '按规则限行',
  weekend: '周末不限行',
  holiday: '节假日不限行',
  'makeup-workday': '调休上班日不限行',
  suspended: '暂停限行',
  'no-rule': '无规则数据',
  'no-calendar': '无节假日数据',
  'unknown-city': '未知城市',
};
export const ROLE: Record<string, string> = {
  editor: '编辑',
  reviewer: '审核',
  operator: '值班',
  officer: '民警',
  supervisor: '督办',
  admin: '管理员',
};

// The service desk (诉求) ------------------------------------------------------------------------
export const CASE_CATEGORY: Record<string, string> = {
  consultation: '咨询',
  complaint: '投诉',
  suggestion: '建议',
  report: '举报',
  help: '求助',
  praise: '表扬',
};
export const CASE_CHANNEL: Record<string, string> = {
  wechat: '微信',
  sms: '短信',
  hotline: '热线',
  '12345': '12345',
  web: '网站',
};
export const CASE_STATUS: Record<string, { text: string; color: string }> = {
  new: { text: '新诉求', color: 'processing' },
  assigned: { text: '已分派', color: 'cyan' },
  replied: { text: '已答复', color: 'success' },
  closed: { text: '已办结', color: 'default' },
};
export const OVERDUE: Record<string, string> = {
  'first-answer': '首次答复超期',
  resolution: '办结超期',
};
/** How an answer reached the citizen. */
export const DELIVERY_VIA: Record<string, string> = {
  reply: '即时回复',
  'customer-service': '微信客服消息',
  template: '微信模板消息（附诉求页链接）',
  subscription: '微信订阅通知（附诉求页链接）',
  sms: '短信',
  '12345': '12345 平台',
  none: '未发送',
};
export const DELIVERY_STATUS: Record<string, string> = { pending: '发送中', sent: '已送达', failed: '失败' };
export const CASE_HISTORY: Record<string, string> = {
  open: '登记',
  answer: '答复',
  note: '备注',
  assign: '分派',
  transfer: '转办',
  close: '办结',
  escalate: '督办',
  'follow-up': '群众补充',
  reopen: '群众补充（重新打开）',
  rate: '群众评价',
};
export const SATISFACTION: Record<number, string> = { 1: '满意', 2: '基本满意', 3: '不满意' };
export const fen = (n: number) => `¥${(n / 100).toFixed(2)}`;
export const time = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '—';
