/** 审计: the trail filtered by day range, actor and action; each entry's before/after as a diff. */
import { useQuery } from '@tanstack/react-query';
import { Button, DatePicker, Form, Input, Space, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { ApiError, call } from '../api/client.ts';
import { useConsole } from '../app/context.tsx';
import { citiesQuery } from '../app/queries.ts';
import { RecordDiff } from '../components/Diff.tsx';
import { Loaded, ProblemAlert } from '../components/Loaded.tsx';
import { time } from '../lib/labels.ts';

interface Filter {
  range: [Dayjs, Dayjs];
  actor?: string;
  action?: string;
}

const asRecord = (v: unknown) =>
  v && typeof v === 'object'
    ? (v as Record<string, unknown>)
    : v === null || v === undefined
      ? null
      : { value: v };

export default function Audit() {
  const { api } = useConsole();
  const [form] = Form.useForm<Filter>();
  // The last 7 days by the API's clock (the local stack's may be shifted), until someone picks a range.
  const cities = useQuery(citiesQuery(api));
  const today = cities.data?.date;
  const [picked, setFilter] = useState<Filter | null>(null);
  const lastWeek = useMemo((): Filter => {
    const end = today ? dayjs(today) : dayjs();
    return { range: [end.subtract(6, 'day'), end] };
  }, [today]);
  const filter = picked ?? lastWeek;
  useEffect(() => {
    if (!picked) form.setFieldsValue({ range: lastWeek.range });
  }, [picked, form, lastWeek]);
  const q = useQuery({
    queryKey: [
      'audit',
      filter.range[0].format('YYYY-MM-DD'),
      filter.range[1].format('YYYY-MM-DD'),
      filter.actor,
      filter.action,
    ],
    enabled: !!today || picked !== null,
    queryFn: () =>
      call(
        api.GET('/v1/admin/audit', {
          params: {
            query: {
              from: filter.range[0].format('YYYY-MM-DD'),
              to: filter.range[1].format('YYYY-MM-DD'),
              ...(filter.actor ? { actor: filter.actor } : {}),
              ...(filter.action ? { action: filter.action } : {}),
            },
          },
        }),
      ),
  });
  const bad = q.error instanceof ApiError && q.error.status === 400 ? q.error : null;
  const fieldOf = (name: string) => bad?.problem.errors?.find((e) => e.path === `query.${name}`)?.message;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        审计
      </Typography.Title>
      <Form<Filter>
        form={form}
        layout="inline"
        initialValues={filter}
        onFinish={(v) =>
          setFilter({ ...v, actor: v.actor?.trim() || undefined, action: v.action?.trim() || undefined })
        }
        style={{ rowGap: 8 }}
      >
        <Form.Item
          name="range"
          label="日期（UTC，≤ 31 天）"
          validateStatus={fieldOf('to') || fieldOf('from') ? 'error' : undefined}
          help={fieldOf('to') ?? fieldOf('from')}
        >
          <DatePicker.RangePicker allowClear={false} />
        </Form.Item>
        <Form.Item name="actor" label="操作人">
          <Input placeholder="edna" />
        </Form.Item>
        <Form.Item
          name="action"
          label="操作"
          validateStatus={fieldOf('action') ? 'error' : undefined}
          help={fieldOf('action')}
        >
          <Input placeholder="notice.approve 或 notice." />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          查询
        </Button>
      </Form>
      {bad ? (
        <ProblemAlert error={bad} />
      ) : !today && picked === null ? (
        // The default range waits for the API's date: when that fails, say so (and retry) here.
        <Loaded query={cities}>{() => null}</Loaded>
      ) : (
        <Loaded query={q}>
          {(d) => (
            <Table
              rowKey="id"
              dataSource={[...d.entries].reverse()}
              expandable={{
                expandedRowRender: (e) => (
                  <RecordDiff before={asRecord(e.before)} after={asRecord(e.after)} />
                ),
              }}
              columns={[
                { title: '时间', dataIndex: 'at', render: time },
                { title: '操作人', dataIndex: 'actor' },
                { title: '操作', dataIndex: 'action' },
                { title: '对象', dataIndex: 'entity' },
              ]}
            />
          )}
        </Loaded>
      )}
    </Space>
  );
}
