/**
 * The page of a published notice: hostile titles and bodies are text, never markup; a withdrawn
 * notice says so at the top; drafts, notices in review and officers-only notices have no page; the
 * one inline style is the only thing its Content-Security-Policy allows.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createNotice, transition } from '../../../functions/core/notices/lifecycle.ts';
import {
  escapeHtml,
  NOTICE_PAGE_CSP,
  noticePage,
  noticePageHtml,
} from '../../../functions/core/notices/page.ts';
import { NewNoticeSchema, type Notice } from '../../../schemas/notices.ts';

const now = new Date('2026-11-16T02:00:00Z');
const editor = { sub: 'ed', roles: ['editor'] };
const reviewer = { sub: 'rev', roles: ['reviewer'] };
const ID = '3f2b1c4d-0000-4000-8000-000000000001';

function notice(over: Record<string, unknown> = {}): Notice {
  return createNotice(
    NewNoticeSchema.parse({
      kind: 'rumour-rebuttal',
      title: '网传“明天起全市单双号限行”不实',
      body: '近日网传消息不实。\n\n本市限行规定未作调整，请以官方发布为准。',
      shortBody: '网传单双号限行不实',
      city: 'beijing',
      areas: ['全市'],
      effectiveFrom: '2026-11-16T01:00:00Z',
      effectiveTo: null,
      channels: ['feed', 'wechat'],
      audience: { type: 'all-followers' },
      ...over,
    }),
    editor,
    now,
    ID,
  );
}
const published = (n: Notice) =>
  transition(
    transition(transition(n, 'submit', editor, now), 'approve', reviewer, now),
    'publish',
    reviewer,
    now,
  );
const deps = (n: Notice | undefined) => ({ notice: async () => n, cityName: async () => '北京' });

describe('the notice page', () => {
  it('shows kind, title, full body, areas, window and publication time, in Chinese, with no script', async () => {
    const page = await noticePage(ID, deps(published(notice())));
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="zh-CN">');
    expect(page.html).toContain('<p class="kind">辟谣</p>');
    expect(page.html).toContain('<h1>网传“明天起全市单双号限行”不实</h1>');
    expect(page.html).toContain('<p>近日网传消息不实。</p><p>本市限行规定未作调整，请以官方发布为准。</p>');
    expect(page.html).toContain('<dt>涉及区域</dt><dd>全市</dd>');
    expect(page.html).toContain('<dt>生效时间</dt><dd>2026年11月16日 09:00 起</dd>');
    expect(page.html).toContain(
      '发布于 <time datetime="2026-11-16T02:00:00.000Z">2026年11月16日 10:00</time>',
    );
    expect(page.html).not.toMatch(/<script|onload=|javascript:/i);
    expect(page.html).not.toContain('class="withdrawn"');
  });

  it('escapes hostile titles, bodies and areas: whatever an editor typed is text', () => {
    // Whatever the text, the page has exactly the markup of a page about "A": the text adds no tag,
    // attribute or entity of its own (single-line bodies, so the paragraphs are the same).
    const count = (html: string, c: string) => html.split(c).length - 1;
    const reference = noticePageHtml({ ...published(notice()), title: 'A', body: 'A', areas: ['A'] }, '北京');
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 60 }),
        fc.string({ minLength: 1, maxLength: 200 }).filter((b) => !/[\r\n]/.test(b) && b.trim() !== ''),
        (title, body) => {
          const html = noticePageHtml({ ...published(notice()), title, body, areas: [title] }, '北京');
          for (const c of ['<', '>', '"']) expect(count(html, c)).toBe(count(reference, c));
          expect(html).toContain(`<h1>${escapeHtml(title)}</h1>`);
        },
      ),
    );
    const hostile = {
      ...published(notice()),
      title: '</title><script>alert(1)</script>',
      body: '<img src=x onerror=alert(1)> & "quotes" \'single\'',
      areas: ['<b>长安街</b>'],
    };
    const html = noticePageHtml(hostile, '北京');
    expect(html).toContain('<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(html).toContain(
      '<p>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot; &#39;single&#39;</p>',
    );
    expect(html).toContain('<dd>&lt;b&gt;长安街&lt;/b&gt;</dd>');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
  });

  it('a withdrawn notice keeps its page, with a banner saying when and why', async () => {
    const withdrawn = transition(
      published(notice()),
      'withdraw',
      reviewer,
      new Date('2026-11-16T12:30:00Z'),
      '内容<有误>',
    );
    const page = await noticePage(ID, deps(withdrawn));
    expect(page.status).toBe(200);
    expect(page.html).toContain(
      '<p class="withdrawn" role="alert">本通知已于 2026年11月16日 20:30 撤回：内容&lt;有误&gt;。请以最新发布的通知为准。</p>',
    );
  });

  it('is 404 for drafts, notices in review or approved, officers-only notices and ids that are no notice', async () => {
    const draft = notice();
    for (const n of [
      draft,
      transition(draft, 'submit', editor, now),
      transition(transition(draft, 'submit', editor, now), 'approve', reviewer, now),
      published(notice({ audience: { type: 'internal' }, channels: ['wechat'] })),
      undefined,
    ]) {
      const page = await noticePage(ID, deps(n));
      expect(page.status).toBe(404);
      expect(page.html).toContain('通知不存在或尚未发布');
      expect(page.html).not.toContain(draft.title);
    }
    expect((await noticePage('../../etc/passwd', deps(published(notice())))).status).toBe(404);
  });

  it('allows nothing but its own inline style (its hash), no scripts, frames, forms or images', async () => {
    const { html } = await noticePage(ID, deps(published(notice())));
    const style = /<style>([^<]*)<\/style>/.exec(html)![1]!;
    const hash = createHash('sha256').update(style).digest('base64');
    expect(NOTICE_PAGE_CSP).toBe(
      `default-src 'none'; style-src 'sha256-${hash}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
  });
});
