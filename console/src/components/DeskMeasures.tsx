/**
 * The service desk's measures per ISO week (GET /v1/admin/desk/measures): cases by category, channel
 * and unit, the median time to the first answer, how many missed a deadline, satisfaction. The same
 * figures are metrics (DeskCasesOpened by dimension, DeskFirstAnswerSeconds p50, DeskSatisfactionScore).
 */
import { useQuery } from '@tanstack/react-query';
import { Card, Col, Row, Table } from 'antd';
import { useMemo } from 'react';
import { call } from '../api/client.ts';
import type { paths } from '../api/schema';
import { useConsole } from '../app/context.tsx';
import { CASE_CATEGORY, CASE_CHANNEL } from '../lib/labels.ts';
import { Chart } from './Chart.tsx';
import { Loaded } from './Loaded.tsx';

type Measures = paths['/v1/admin/desk/measures']['get']['responses'][200]['content']['application/json'];
type Week = Measures['weeks'][number];
type Units = paths['/v1/admin/desk/units']['get']['responses'][200]['content']['application/json'];

export const minutesText = (m: number | null) =>
  m === null
    ? '—'
    : m < 1
      ? '不足 1 分钟'
      : m < 60
        ? `${Math.round(m)} 分钟`
        : `${Math.floor(m / 60)} 小时 ${Math.round(m % 60)} 分钟`;

/** 1 satisfied … 3 not: the average of those who answered. */
const satisfactionText = (s: Week['satisfaction']) =>
  s.answers === 0 || s.average === null ? '—' : `${s.average.toFixed(2)}（${s.answers} 人评价）`;

export function DeskMeasures({ weeks }: { weeks: number }) {
  const { api } = useConsole();
  const units = useQuery({
    queryKey: ['desk-units'],
    queryFn: () => call(api.GET('/v1/admin/desk/units')),
    staleTime: 60_000,
  }).data;
  const q = useQuery({
    queryKey: ['desk-measures', weeks],
    queryFn: () => call(api.GET('/v1/admin/desk/measures', { params: { query: { weeks } } })),
  });
  return <Loaded query={q}>{(m) => <MeasuresView m={m} units={units} />}</Loaded>;
}

function MeasuresView({ m, units }: { m: Measures; units: Units | undefined }) {
  const oldestFirst = useMemo(() => [...m.weeks].reverse(), [m]);
  const charts = useMemo(() => {
    const unitName = (u: string) => units?.units.find((x) => x.id === u)?.name ?? u;
    const weekNames = oldestFirst.map((w) => w.week);
    const stacked = (field: 'byCategory' | 'byChannel' | 'byUnit', name: (k: string) => string) => {
      const keys = [...new Set(oldestFirst.flatMap((w) => Object.keys(w[field])))];
      const series = keys.map((k) => ({
        name: name(k),
        type: 'bar',
        stack: 'cases',
        data: oldestFirst.map((w) => w[field][k] ?? 0),
      }));
      const totals = keys.map((k) => `${name(k)} ${oldestFirst.reduce((n, w) => n + (w[field][k] ?? 0), 0)}`);
      return {
        option: {
          tooltip: { trigger: 'axis' },
          legend: {},
          xAxis: { type: 'category', data: weekNames },
          yAxis: { type: 'value', minInterval: 1 },
          series,
        },
        label: `${weekNames.length} 周合计：${totals.join('，') || '没有诉求'}`,
      };
    };
    return {
      category: stacked('byCategory', (k) => CASE_CATEGORY[k] ?? k),
      channel: stacked('byChannel', (k) => CASE_CHANNEL[k] ?? k),
      unit: stacked('byUnit', unitName),
    };
  }, [oldestFirst, units]);
  return (
    <Row gutter={[16, 16]} data-testid="desk-measures">
      <Col span={24}>
        <Card title="诉求（按周）">
          <Table
            size="small"
            pagination={false}
            rowKey="week"
            dataSource={m.weeks}
            columns={[
              { title: '周', dataIndex: 'week' },
              { title: '诉求数', dataIndex: 'cases' },
              {
                title: '首次答复用时（中位数）',
                dataIndex: 'medianFirstAnswerMinutes',
                render: minutesText,
              },
              { title: '超期', dataIndex: 'overdue' },
              {
                title: '满意度（1 满意 – 3 不满意）',
                dataIndex: 'satisfaction',
                render: satisfactionText,
              },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} xl={8}>
        <Card title="按类别">
          <Chart option={charts.category.option} label={`诉求按类别：${charts.category.label}`} />
        </Card>
      </Col>
      <Col xs={24} xl={8}>
        <Card title="按渠道">
          <Chart option={charts.channel.option} label={`诉求按渠道：${charts.channel.label}`} />
        </Card>
      </Col>
      <Col xs={24} xl={8}>
        <Card title="按承办单位">
          <Chart option={charts.unit.option} label={`诉求按承办单位：${charts.unit.label}`} />
        </Card>
      </Col>
    </Row>
  );
}
