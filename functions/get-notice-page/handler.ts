/**
 * GET /n/{id} — the page of a published notice (functions/core/notices/page.ts): what a template
 * message, a subscription notice or an article reply opens in WeChat's browser. Drafts, notices in
 * review and officers-only notices are 404.
 */
import { NOTICE_PAGE_CSP, noticePage } from '../core/notices/page.ts';
import { pageHandler } from '../shared/page.ts';
import { noticePageDeps } from '../shared/wiring/notice-page.ts';

const deps = noticePageDeps();

export const handler = pageHandler(NOTICE_PAGE_CSP, ({ pathParameters }) =>
  noticePage(pathParameters.id ?? '', deps),
);
