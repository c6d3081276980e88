/**
 * The page of a published notice (GET /n/{id}): what a citizen opens from a template message, a
 * subscription notice or an article reply, inside WeChat's browser. Small, server-rendered, Chinese,
 * no script; every text of the notice escaped; one inline style allowed by its hash (a strict
 * Content-Security-Policy); kind, title, full body, areas, effective window, publication time and, once
 * withdrawn, a banner saying so. Drafts, notices in review and officers-only notices have no page (404).
 * The same body, as article HTML, is what an account's mass send carries (./../delivery/mass-send.ts).
 */
import { createHash } from 'node:crypto';
import type { Notice } from '../../../schemas/notices.ts';
import { civilDate, zonedFormatter } from '../time.ts';
import { NOTICE_KIND_LABELS } from '../wechat/placeholders.ts';

/** Text for HTML: & < > " ' escaped (so a title cannot open a tag or leave an attribute). */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const STYLE =
  'body{margin:0;font:17px/1.7 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#1a1a1a;background:#f6f6f6}' +
  'main{max-width:680px;margin:0 auto;padding:20px 16px 40px;background:#fff;min-height:100vh;box-sizing:border-box}' +
  'h1{font-size:22px;line-height:1.4;margin:6px 0 8px}.kind{margin:0;color:#1e5bb8;font-size:15px}' +
  '.urgent{color:#c62828;font-weight:600}.meta{margin:0 0 16px;color:#777;font-size:14px}' +
  'dl{margin:0 0 18px;padding:12px 14px;background:#f3f6fb;border-radius:6px;font-size:15px}' +
  'dt{color:#555;float:left;clear:left;width:5.2em}dd{margin:0 0 4px 5.6em}' +
  '.body p{margin:0 0 12px;white-space:pre-wrap;word-break:break-word}' +
  '.withdrawn{margin:0 0 16px;padding:12px 14px;border-radius:6px;background:#fdecea;color:#8a1c1c;font-weight:600}' +
  'footer{margin-top:28px;color:#999;font-size:13px}';

/** The page's Content-Security-Policy: nothing but its own inline style. */
export const NOTICE_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MINUTE: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
/** 2026年11月18日 09:00 (Asia/Shanghai). */
export function chineseMinute(iso: string): string {
  const at = new Date(iso);
  const [y, m, d] = civilDate(at).split('-').map(Number);
  return `${y}年${m}月${d}日 ${zonedFormatter('en-GB', MINUTE, 'Asia/Shanghai').format(at)}`;
}

/** The effective window: 2026年11月18日 09:00 至 14:00 (the end names only what differs), or …起. */
export function effectiveWindow(from: string, to: string | null): string {
  const start = chineseMinute(from);
  if (!to) return `${start} 起`;
  const end = chineseMinute(to);
  const sameDay = start.slice(0, start.indexOf(' ')) === end.slice(0, end.indexOf(' '));
  return `${start} 至 ${sameDay ? end.slice(end.indexOf(' ') + 1) : end}`;
}

export type PageNotice = Pick<
  Notice,
  | 'id'
  | 'kind'
  | 'priority'
  | 'title'
  | 'body'
  | 'areas'
  | 'effectiveFrom'
  | 'effectiveTo'
  | 'publishedAt'
  | 'withdrawal'
  | 'status'
>;

const paragraphs = (body: string) =>
  body
    .split(/\n\s*\n|\r?\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join('');

/** The notice's facts and body as HTML (the page's main part; a mass-send article's content). */
export function noticeBodyHtml(n: PageNotice, cityName: string): string {
  const facts = [
    ['城市', cityName],
    ...(n.areas.length ? [['涉及区域', n.areas.join('、')]] : []),
    ['生效时间', effectiveWindow(n.effectiveFrom, n.effectiveTo)],
  ]
    .map(([k, v]) => `<dt>${escapeHtml(k!)}</dt><dd>${escapeHtml(v!)}</dd>`)
    .join('');
  return `<dl>${facts}</dl><div class="body">${paragraphs(n.body)}</div>`;
}

/** The whole page of a published or withdrawn notice. */
export function noticePageHtml(n: PageNotice, cityName: string): string {
  const published = n.publishedAt ?? n.effectiveFrom;
  const banner =
    n.status === 'withdrawn'
      ? `<p class="withdrawn" role="alert">本通知已于 ${escapeHtml(chineseMinute(n.withdrawal?.at ?? published))} 撤回${
          n.withdrawal?.reason ? `：${escapeHtml(n.withdrawal.reason)}` : ''
        }。请以最新发布的通知为准。</p>`
      : '';
  const kind = `${escapeHtml(NOTICE_KIND_LABELS[n.kind])}${n.priority === 'emergency' ? ' · <span class="urgent">紧急</span>' : ''}`;
  return [
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    '<meta name="format-detection" content="telephone=no">',
    `<title>${escapeHtml(n.title)}</title><style>${STYLE}</style></head><body><main>`,
    banner,
    `<p class="kind">${kind}</p><h1>${escapeHtml(n.title)}</h1>`,
    `<p class="meta">发布于 <time datetime="${escapeHtml(published)}">${escapeHtml(chineseMinute(published))}</time></p>`,
    noticeBodyHtml(n, cityName),
    '<footer>公安交通管理部门发布</footer></main></body></html>',
  ].join('');
}

/** The page shown for an id that is no published notice (a draft, in review, officers only, unknown). */
export function notFoundPageHtml(): string {
  return [
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>通知不存在</title><style>${STYLE}</style></head><body><main>`,
    '<h1>通知不存在或尚未发布</h1><p class="meta">请通过公众号菜单或发送“路况”查看最新通知。</p>',
    '</main></body></html>',
  ].join('');
}

/** Whether a notice has a public page: published or withdrawn, and not officers-only. */
export const hasPage = (n: Pick<Notice, 'status' | 'audience'>) =>
  (n.status === 'published' || n.status === 'withdrawn') && n.audience.type !== 'internal';

export interface NoticePageDeps {
  notice(id: string): Promise<Notice | undefined>;
  cityName(city: string): Promise<string>;
}

export type NoticePage = { status: 200 | 404; html: string; etag: string };

const etagOf = (html: string) => `"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"`;

/** The page of notice `id`, or the not-found page. */
export async function noticePage(id: string, deps: NoticePageDeps): Promise<NoticePage> {
  const n = /^[0-9a-f-]{36}$/i.test(id) ? await deps.notice(id) : undefined;
  if (!n || !hasPage(n)) {
    const html = notFoundPageHtml();
    return { status: 404, html, etag: etagOf(html) };
  }
  const html = noticePageHtml(n, await deps.cityName(n.city));
  return { status: 200, html, etag: etagOf(html) };
}
