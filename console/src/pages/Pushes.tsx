/**
 * 推送: runs newest first; a run's outcomes as a chart, its halts; an operator runs or dry-runs a
 * restriction push after a confirmation that states the audience and the date. A run that stalled
 * (running, some of its audience without an outcome, nothing happening) says since when, and an
 * operator resumes it after a confirmation: what it has not finished is emitted again, and the
 * ledger keeps everyone at most once (POST /v1/admin/pushes/{id}/resume, as `npm run push --
 * --resume` and the sweep do).
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Descriptions,
  Form,
  Modal,
  Radio,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { ApiError, call } from '../api/client.ts';
import type { paths } from '../api/schema';
import { useCan, useConsole } from '../app/context.tsx';
import { href, useLocation } from '../app/router.ts';
import { Chart } from '../components/Chart.tsx';
import { Loaded, ProblemAlert } from '../components/Loaded.tsx';
import { city, outcome, REASON, RUN_STATUS, time } from '../lib/labels.ts';
import {
  cursorOf,
  outcomeCounts,
  type Pace,
  type Run,
  receiptCounts,
  runStatus,
  runsPage,
} from '../lib/runs.ts';

type ResumeReport =
  paths['/v1/admin/pushes/{id}/resume']['post']['responses'][200]['content']['application/json'];

type Trigger = paths['/v1/admin/pushes/restriction']['post']['requestBody']['content']['application/json'];
interface Preview {
  key: string;
  date: string;
  status: string;
  reason: string;
  tails: number[];
  audience: { wechat: number; sms: number };
  wouldBe: { send: number; capped: number; duplicate: number };
  pace: Pace | null;
}

/** The pace planned for the deadline: start, finish, rate, and whether it makes it. */
function PaceItems({ pace, met }: { pace: Pace; met?: boolean | null | undefined }) {
  const late = pace.finishBy !== null && Date.parse(pace.finishBy) <= Date.parse(pace.startAt);
  const verdict =
    pace.meetsDeadline === null
      ? '无截止时间'
      : pace.meetsDeadline
        ? '按计划在截止前完成'
        : late
          ? '截止时间已过'
          : '以最高速率仍无法在截止前完成';
  return (
    <Descriptions bordered size="small" column={3} title="发送计划" data-testid="pace">
      <Descriptions.Item label="计划开始">{time(pace.startAt)}</Descriptions.Item>
      <Descriptions.Item label="计划完成">{time(pace.plannedFinish)}</Descriptions.Item>
      <Descriptions.Item label="截止（限行开始）">{time(pace.deadline)}</Descriptions.Item>
      <Descriptions.Item label="速率">
        {pace.totalRate} 条/秒（{pace.concurrency} 路 × {pace.ratePerInvocation} 条/秒）
      </Descriptions.Item>
      <Descriptions.Item label="受众（索引条目）">{pace.audience}</Descriptions.Item>
      <Descriptions.Item label="计划">{verdict}</Descriptions.Item>
      {met === undefined ? null : (
        <Descriptions.Item label="实际">
          {met === null ? (
            '尚未完成'
          ) : met ? (
            <Tag color="green">截止前完成</Tag>
          ) : (
            <Tag color="red">超过截止时间</Tag>
          )}
        </Descriptions.Item>
      )}
    </Descriptions>
  );
}

function StatusTag({ run }: { run: Run }) {
  const s = runStatus(run);
  return <Tag color={RUN_STATUS[s]?.color}>{RUN_STATUS[s]?.text ?? s}</Tag>;
}

function OutcomeChart({ run }: { run: Run }) {
  const counts = outcomeCounts(run);
  const option = useMemo(
    () => ({
      grid: { left: 140, right: 24, top: 10, bottom: 24 },
      tooltip: {},
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: counts.map(([k]) => outcome(k)), inverse: true },
      series: [{ type: 'bar', data: counts.map(([, v]) => v), itemStyle: { color: '#1f4e9c' } }],
    }),
    [counts],
  );
  if (!counts.length) return <Typography.Text type="secondary">还没有结果。</Typography.Text>;
  return (
    <Chart
      option={option}
      height={Math.max(120, counts.length * 28 + 40)}
      label={`结果分布：${counts.map(([k, v]) => `${outcome(k)} ${v}`).join('，')}`}
    />
  );
}

/** Resuming a running run: stated, confirmed, then what was emitted again. */
function ResumeRun({ run }: { run: Run }) {
  const { api } = useConsole();
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [report, setReport] = useState<ResumeReport | null>(null);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const resume = useMutation({
    mutationFn: () =>
      call(api.POST('/v1/admin/pushes/{id}/resume', { params: { path: { id: run.key } }, body: {} })),
    onSuccess: (r) => {
      setConfirming(false);
      setProblem(null);
      setReport(r);
      qc.invalidateQueries({ queryKey: ['run', run.key] });
      qc.invalidateQueries({ queryKey: ['runs'] });
    },
    onError: (e) => {
      setConfirming(false);
      if (e instanceof ApiError) setProblem(e);
    },
  });
  const planned = run.counts.planned ?? 0;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {run.stalledSince ? (
        <Alert
          type="warning"
          showIcon
          data-testid="run-stalled"
          message={`推送已停滞：自 ${time(run.stalledSince)} 起没有进展`}
          description={`计划 ${planned} 人，已有结果 ${run.settled} 人；其余尚无结果。恢复推送会重新发出尚未完成的部分。`}
          action={
            <Button type="primary" onClick={() => setConfirming(true)}>
              恢复推送…
            </Button>
          }
        />
      ) : (
        <Button onClick={() => setConfirming(true)}>恢复推送…</Button>
      )}
      {problem ? <ProblemAlert error={problem} /> : null}
      {report ? (
        <Alert
          type="success"
          showIcon
          data-testid="run-resumed"
          message={`已重新发出：${report.resumed.segments} 个分段、${report.resumed.bundles} 个批次，共 ${report.resumed.recipients} 位接收者${report.resumed.massSends ? `；${report.resumed.massSends} 个群发` : ''}`}
        />
      ) : null}
      <Modal
        open={confirming}
        title="确认恢复推送"
        okText="恢复推送"
        cancelText="取消"
        confirmLoading={resume.isPending}
        onCancel={() => setConfirming(false)}
        onOk={() => resume.mutate()}
      >
        <Typography.Paragraph>
          将重新发出 {run.key} 尚未完成的部分：未展开的分段，以及尚无结果的{' '}
          {Math.max(0, planned - run.settled)}{' '}
          位接收者。已经发出或已有结果的人不会再收到（推送账本保证每人至多一次）。此操作会记入审计日志。
        </Typography.Paragraph>
      </Modal>
    </Space>
  );
}

function RunDetail({ runKey }: { runKey: string }) {
  const { api } = useConsole();
  const can = useCan();
  const q = useQuery({
    queryKey: ['run', runKey],
    queryFn: () => call(api.GET('/v1/admin/pushes/{id}', { params: { path: { id: runKey } } })),
    refetchInterval: (query) =>
      query.state.data && (query.state.data as Run).status !== 'running' ? false : 3_000,
  });
  return (
    <Loaded query={q}>
      {(data) => {
        const run = data as Run & {
          consumed?: { read: number; write: number };
          invocations?: number;
          durationMs?: number;
        };
        const halts = Object.entries(run.halts ?? {});
        return (
          <Space direction="vertical" size="large" style={{ width: '100%' }}>
            <Space wrap>
              <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
                {run.key}
              </Typography.Title>
              <span data-testid="run-status">
                <StatusTag run={run} />
              </span>
              <a href={href('pushes')}>返回列表</a>
            </Space>
            {halts.map(([channel, why]) => (
              <Alert
                key={channel}
                type="error"
                showIcon
                message={`${channel} 渠道已暂停`}
                description={why}
              />
            ))}
            {run.reason ? <Alert type="info" message={`原因：${REASON[run.reason] ?? run.reason}`} /> : null}
            {run.status === 'running' && can('POST /v1/admin/pushes/{id}/resume') ? (
              <ResumeRun run={run} />
            ) : run.stalledSince ? (
              <Alert
                type="warning"
                showIcon
                message={`推送已停滞：自 ${time(run.stalledSince)} 起没有进展`}
              />
            ) : null}
            <Descriptions bordered size="small" column={3}>
              <Descriptions.Item label="开始">{time(run.startedAt)}</Descriptions.Item>
              <Descriptions.Item label="结束">{time(run.finishedAt)}</Descriptions.Item>
              <Descriptions.Item label="计划">{run.counts.planned ?? 0}</Descriptions.Item>
              <Descriptions.Item label="未发送（中止）">{run.unsent}</Descriptions.Item>
              <Descriptions.Item label="读/写容量">
                {run.consumed ? `${run.consumed.read} / ${run.consumed.write}` : '—'}
              </Descriptions.Item>
              <Descriptions.Item label="调用次数">{run.invocations ?? '—'}</Descriptions.Item>
            </Descriptions>
            {run.pace ? <PaceItems pace={run.pace} met={run.metDeadline} /> : null}
            <Card title="结果">
              <OutcomeChart run={run} />
            </Card>
            <Card title="微信送达回执（发送后陆续到达）" data-testid="run-receipts">
              {receiptCounts(run).length ? (
                <Descriptions size="small" column={4}>
                  <Descriptions.Item label="已发送">{run.counts.sent ?? 0}</Descriptions.Item>
                  {receiptCounts(run).map(([k, v]) => (
                    <Descriptions.Item key={k} label={outcome(k)}>
                      {v}
                    </Descriptions.Item>
                  ))}
                </Descriptions>
              ) : (
                <Typography.Text type="secondary">尚无回执。</Typography.Text>
              )}
            </Card>
          </Space>
        );
      }}
    </Loaded>
  );
}

function TriggerForm() {
  const { api, config } = useConsole();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ city: string; date: Dayjs | null; slot: 'morning' | 'evening' }>();
  const [preview, setPreview] = useState<Preview | null>(null);
  const [confirming, setConfirming] = useState<{ body: Trigger; preview: Preview } | null>(null);
  const [force, setForce] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const bodyOf = (dryRun: boolean): Trigger => {
    const v = form.getFieldsValue();
    return { city: v.city, slot: v.slot, dryRun, ...(v.date ? { date: v.date.format('YYYY-MM-DD') } : {}) };
  };
  const onError = (e: unknown) => {
    if (!(e instanceof ApiError)) return;
    setProblem(e);
    form.setFields(e.fieldErrors().map((f) => ({ name: f.name[0] as 'city', errors: f.errors })));
  };
  const dry = useMutation({
    mutationFn: async (body: Trigger) =>
      (await call(api.POST('/v1/admin/pushes/restriction', { body }))) as unknown as Preview,
    onSuccess: (p) => {
      setProblem(null);
      setPreview(p);
    },
    onError,
  });
  const run = useMutation({
    mutationFn: (body: Trigger) =>
      call(
        api.POST('/v1/admin/pushes/restriction', {
          body: (force ? { ...body, force: true } : body) as Trigger,
        }),
      ),
    onSuccess: () => {
      setConfirming(null);
      setProblem(null);
      qc.invalidateQueries({ queryKey: ['runs'] });
    },
    onError: (e) => {
      setConfirming(null);
      onError(e);
    },
  });
  const askToRun = async () => {
    const p = await dry.mutateAsync(bodyOf(true)).catch(() => null);
    if (p) setConfirming({ body: bodyOf(false), preview: p });
  };
  return (
    <Card title="限行提醒：试算或推送">
      <Form
        form={form}
        layout="inline"
        initialValues={{ city: config.servedCities[0], slot: 'morning', date: null }}
        style={{ rowGap: 12 }}
      >
        <Form.Item name="city" label="城市">
          <Select
            style={{ width: 120 }}
            options={config.servedCities.map((c) => ({ value: c, label: city(c) }))}
          />
        </Form.Item>
        <Form.Item name="date" label="日期（默认今天/明天）">
          <DatePicker />
        </Form.Item>
        <Form.Item name="slot" label="时段">
          <Radio.Group
            options={[
              { value: 'morning', label: '早 07:00' },
              { value: 'evening', label: '前一晚 20:00' },
            ]}
          />
        </Form.Item>
        <Button onClick={() => dry.mutate(bodyOf(true))} loading={dry.isPending && !confirming}>
          试算（不发送）
        </Button>
        <Button type="primary" onClick={askToRun}>
          推送…
        </Button>
      </Form>
      {problem ? (
        <Space direction="vertical" style={{ marginTop: 12, width: '100%' }}>
          <ProblemAlert error={problem} />
          {problem.status === 409 ? (
            <Checkbox checked={force} onChange={(e) => setForce(e.target.checked)}>
              我确认要为过去的日期推送（force）
            </Checkbox>
          ) : null}
        </Space>
      ) : null}
      {preview ? (
        <Descriptions
          style={{ marginTop: 16 }}
          bordered
          size="small"
          column={2}
          title="试算结果（未发送）"
          data-testid="dry-run"
        >
          <Descriptions.Item label="推送">{preview.key}</Descriptions.Item>
          <Descriptions.Item label="日期">{preview.date}</Descriptions.Item>
          <Descriptions.Item label="当天">
            {preview.status === 'restricted'
              ? `限行尾号 ${preview.tails.join('、')}`
              : (REASON[preview.reason] ?? preview.reason)}
          </Descriptions.Item>
          <Descriptions.Item label="受众">
            微信 {preview.audience.wechat} 人，短信 {preview.audience.sms} 人
          </Descriptions.Item>
          <Descriptions.Item label="将发送">{preview.wouldBe.send}</Descriptions.Item>
          <Descriptions.Item label="频控拦截 / 重复">
            {preview.wouldBe.capped} / {preview.wouldBe.duplicate}
          </Descriptions.Item>
        </Descriptions>
      ) : null}
      {preview?.pace ? <PaceItems pace={preview.pace} /> : null}
      <Modal
        open={!!confirming}
        title="确认推送"
        okText="推送"
        cancelText="取消"
        confirmLoading={run.isPending}
        onCancel={() => setConfirming(null)}
        onOk={() => confirming && run.mutate(confirming.body)}
      >
        {confirming ? (
          <Typography.Paragraph>
            将向{city(confirming.body.city)}在 {confirming.preview.date}（
            {confirming.body.slot === 'morning' ? '当天早上' : '前一晚'}）
            {confirming.preview.status === 'restricted'
              ? `限行尾号 ${confirming.preview.tails.join('、')} 的`
              : '（当天不限行，推送会被记录为跳过）'}
            订阅者推送提醒：微信 {confirming.preview.audience.wechat} 人、短信{' '}
            {confirming.preview.audience.sms} 人，预计发送 {confirming.preview.wouldBe.send} 条，频控拦截{' '}
            {confirming.preview.wouldBe.capped} 条。同一城市、日期和时段只会推送一次。
          </Typography.Paragraph>
        ) : null}
      </Modal>
    </Card>
  );
}

function RunList() {
  const { api } = useConsole();
  const q = useInfiniteQuery({
    queryKey: ['runs', 'pages'],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => call(api.GET('/v1/admin/pushes', { params: { query: runsPage(pageParam) } })),
    getNextPageParam: (last) => cursorOf(last),
    refetchInterval: 5_000,
  });
  return (
    <Card title="推送记录（最新在前）">
      {q.isError || q.failureCount > 0 ? (
        <ProblemAlert error={q.error ?? q.failureReason} onRetry={() => q.refetch()} />
      ) : null}
      <Table<Run>
        rowKey="key"
        loading={q.isPending}
        pagination={false}
        dataSource={(q.data?.pages ?? []).flatMap((p) => p.runs as Run[])}
        columns={[
          {
            title: '推送',
            dataIndex: 'key',
            render: (k: string) => <a href={href(`pushes/${encodeURIComponent(k)}`)}>{k}</a>,
          },
          { title: '状态', key: 'status', render: (_: unknown, r) => <StatusTag run={r} /> },
          { title: '开始', dataIndex: 'startedAt', render: time },
          { title: '计划', key: 'planned', render: (_: unknown, r) => r.counts.planned ?? 0 },
          { title: '已发送', key: 'sent', render: (_: unknown, r) => r.counts.sent ?? 0 },
          { title: '频控', key: 'capped', render: (_: unknown, r) => r.counts.capped ?? 0 },
          { title: '失败', key: 'failed', render: (_: unknown, r) => r.counts.failed ?? 0 },
          {
            title: '暂停',
            key: 'halts',
            render: (_: unknown, r) =>
              Object.keys(r.halts ?? {}).map((c) => (
                <Tag color="error" key={c}>
                  {c}
                </Tag>
              )),
          },
        ]}
      />
      {q.hasNextPage ? (
        <Button style={{ marginTop: 12 }} onClick={() => q.fetchNextPage()} loading={q.isFetchingNextPage}>
          加载更多
        </Button>
      ) : null}
    </Card>
  );
}

export default function Pushes() {
  const { path } = useLocation();
  const can = useCan();
  if (path[1]) return <RunDetail runKey={path[1]} />;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        推送
      </Typography.Title>
      {can('POST /v1/admin/pushes/restriction') ? <TriggerForm /> : null}
      <RunList />
    </Space>
  );
}
