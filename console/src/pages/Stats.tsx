/**
 * 统计: followers, active and bound plates per city; pushes and unfollows per 1,000 by category and
 * week; SMS spend (operators); driver notices by kind and outcome and the verification rate; and the
 * service desk's measures (supervisors). Each part shows for the roles that may read it.
 */
import { useQuery } from '@tanstack/react-query';
import { Card, Col, Progress, Row, Select, Space, Statistic, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { call } from '../api/client.ts';
import type { paths } from '../api/schema';
import { useCan, useConsole } from '../app/context.tsx';
import { Chart } from '../components/Chart.tsx';
import { DeskMeasures } from '../components/DeskMeasures.tsx';
import { DriverStats } from '../components/DriverStats.tsx';
import { Loaded } from '../components/Loaded.tsx';
import { CHANNEL, city, fen } from '../lib/labels.ts';

const CATEGORY: Record<string, string> = {
  restriction: '限行提醒',
  notice: '公告',
  transactional: '事务',
  emergency: '紧急',
};

export default function Stats() {
  const { api } = useConsole();
  const can = useCan();
  const [weeks, setWeeks] = useState(8);
  const followers = can('GET /v1/admin/stats');
  const desk = can('GET /v1/admin/desk/measures');
  const q = useQuery({
    queryKey: ['stats', weeks],
    enabled: followers,
    queryFn: () => call(api.GET('/v1/admin/stats', { params: { query: { weeks } } })),
  });
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Space>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          统计
        </Typography.Title>
        <Select
          aria-label="周数"
          value={weeks}
          onChange={setWeeks}
          options={[4, 8, 12, 26].map((w) => ({ value: w, label: `最近 ${w} 周` }))}
        />
      </Space>
      {followers ? <Loaded query={q}>{(s) => <StatsView s={s} />}</Loaded> : null}
      {can('GET /v1/admin/drivers/stats') && <DriverStats weeks={weeks} />}
      {desk ? (
        <>
          <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
            诉求
          </Typography.Title>
          <DeskMeasures weeks={weeks} />
        </>
      ) : null}
    </Space>
  );
}

type Report = paths['/v1/admin/stats']['get']['responses'][200]['content']['application/json'];

function StatsView({ s }: { s: Report }) {
  const charts = useMemo(() => {
    const weeksList = [...new Set(s.pushes.map((w) => w.week))].sort();
    const categories = [...new Set(s.pushes.map((w) => w.category))];
    const series = (field: 'pushes' | 'unfollowsPer1000') =>
      categories.map((c) => ({
        name: CATEGORY[c] ?? c,
        type: field === 'pushes' ? 'bar' : 'line',
        data: weeksList.map((w) => s.pushes.find((x) => x.week === w && x.category === c)?.[field] ?? 0),
      }));
    const axes = { tooltip: { trigger: 'axis' }, legend: {}, xAxis: { type: 'category', data: weeksList } };
    return {
      label: `${categories.map((c) => CATEGORY[c] ?? c).join('、')}，${weeksList.length} 周`,
      pushes: { ...axes, yAxis: { type: 'value' }, series: series('pushes') },
      unfollows: { ...axes, yAxis: { type: 'value', name: '‰' }, series: series('unfollowsPer1000') },
    };
  }, [s]);
  const cities = Object.entries(s.boundPlatesByCity).sort(([, a], [, b]) => b - a);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Row gutter={16}>
        {Object.entries(s.byChannel).map(([ch, c]) => (
          <Col key={ch} xs={12} md={6}>
            <Card>
              <Statistic title={`${CHANNEL[ch] ?? ch}关注者`} value={c.followers} />
              <Statistic title="活跃" value={c.active} />
            </Card>
          </Col>
        ))}
        <Col xs={24} md={12}>
          <Card title={`短信费用（${s.sms.month}）`}>
            <Statistic value={fen(s.sms.spentFen)} suffix={`/ 预算 ${fen(s.sms.ceilingFen)}`} />
            <Progress
              percent={s.sms.ceilingFen ? Math.round((s.sms.spentFen / s.sms.ceilingFen) * 100) : 0}
              aria-label="短信预算使用"
            />
          </Card>
        </Col>
      </Row>
      <Card title="绑定车牌（按城市，活跃关注者）">
        <Table
          size="small"
          pagination={false}
          rowKey="0"
          dataSource={cities}
          columns={[
            { title: '城市', key: 'c', render: (_: unknown, r) => city(r[0]) },
            { title: '车牌数', key: 'n', render: (_: unknown, r) => r[1] },
          ]}
        />
      </Card>
      <Card title="每周推送（按类别）">
        <Chart option={charts.pushes} label={`每周推送：${charts.label}`} />
      </Card>
      <Card title="每千次推送的取关（按类别）">
        <Chart option={charts.unfollows} label={`每千次推送的取关：${charts.label}`} />
      </Card>
    </Space>
  );
}
