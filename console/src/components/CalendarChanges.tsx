/** What uploading a calendar would change, date by date: each city's answer before → after (nothing saved yet). */
import { Table, Tag, Typography } from 'antd';
import type { paths } from '../api/schema';
import { city, REASON } from '../lib/labels.ts';

export type CalendarChangesReport =
  paths['/v1/admin/calendars/{year}/changes']['post']['responses'][200]['content']['application/json'];
type Answer = CalendarChangesReport['changes'][number]['before'];

export function answerText(a: Answer): string {
  if (a.status === 'restricted') return `限行 ${a.tails.join('、')}`;
  const why = REASON[a.reason] ?? a.reason;
  return a.holiday ? `${why}（${a.holiday}）` : why;
}

export function CalendarChanges({ report }: { report: CalendarChangesReport }) {
  const byDate = new Map<string, CalendarChangesReport['changes']>();
  for (const c of report.changes) byDate.set(c.date, [...(byDate.get(c.date) ?? []), c]);
  const rows = [...byDate].map(([date, changes]) => ({ date, changes }));
  return (
    <div data-testid="calendar-changes">
      <Typography.Paragraph>
        {report.replaces ? `替换现有的 ${report.year} 年日历` : `新增 ${report.year} 年日历`}：
        {report.changedDates} 天的答复会改变（共 {report.changes.length} 处，涉及 {report.cities.length}{' '}
        个城市）。
      </Typography.Paragraph>
      <Table
        size="small"
        rowKey="date"
        dataSource={rows}
        pagination={{ pageSize: 15, showSizeChanger: false }}
        columns={[
          { title: '日期', dataIndex: 'date', width: 120 },
          {
            title: '答复变化',
            key: 'changes',
            render: (_: unknown, row) =>
              row.changes.map((c) => (
                <div key={c.city}>
                  <Tag>{city(c.city)}</Tag>
                  <del>{answerText(c.before)}</del> → <strong>{answerText(c.after)}</strong>
                </div>
              )),
          },
        ]}
      />
    </div>
  );
}
