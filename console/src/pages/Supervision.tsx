/**
 * 督办: every unit's open cases past a deadline, oldest deadline first — which deadline and when it
 * fell due, when the schedule escalated it to the unit's supervisors, who has it — and the count per unit.
 */
import { useQuery } from '@tanstack/react-query';
import { Card, Col, Empty, Row, Space, Statistic, Table, Typography } from 'antd';
import { call } from '../api/client.ts';
import { useConsole } from '../app/context.tsx';
import { href } from '../app/router.ts';
import { Loaded } from '../components/Loaded.tsx';
import { CASE_CATEGORY, CASE_CHANNEL } from '../lib/labels.ts';
import { type DeskCase, StatusTags, unitName, unitsQuery, When } from './Desk.tsx';

export default function Supervision() {
  const { api } = useConsole();
  const units = useQuery(unitsQuery(api)).data;
  const q = useQuery({
    queryKey: ['cases', 'supervision'],
    queryFn: () => call(api.GET('/v1/admin/desk/overdue')),
    refetchInterval: 60_000,
  });
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        督办
      </Typography.Title>
      <Typography.Text type="secondary">
        超过首次答复或办结期限（按工作时间计算）的诉求，每 15 分钟检查一次并督办至承办单位的督办人。
      </Typography.Text>
      <Loaded query={q}>
        {(d) => {
          const perUnit = new Map<string, number>();
          for (const c of d.cases) perUnit.set(c.unit, (perUnit.get(c.unit) ?? 0) + 1);
          return (
            <>
              <Row gutter={16} style={{ marginBottom: 16 }}>
                <Col xs={12} md={6}>
                  <Card>
                    <Statistic title="超期诉求" value={d.cases.length} />
                  </Card>
                </Col>
                {[...perUnit].map(([u, n]) => (
                  <Col key={u} xs={12} md={6}>
                    <Card>
                      <Statistic title={unitName(units, u)} value={n} />
                    </Card>
                  </Col>
                ))}
              </Row>
              <Table
                rowKey="number"
                dataSource={d.cases}
                data-testid="overdue-list"
                locale={{ emptyText: <Empty description="没有超期诉求" /> }}
                columns={[
                  {
                    title: '编号',
                    dataIndex: 'number',
                    render: (n: string) => (
                      <a href={href(`desk/${n}`)} style={{ whiteSpace: 'nowrap' }}>
                        {n}
                      </a>
                    ),
                  },
                  { title: '承办单位', dataIndex: 'unit', render: (u: string) => unitName(units, u) },
                  { title: '类别', dataIndex: 'category', render: (c: string) => CASE_CATEGORY[c] ?? c },
                  { title: '渠道', dataIndex: 'channel', render: (c: string) => CASE_CHANNEL[c] ?? c },
                  { title: '内容', dataIndex: 'subject' },
                  {
                    title: '超过的期限',
                    key: 'due',
                    render: (_: unknown, c: DeskCase) => (
                      <When iso={c.overdue === 'first-answer' ? c.firstAnswerDue : c.resolutionDue} />
                    ),
                  },
                  {
                    title: '督办时间',
                    dataIndex: 'escalatedAt',
                    render: (iso: string | null) => <When iso={iso} />,
                  },
                  { title: '承办人', dataIndex: 'assignee', render: (a: string | null) => a ?? '未分派' },
                  { title: '状态', key: 'status', render: (_: unknown, c: DeskCase) => <StatusTags c={c} /> },
                ]}
              />
            </>
          );
        }}
      </Loaded>
    </Space>
  );
}
