/** Before/after of a record, field by field; texts with what was removed struck through and additions marked. */
import { Table, Typography } from 'antd';
import { changedFields, diffText, showValue } from '../lib/diff.ts';

export function TextDiff({ before, after }: { before: string; after: string }) {
  let at = 0;
  const segments = diffText(before, after).map((seg) => {
    const key = `${seg.kind}@${at}`;
    at += seg.text.length;
    return { ...seg, key };
  });
  return (
    <span style={{ whiteSpace: 'pre-wrap' }}>
      {segments.map((seg) =>
        seg.kind === 'same' ? (
          <span key={seg.key}>{seg.text}</span>
        ) : seg.kind === 'added' ? (
          <ins key={seg.key} style={{ background: '#d9f7be', textDecoration: 'none' }}>
            {seg.text}
          </ins>
        ) : (
          <del key={seg.key} style={{ background: '#ffccc7' }}>
            {seg.text}
          </del>
        ),
      )}
    </span>
  );
}

/** Long texts as a character diff; short values (a status, a date, a list) whole: before → after. */
function ValueChange({ before, after, text }: { before: unknown; after: unknown; text: boolean }) {
  const b = before === undefined ? '' : showValue(before);
  const a = after === undefined ? '' : showValue(after);
  if (text || b.length > 40 || a.length > 40) return <TextDiff before={b} after={a} />;
  return (
    <span>
      {b ? <del style={{ background: '#ffccc7' }}>{b}</del> : <em>（无）</em>} →{' '}
      {a ? <ins style={{ background: '#d9f7be', textDecoration: 'none' }}>{a}</ins> : <em>（无）</em>}
    </span>
  );
}

export function RecordDiff({
  before,
  after,
  ignore = [],
  labels = {},
  textFields = [],
}: {
  before: Record<string, unknown> | null | undefined;
  after: Record<string, unknown> | null | undefined;
  ignore?: readonly string[];
  labels?: Record<string, string>;
  /** Fields diffed character by character whatever their length (a notice's title and body). */
  textFields?: readonly string[];
}) {
  const changes = changedFields(before, after, ignore);
  if (!changes.length) return <Typography.Text type="secondary">没有变化。</Typography.Text>;
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="field"
      dataSource={changes}
      columns={[
        { title: '字段', dataIndex: 'field', width: 140, render: (f: string) => labels[f] ?? f },
        {
          title: '变化',
          key: 'change',
          render: (_: unknown, c) => (
            <ValueChange
              before={before ? c.before : undefined}
              after={after ? c.after : undefined}
              text={textFields.includes(c.field)}
            />
          ),
        },
      ]}
    />
  );
}
