/**
 * 限行数据: each year's holiday calendar as a calendar; uploading a year shows, before saving, which
 * dates' answers change; the rules per city as a timeline of validity windows with `verified`;
 * suspensions added and lifted; coverage gaps highlighted.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { type Api, ApiError, call } from '../api/client.ts';
import type { paths } from '../api/schema';
import { useCan, useConsole } from '../app/context.tsx';
import { CalendarChanges, type CalendarChangesReport } from '../components/CalendarChanges.tsx';
import { Loaded, ProblemAlert } from '../components/Loaded.tsx';
import { YearCalendar } from '../components/YearCalendar.tsx';
import { CITY, city, REASON } from '../lib/labels.ts';

const fetchReport = (api: Api) => call(api.GET('/v1/admin/restriction-data', {}));
type Report = Awaited<ReturnType<typeof fetchReport>>;
type Calendar = paths['/v1/admin/calendars/{year}']['put']['requestBody']['content']['application/json'];

function problems(e: ApiError) {
  return e.problem.errors?.length ? (
    <ul style={{ margin: 0 }}>
      {e.problem.errors.map((x) => (
        <li key={`${x.path}${x.message}`}>
          <code>{x.path.replace(/^body\.?/, '') || '(整体)'}</code>：{x.message}
        </li>
      ))}
    </ul>
  ) : null;
}

function DayAnswers({ date }: { date: string }) {
  const { api } = useConsole();
  const q = useQuery({
    queryKey: ['restriction-data', date],
    queryFn: () => call(api.GET('/v1/admin/restriction-data', { params: { query: { date } } })),
  });
  return (
    <Loaded query={q} rows={2}>
      {(r) => (
        <Table
          size="small"
          pagination={false}
          rowKey="city"
          data-testid="day-answers"
          caption={`${r.answers.date} 各城市答复`}
          dataSource={r.answers.cities}
          columns={[
            { title: '城市', dataIndex: 'city', render: city },
            {
              title: '答复',
              key: 'a',
              render: (_: unknown, a) => (
                <Tag color={a.status === 'restricted' ? 'red' : a.status === 'unknown' ? 'orange' : 'green'}>
                  {a.status === 'restricted'
                    ? `限行 ${a.tails.join('、')}`
                    : a.status === 'unknown'
                      ? '未知'
                      : '不限行'}
                </Tag>
              ),
            },
            {
              title: '原因',
              key: 'r',
              render: (_: unknown, a) =>
                `${REASON[a.reason] ?? a.reason}${a.holiday ? `（${a.holiday}）` : ''}`,
            },
          ]}
        />
      )}
    </Loaded>
  );
}

function Calendars({ report }: { report: Report }) {
  const { api } = useConsole();
  const can = useCan();
  const qc = useQueryClient();
  const years = [
    ...new Set([...report.calendars.map((c) => c.calendar.year), Number(report.today.slice(0, 4)) + 1]),
  ].sort();
  const [year, setYear] = useState(Number(report.today.slice(0, 4)));
  const [selected, setSelected] = useState<string | undefined>();
  const [text, setText] = useState('');
  const [parseError, setParseError] = useState<string | null>(null);
  const [changes, setChanges] = useState<{ calendar: Calendar; report: CalendarChangesReport } | null>(null);
  const entry = report.calendars.find((c) => c.calendar.year === year);
  const gaps = useMemo(() => new Set(report.coverage.missingDays.map((d) => d.date)), [report]);
  const parsed = (): Calendar | null => {
    try {
      const c = JSON.parse(text) as Calendar;
      setParseError(null);
      return c;
    } catch (e) {
      setParseError(`不是有效的 JSON：${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  };
  const check = useMutation({
    mutationFn: async (c: Calendar) => ({
      calendar: c,
      report: await call(
        api.POST('/v1/admin/calendars/{year}/changes', { params: { path: { year: c.year ?? 0 } }, body: c }),
      ),
    }),
    onSuccess: setChanges,
  });
  const save = useMutation({
    mutationFn: (c: Calendar) =>
      call(api.PUT('/v1/admin/calendars/{year}', { params: { path: { year: c.year } }, body: c })),
    onSuccess: (c) => {
      setChanges(null);
      setText('');
      setYear(c.year);
      qc.invalidateQueries({ queryKey: ['restriction-data'] });
    },
  });
  const error = check.error ?? save.error;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Space wrap>
        <Select
          aria-label="年份"
          value={year}
          onChange={(y) => {
            setYear(y);
            setSelected(undefined);
          }}
          style={{ width: 120 }}
          options={years.map((y) => ({ value: y, label: `${y} 年` }))}
        />
        {entry ? (
          <Typography.Text>
            {entry.calendar.notice}（
            {entry.source === 'stored' ? `管理员上传，版本 ${entry.version}` : '随系统发布'}）
          </Typography.Text>
        ) : (
          <Alert type="warning" showIcon message={`${year} 年没有节假日日历：这一年的限行答复都是“未知”。`} />
        )}
      </Space>
      <YearCalendar
        year={year}
        calendar={entry?.calendar ?? null}
        gaps={gaps}
        selected={selected}
        onSelect={setSelected}
      />
      {selected ? (
        <DayAnswers date={selected} />
      ) : (
        <Typography.Text type="secondary">点击日期查看各城市当天的答复。</Typography.Text>
      )}
      {can('PUT /v1/admin/calendars/{year}') ? (
        <Card title="上传节假日日历">
          <Typography.Paragraph type="secondary">
            粘贴或选择 JSON 文件（格式同
            schemas/data/calendars/2026.json）。保存前会先显示哪些日期的答复会改变。
          </Typography.Paragraph>
          <Space direction="vertical" style={{ width: '100%' }}>
            <input
              type="file"
              accept="application/json,.json"
              aria-label="选择日历文件"
              onChange={async (e) => {
                const f = e.target.files?.[0];
                if (f) setText(await f.text());
              }}
            />
            <Input.TextArea
              aria-label="日历 JSON"
              rows={8}
              value={text}
              onChange={(e) => {
                setText(e.target.value);
                setChanges(null);
              }}
              status={parseError || error ? 'error' : undefined}
            />
            {parseError ? <Alert type="error" role="alert" message={parseError} /> : null}
            {error instanceof ApiError ? (
              <Alert
                type="error"
                role="alert"
                showIcon
                message={error.problem.detail}
                description={problems(error)}
              />
            ) : error ? (
              <ProblemAlert error={error} />
            ) : null}
            <Space>
              <Button
                onClick={() => {
                  const c = parsed();
                  if (c) check.mutate(c);
                }}
                loading={check.isPending}
              >
                检查变化
              </Button>
              <Button
                type="primary"
                disabled={!changes}
                loading={save.isPending}
                onClick={() => changes && save.mutate(changes.calendar)}
              >
                保存 {changes ? `${changes.calendar.year} 年日历` : ''}
              </Button>
            </Space>
            {changes ? <CalendarChanges report={changes.report} /> : null}
          </Space>
        </Card>
      ) : null}
    </Space>
  );
}

function Rules({ report }: { report: Report }) {
  const { api } = useConsole();
  const can = useCan();
  const qc = useQueryClient();
  const [closing, setClosing] = useState<{ city: string; id: string } | null>(null);
  const [form] = Form.useForm<{ validTo: Dayjs }>();
  const close = useMutation({
    mutationFn: (v: { validTo: Dayjs }) =>
      call(
        api.POST('/v1/admin/cities/{city}/rules/{ruleId}/close', {
          params: { path: { city: closing!.city, ruleId: closing!.id } },
          body: { validTo: v.validTo?.format('YYYY-MM-DD') ?? '' },
        }),
      ),
    onSuccess: () => {
      setClosing(null);
      qc.invalidateQueries({ queryKey: ['restriction-data'] });
    },
    onError: (e) => {
      if (e instanceof ApiError) form.setFields([{ name: 'validTo', errors: [e.problem.detail] }]);
    },
  });
  const start = Math.min(...report.rules.map((r) => Date.parse(r.rule.validFrom)));
  const end = Date.parse(`${Number(report.today.slice(0, 4)) + 1}-12-31`);
  const pos = (d: string | null) => ((Math.min(d ? Date.parse(d) : end, end) - start) / (end - start)) * 100;
  const todayPos = pos(report.today);
  const cities = [...new Set(report.rules.map((r) => r.rule.city))];
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {cities.map((c) => (
        <Card key={c} size="small" title={city(c)}>
          <div
            style={{
              position: 'relative',
              height: 26 * report.rules.filter((r) => r.rule.city === c).length + 8,
            }}
          >
            <div
              style={{
                position: 'absolute',
                left: `${todayPos}%`,
                top: 0,
                bottom: 0,
                borderLeft: '2px dashed #1f4e9c',
              }}
              title="今天"
            />
            {report.rules
              .filter((r) => r.rule.city === c)
              .map((r, i) => (
                <Tooltip
                  key={r.rule.id}
                  title={`${r.rule.id}：${r.rule.validFrom} 至 ${r.rule.validTo ?? '长期'}${r.rule.verified ? '' : '（未核实）'}`}
                >
                  <div
                    style={{
                      position: 'absolute',
                      top: i * 26,
                      left: `${pos(r.rule.validFrom)}%`,
                      width: `${Math.max(1, pos(r.rule.validTo) - pos(r.rule.validFrom))}%`,
                      height: 22,
                      background: r.rule.verified ? '#bae0ff' : '#fff1b8',
                      border: `1px solid ${r.rule.verified ? '#1f4e9c' : '#ad8b00'}`,
                      overflow: 'hidden',
                      whiteSpace: 'nowrap',
                      fontSize: 12,
                      padding: '2px 4px',
                      color: '#262626',
                    }}
                  >
                    {r.rule.validFrom} – {r.rule.validTo ?? '长期'} {r.rule.verified ? '已核实' : '未核实'}
                  </div>
                </Tooltip>
              ))}
          </div>
          <Table
            size="small"
            pagination={false}
            rowKey={(r) => r.rule.id}
            dataSource={report.rules.filter((r) => r.rule.city === c)}
            columns={[
              { title: '规则', key: 'id', render: (_: unknown, r) => r.rule.id },
              {
                title: '有效期',
                key: 'v',
                render: (_: unknown, r) => `${r.rule.validFrom} 至 ${r.rule.validTo ?? '长期'}`,
              },
              {
                title: '核实',
                key: 'verified',
                render: (_: unknown, r) =>
                  r.rule.verified ? <Tag color="blue">已核实</Tag> : <Tag color="gold">未核实</Tag>,
              },
              {
                title: '来源',
                key: 's',
                render: (_: unknown, r) => (r.source === 'stored' ? `上传（v${r.version}）` : '随系统发布'),
              },
              {
                title: '',
                key: 'close',
                render: (_: unknown, r) =>
                  can('POST /v1/admin/cities/{city}/rules/{ruleId}/close') ? (
                    <Button size="small" onClick={() => setClosing({ city: r.rule.city, id: r.rule.id })}>
                      截止
                    </Button>
                  ) : null,
              },
            ]}
          />
        </Card>
      ))}
      <Modal
        open={!!closing}
        title={`截止规则 ${closing?.id ?? ''}`}
        okText="截止"
        cancelText="取消"
        onCancel={() => setClosing(null)}
        onOk={() => form.submit()}
        confirmLoading={close.isPending}
      >
        <Form form={form} onFinish={(v) => close.mutate(v)}>
          <Form.Item name="validTo" label="最后一天">
            <DatePicker />
          </Form.Item>
        </Form>
      </Modal>
      {can('POST /v1/admin/cities/{city}/rules') ? <AddRule /> : null}
    </Space>
  );
}

function AddRule() {
  const { api } = useConsole();
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const add = useMutation({
    mutationFn: () => {
      const rule = JSON.parse(
        text,
      ) as paths['/v1/admin/cities/{city}/rules']['post']['requestBody']['content']['application/json'];
      return call(
        api.POST('/v1/admin/cities/{city}/rules', { params: { path: { city: rule.city } }, body: rule }),
      );
    },
    onSuccess: () => {
      setText('');
      qc.invalidateQueries({ queryKey: ['restriction-data'] });
    },
  });
  return (
    <Card size="small" title="新增规则记录（JSON，格式同 schemas/data/rules/xian.json 的一条）">
      <Input.TextArea
        aria-label="规则 JSON"
        rows={5}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      {add.error instanceof ApiError ? (
        <Alert
          type="error"
          role="alert"
          message={add.error.problem.detail}
          description={problems(add.error)}
        />
      ) : add.error ? (
        <Alert type="error" role="alert" message={`不是有效的 JSON：${add.error.message}`} />
      ) : null}
      <Button style={{ marginTop: 8 }} onClick={() => add.mutate()} loading={add.isPending}>
        新增
      </Button>
    </Card>
  );
}

function Suspensions({ report }: { report: Report }) {
  const { api } = useConsole();
  const can = useCan();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ id: string; city: string; from: Dayjs; to: Dayjs | null; reason: string }>();
  const [formError, setFormError] = useState<ApiError | null>(null);
  const done = () => qc.invalidateQueries({ queryKey: ['restriction-data'] });
  const add = useMutation({
    mutationFn: (v: { id: string; city: string; from: Dayjs; to: Dayjs | null; reason: string }) =>
      call(
        api.POST('/v1/admin/cities/{city}/suspensions', {
          params: { path: { city: v.city } },
          body: {
            id: v.id ?? '',
            city: v.city,
            from: v.from?.format('YYYY-MM-DD') ?? '',
            to: v.to ? v.to.format('YYYY-MM-DD') : null,
            reason: v.reason ?? '',
            noticeId: null,
          },
        }),
      ),
    onSuccess: () => {
      setFormError(null);
      form.resetFields();
      done();
    },
    onError: (e) => {
      if (!(e instanceof ApiError)) return;
      setFormError(e);
      form.setFields(e.fieldErrors().map((f) => ({ name: f.name[0] as 'id', errors: f.errors })));
    },
  });
  const lift = useMutation({
    mutationFn: (s: { city: string; id: string }) =>
      call(
        api.POST('/v1/admin/cities/{city}/suspensions/{suspensionId}/lift', {
          params: { path: { city: s.city, suspensionId: s.id } },
          body: {},
        }),
      ),
    onSuccess: done,
  });
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {lift.error ? <ProblemAlert error={lift.error} /> : null}
      <Table
        size="small"
        rowKey={(s) => s.suspension.id}
        dataSource={report.suspensions}
        columns={[
          { title: '编号', key: 'id', render: (_: unknown, s) => s.suspension.id },
          { title: '城市', key: 'city', render: (_: unknown, s) => city(s.suspension.city) },
          {
            title: '期间',
            key: 'p',
            render: (_: unknown, s) => `${s.suspension.from} 至 ${s.suspension.to ?? '另行通知'}`,
          },
          { title: '原因', key: 'r', render: (_: unknown, s) => s.suspension.reason },
          { title: '提前解除', key: 'l', render: (_: unknown, s) => s.suspension.liftedOn ?? '—' },
          {
            title: '',
            key: 'lift',
            render: (_: unknown, s) =>
              !s.suspension.liftedOn &&
              can('POST /v1/admin/cities/{city}/suspensions/{suspensionId}/lift') ? (
                <Button
                  size="small"
                  onClick={() => lift.mutate({ city: s.suspension.city, id: s.suspension.id })}
                >
                  今天起解除
                </Button>
              ) : null,
          },
        ]}
      />
      {can('POST /v1/admin/cities/{city}/suspensions') ? (
        <Card size="small" title="新增暂停">
          {formError ? (
            <Alert type="error" role="alert" message={formError.problem.detail} style={{ marginBottom: 8 }} />
          ) : null}
          <Form
            form={form}
            layout="inline"
            onFinish={(v) => add.mutate(v)}
            initialValues={{ city: report.servedCities[0] }}
            style={{ rowGap: 8 }}
          >
            <Form.Item name="id" label="编号">
              <Input placeholder="beijing-2026-12" />
            </Form.Item>
            <Form.Item name="city" label="城市">
              <Select
                style={{ width: 100 }}
                options={Object.entries(CITY).map(([value, label]) => ({ value, label }))}
              />
            </Form.Item>
            <Form.Item name="from" label="自">
              <DatePicker />
            </Form.Item>
            <Form.Item name="to" label="至">
              <DatePicker />
            </Form.Item>
            <Form.Item name="reason" label="原因">
              <Input />
            </Form.Item>
            <Button htmlType="submit" loading={add.isPending}>
              新增
            </Button>
          </Form>
        </Card>
      ) : null}
    </Space>
  );
}

export default function RestrictionData() {
  const { api } = useConsole();
  const q = useQuery({
    queryKey: ['restriction-data'],
    queryFn: () => fetchReport(api),
  });
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        限行数据
      </Typography.Title>
      <Loaded query={q}>
        {(r) => (
          <>
            {r.coverage.gaps.length ? (
              <Alert
                type="error"
                showIcon
                message={`未来 ${r.coverage.days} 天的数据缺口：${r.coverage.gaps
                  .map(
                    (g) =>
                      `${city(g.city)} 自 ${g.firstMissingDay} 起 ${g.missingDays} 天（${REASON[g.reason] ?? g.reason}）`,
                  )
                  .join('；')}`}
              />
            ) : (
              <Alert type="success" showIcon message={`未来 ${r.coverage.days} 天数据完整`} />
            )}
            <Tabs
              items={[
                { key: 'calendars', label: '节假日日历', children: <Calendars report={r} /> },
                { key: 'rules', label: '规则', children: <Rules report={r} /> },
                { key: 'suspensions', label: '暂停限行', children: <Suspensions report={r} /> },
              ]}
            />
          </>
        )}
      </Loaded>
    </Space>
  );
}
