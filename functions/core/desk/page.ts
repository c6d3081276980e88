/**
 * The case page (GET /c/{number}): what a citizen opens from the “您的留言有回复” notice, in
 * WeChat's browser. Its number, category, state and answer deadline and the thread as the citizen
 * sees it — their messages (a photo or voice is shown as such, never served here), our answers and
 * acknowledgements; internal notes never. Opened only with a valid, unexpired link (./links.ts);
 * server-rendered, no script, a strict Content-Security-Policy, never cached.
 */
import { createHash } from 'node:crypto';
import { CATEGORY_WORDS, type Case, type CaseMessage } from '../../../schemas/desk.ts';
import { chineseMinute, escapeHtml } from '../notices/page.ts';
import { dueText, STATUS_WORDS, satisfactionQuestion } from './cases.ts';
import { type LinkCheck, verifyCaseLink } from './links.ts';

const STYLE =
  'body{margin:0;font:17px/1.7 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#1a1a1a;background:#f6f6f6}' +
  'main{max-width:680px;margin:0 auto;padding:20px 16px 40px;background:#fff;min-height:100vh;box-sizing:border-box}' +
  'h1{font-size:21px;margin:6px 0 8px}.meta{margin:0 0 16px;color:#777;font-size:14px}' +
  '.msg{margin:0 0 14px;padding:10px 12px;border-radius:8px;white-space:pre-wrap;word-break:break-word}' +
  '.citizen{background:#f3f6fb}.officer{background:#eef8ee}.system{background:#fafafa;color:#555;font-size:15px}' +
  '.who{display:block;color:#888;font-size:13px}footer{margin-top:28px;color:#999;font-size:13px}';

export const CASE_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const page = (title: string, body: string) =>
  [
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    '<meta name="format-detection" content="telephone=no"><meta name="robots" content="noindex">',
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>`,
    body,
    '<footer>公安交通管理部门</footer></main></body></html>',
  ].join('');

function shownText(m: CaseMessage, number: string): string {
  if (m.from === 'system' && m.text === 'satisfaction') return satisfactionQuestion(number);
  const a = m.attachment;
  const attached = a ? { image: '［图片］', voice: '［语音］', location: '［位置］' }[a.type] : '';
  const extra = a?.type === 'location' && a.location ? ` ${a.location.label}` : '';
  return `${attached}${extra}${m.text ? `${attached ? ' ' : ''}${m.text}` : ''}`;
}

const WHO: Record<CaseMessage['from'], string> = {
  citizen: '您',
  officer: '民警答复',
  system: '系统',
  note: '',
};

export function casePageHtml(c: Case, messages: readonly CaseMessage[]): string {
  const thread = messages
    .filter((m) => m.from !== 'note')
    .map(
      (m) =>
        `<p class="msg ${m.from}"><span class="who">${escapeHtml(WHO[m.from])} · ${escapeHtml(chineseMinute(m.at))}</span>${escapeHtml(shownText(m, c.number))}</p>`,
    )
    .join('');
  const due =
    c.status === 'new' || c.status === 'assigned'
      ? ` · ${escapeHtml(dueText(c.firstAnsweredAt ? c.resolutionDue : c.firstAnswerDue))} 前答复`
      : '';
  return page(
    `留言 ${c.number}`,
    `<h1>留言 ${escapeHtml(c.number)}</h1><p class="meta">${escapeHtml(CATEGORY_WORDS[c.category])} · ${escapeHtml(STATUS_WORDS[c.status])}${due}</p>${thread}<p class="meta">补充情况请在公众号中直接回复文字、图片或语音。</p>`,
  );
}

const refusal = (status: 403 | 404, title: string, text: string) => ({
  status,
  html: page(title, `<h1>${escapeHtml(title)}</h1><p class="meta">${escapeHtml(text)}</p>`),
});

export interface CasePageDeps {
  linkKey(): Promise<Buffer>;
  get(number: string): Promise<Case | undefined>;
  thread(number: string): Promise<{ messages: CaseMessage[] }>;
  nowSeconds(): number;
}

export async function casePage(
  number: string,
  query: { e?: string | undefined; t?: string | undefined },
  deps: CasePageDeps,
): Promise<{ status: 200 | 403 | 404; html: string }> {
  const check: LinkCheck = /^\d{10,12}$/.test(number)
    ? verifyCaseLink(await deps.linkKey(), number, query.e, query.t, deps.nowSeconds())
    : 'invalid';
  if (check === 'invalid')
    return refusal(403, '链接无效', '请从公众号消息中的链接打开，或在公众号中发送“查询留言”。');
  if (check === 'expired') return refusal(403, '链接已过期', '请在公众号中发送“查询留言”查看办理进度。');
  const c = await deps.get(number);
  if (!c) return refusal(404, '留言不存在', '该留言不存在或已超过保存期限。');
  const { messages } = await deps.thread(number);
  return { status: 200, html: casePageHtml(c, messages) };
}
