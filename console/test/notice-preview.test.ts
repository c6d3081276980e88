/**
 * The compose form's live preview: rendered (server-side, as markup) from the fields an editor is
 * typing, with the send path's own rendering — the WeChat template values, the SMS with its parts.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { noticeSms, noticeTemplateValues } from '../../functions/core/notices/rendering.ts';
import { shippedSmsCatalogue } from '../../schemas/data/replies.ts';
import { NoticePreview, type PreviewFields, renderPreview } from '../src/components/NoticePreview.tsx';

const fields: PreviewFields = {
  kind: 'traffic-control',
  title: '长安街临时交通管制',
  body: '因重大活动，今天长安街（建国门至复兴门）实行临时交通管制，请提前绕行。',
  shortBody: '长安街临时交通管制，请绕行',
  city: 'beijing',
  areas: ['长安街'],
  effectiveFrom: '2026-11-18T01:00:00.000Z',
  effectiveTo: '2026-11-18T06:00:00.000Z',
  channels: ['feed', 'wechat', 'sms'],
  priority: 'routine',
};
const text = (f: PreviewFields) =>
  renderToStaticMarkup(createElement(NoticePreview, { fields: f })).replace(/<[^>]+>/g, ' ');

describe('the notice preview', () => {
  it('shows the WeChat message with exactly the values the send path renders', () => {
    const values = noticeTemplateValues(fields as never);
    const shown = text(fields);
    for (const v of Object.values(values)) expect(shown).toContain(v);
    expect(values.keyword2).toBe('11月18日09:00至14:00');
  });

  it('shows the SMS as deliver-sms sends it, with its billable parts', () => {
    const sms = noticeSms(fields, shippedSmsCatalogue, 3);
    const shown = text(fields);
    expect(shown).toContain(sms.text);
    expect(shown).toContain(`计费 ${sms.parts} 条`);
    const long = { ...fields, title: '长'.repeat(64), shortBody: '短'.repeat(140) };
    expect(renderPreview(long, 3)!.sms.parts).toBeGreaterThan(3);
    expect(text(long)).toContain('超过上限 3 条');
  });

  it('shows the feed card and the notice page, and only the channels chosen', () => {
    const shown = text({ ...fields, channels: ['feed'] });
    expect(shown).toContain('公告栏卡片');
    expect(shown).toContain('建国门至复兴门');
    expect(shown).not.toContain('微信模板消息');
    expect(shown).not.toContain('短信');
  });

  it('waits for a title, a summary and a start before it previews anything', () => {
    expect(text({ ...fields, title: ' ' })).toContain('填写标题、摘要和生效时间后显示预览');
    expect(text({ ...fields, effectiveFrom: null })).toContain('填写标题、摘要和生效时间后显示预览');
  });
});
