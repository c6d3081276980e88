/**
 * POST /v1/admin/notices/{id}/preview — what publishing would do now (or at its publishAt): audience
 * per channel, how many the cap would hold back (exact up to 2,000 members a channel, estimated from
 * an even sample beyond, `capEstimate`) or quiet hours defer, the WeChat template values and the SMS
 * text with its billing parts (functions/core/notices/preview.ts). Nothing is sent or written.
 */
import { previewNoticeById } from '../core/notices/preview.ts';
import { httpRouter } from '../shared/http.ts';
import { noticePreviewDeps } from '../shared/wiring/notice-preview.ts';

const deps = noticePreviewDeps();

export const handler = httpRouter('preview-notice', {
  'POST /v1/admin/notices/{id}/preview': async ({ path }) => ({
    status: 200,
    body: await previewNoticeById(path.id, deps),
  }),
});
