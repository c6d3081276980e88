/**
 * A notice as people will receive it, live while it is written: the WeChat template message, the
 * SMS with its billable parts, the feed card and the notice page. Rendered by the very functions
 * the send path uses (functions/core/notices/rendering.ts, the shipped SMS templates), so what the
 * editor sees is what followers get. Audience and cap come from the API's preview of the saved draft.
 */
import { Card, Col, Empty, Row, Space, Tag, Typography } from 'antd';
import { noticeSms, noticeTemplateValues } from '../../../functions/core/notices/rendering.ts';
import { shippedSmsCatalogue } from '../../../schemas/data/replies.ts';
import { NoticeKindSchema } from '../../../schemas/notices.ts';
import { city, NOTICE_KIND, time } from '../lib/labels.ts';

export interface PreviewFields {
  kind: string;
  title: string;
  body: string;
  shortBody: string;
  city: string;
  areas: string[];
  effectiveFrom: string | null;
  effectiveTo: string | null;
  channels: string[];
  priority: string;
}

/** The template labels of the notice template (templates.notice) as WeChat shows them. */
const KEYWORDS: Record<string, string> = {
  keyword1: '事项',
  keyword2: '时间',
  keyword3: '地点',
  keyword4: '内容',
};

export function renderPreview(f: PreviewFields, maxParts: number) {
  const ready = f.title.trim() !== '' && f.shortBody.trim() !== '' && f.effectiveFrom !== null;
  if (!ready) return null;
  const parsed = NoticeKindSchema.safeParse(f.kind);
  const n = {
    ...f,
    kind: parsed.success ? parsed.data : undefined,
    effectiveFrom: f.effectiveFrom!,
    effectiveTo: f.effectiveTo,
  };
  return {
    wechat: noticeTemplateValues(n, city(f.city)),
    sms: noticeSms(n, shippedSmsCatalogue, maxParts),
  };
}

export function NoticePreview({ fields, maxParts = 3 }: { fields: PreviewFields; maxParts?: number }) {
  const r = renderPreview(fields, maxParts);
  if (!r) return <Empty description="填写标题、摘要和生效时间后显示预览" />;
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="notice-preview">
      {fields.channels.includes('wechat') ? (
        <Card size="small" title="微信模板消息" data-testid="preview-wechat">
          <Typography.Text strong>
            {fields.priority === 'emergency' ? '紧急通知' : '交通管理通知'}
          </Typography.Text>
          {Object.entries(r.wechat).map(([k, v]) => (
            <Row key={k} gutter={8}>
              <Col flex="48px">
                <Typography.Text type="secondary">{KEYWORDS[k] ?? k}</Typography.Text>
              </Col>
              <Col flex="auto">{v}</Col>
            </Row>
          ))}
        </Card>
      ) : null}
      {fields.channels.includes('sms') ? (
        <Card size="small" title="短信" data-testid="preview-sms">
          <Typography.Paragraph style={{ marginBottom: 4 }}>{r.sms.text}</Typography.Paragraph>
          <Tag color={r.sms.withinLimit ? 'default' : 'error'}>
            {r.sms.characters} 字 · 计费 {r.sms.parts} 条
            {r.sms.withinLimit ? '' : `（超过上限 ${r.sms.maxParts} 条）`}
          </Tag>
        </Card>
      ) : null}
      {fields.channels.includes('feed') ? (
        <Card size="small" title="公告栏卡片" data-testid="preview-feed">
          <Space direction="vertical" size={2}>
            <Space>
              <Tag>{NOTICE_KIND[fields.kind] ?? fields.kind}</Tag>
              <Typography.Text strong>{fields.title}</Typography.Text>
            </Space>
            <Typography.Text>{fields.shortBody}</Typography.Text>
            <Typography.Text type="secondary">
              {city(fields.city)}
              {fields.areas.length ? ` · ${fields.areas.join('、')}` : ''} · {time(fields.effectiveFrom)} 起
            </Typography.Text>
          </Space>
        </Card>
      ) : null}
      <Card size="small" title="公告页面" data-testid="preview-page">
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {fields.title}
        </Typography.Title>
        <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{fields.body}</Typography.Paragraph>
        <Typography.Text type="secondary">
          生效：{time(fields.effectiveFrom)} 至 {fields.effectiveTo ? time(fields.effectiveTo) : '另行通知'}
        </Typography.Text>
      </Card>
    </Space>
  );
}
