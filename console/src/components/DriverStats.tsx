/**
 * 车驾管提醒 on the 统计 page: driver notices by kind and outcome per week (planned, sent, held by
 * the cap or quiet hours, the SMS budget …), the verification rate per week and the verified owners
 * now — GET /v1/admin/drivers/stats, the same weeks as the page.
 */
import { useQuery } from '@tanstack/react-query';
import { Card, Col, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { call } from '../api/client.ts';
import type { paths } from '../api/schema';
import { useConsole } from '../app/context.tsx';
import { outcome } from '../lib/labels.ts';
import { Chart } from './Chart.tsx';
import { Loaded } from './Loaded.tsx';

type Report = paths['/v1/admin/drivers/stats']['get']['responses'][200]['content']['application/json'];

export const DRIVER_KIND: Record<string, string> = {
  violation: '违法',
  points: '记分',
  'inspection-due': '年检',
  'insurance-expiry': '交强险',
  'licence-renewal': '换证',
};
const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);

export function DriverStats({ weeks }: { weeks: number }) {
  const { api } = useConsole();
  const q = useQuery({
    queryKey: ['driver-stats', weeks],
    queryFn: () => call(api.GET('/v1/admin/drivers/stats', { params: { query: { weeks } } })),
  });
  return (
    <Card title="车驾管提醒（仅发送给验证过的车主）">
      <Loaded query={q}>{(s) => <DriverStatsView s={s} />}</Loaded>
    </Card>
  );
}

function DriverStatsView({ s }: { s: Report }) {
  const weeks = useMemo(() => [...s.weeks].sort((a, b) => a.week.localeCompare(b.week)), [s]);
  const latest = weeks.at(-1);
  const rows = weeks.flatMap((w) =>
    Object.entries(w.notices)
      .filter(([, counts]) => Object.keys(counts).length > 0)
      .map(([kind, counts]) => ({ key: `${w.week}-${kind}`, week: w.week, kind, counts })),
  );
  const chart = {
    tooltip: { trigger: 'axis' },
    legend: {},
    xAxis: { type: 'category', data: weeks.map((w) => w.week) },
    yAxis: { type: 'value' },
    series: Object.keys(DRIVER_KIND).map((k) => ({
      name: DRIVER_KIND[k],
      type: 'bar',
      stack: 'sent',
      data: weeks.map((w) => w.notices[k]?.sent ?? 0),
    })),
  };
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Row gutter={16}>
        <Col xs={12} md={6}>
          <Statistic title="已验证的车辆和驾驶证" value={s.verifiedOwners} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic
            title={`本周验证通过率（${latest?.week ?? ''}）`}
            value={percent(latest?.verification.rate ?? null)}
          />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title="本周验证尝试" value={latest?.verification.attempts ?? 0} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title="本周因次数用完被拒" value={latest?.verification.locked ?? 0} />
        </Col>
      </Row>
      <Chart option={chart} label={`每周已发送的车驾管提醒（按类型），${weeks.length} 周`} />
      <Table
        size="small"
        pagination={false}
        rowKey="key"
        dataSource={rows}
        locale={{ emptyText: <Typography.Text>这几周没有车驾管提醒</Typography.Text> }}
        aria-label="车驾管提醒：按周、类型和结果"
        columns={[
          { title: '周', dataIndex: 'week' },
          { title: '类型', dataIndex: 'kind', render: (k: string) => DRIVER_KIND[k] ?? k },
          {
            title: '结果',
            dataIndex: 'counts',
            render: (counts: Record<string, number>) => (
              <Space size={[4, 4]} wrap>
                {Object.entries(counts)
                  .sort(([a], [b]) => a.localeCompare(b))
                  .map(([o, n]) => (
                    <Tag key={o}>
                      {outcome(o)} {n}
                    </Tag>
                  ))}
              </Space>
            ),
          },
        ]}
      />
      <Table
        size="small"
        pagination={false}
        rowKey="week"
        dataSource={weeks}
        aria-label="车主验证：按周"
        columns={[
          { title: '周', dataIndex: 'week' },
          { title: '尝试', key: 'a', render: (_: unknown, w) => w.verification.attempts },
          { title: '通过', key: 'v', render: (_: unknown, w) => w.verification.verified },
          { title: '不符', key: 'w', render: (_: unknown, w) => w.verification.wrong },
          { title: '次数用完', key: 'l', render: (_: unknown, w) => w.verification.locked },
          { title: '通过率', key: 'r', render: (_: unknown, w) => percent(w.verification.rate) },
        ]}
      />
    </Space>
  );
}
