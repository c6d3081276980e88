/**
 * 公告: list and search; compose with a live preview; review with what changed since the last
 * approved version; the workflow moves the notice allows (allowedActions) that the roles may make;
 * scheduled publication (publishAt); withdraw and reject with a reason. A link with ?do=<move>
 * opens that move's dialog (a colleague's "please approve" link); the API decides, and says why not.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Descriptions,
  Form,
  Input,
  Modal,
  Radio,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { ApiError, call } from '../api/client.ts';
import type { paths } from '../api/schema';
import { useCan, useConsole } from '../app/context.tsx';
import { href, navigate, useLocation } from '../app/router.ts';
import { RecordDiff } from '../components/Diff.tsx';
import { Loaded, ProblemAlert } from '../components/Loaded.tsx';
import { NoticePreview, type PreviewFields } from '../components/NoticePreview.tsx';
import { sameValue } from '../lib/diff.ts';
import { ACTION, AUDIENCE, CHANNEL, CITY, city, NOTICE_KIND, NOTICE_STATUS, time } from '../lib/labels.ts';

type NewNotice = paths['/v1/admin/notices']['post']['requestBody']['content']['application/json'];
type AdminNotice = paths['/v1/admin/notices/{id}']['get']['responses'][200]['content']['application/json'];
type Move = 'submit' | 'approve' | 'reject' | 'publish' | 'withdraw';
const MOVES: Move[] = ['submit', 'approve', 'reject', 'publish', 'withdraw'];
const NEEDS_REASON: Move[] = ['reject', 'withdraw'];

const FIELD_LABELS: Record<string, string> = {
  kind: '类型',
  title: '标题',
  body: '正文',
  shortBody: '摘要',
  city: '城市',
  areas: '区域/道路',
  effectiveFrom: '生效开始',
  effectiveTo: '生效结束',
  channels: '渠道',
  audience: '受众',
  priority: '级别',
  publishAt: '定时发布',
  restrictionChange: '限行调整',
};
/** What is not the notice's content: left out of the reviewer's comparison. */
const BOOKKEEPING = [
  'id',
  'status',
  'version',
  'createdBy',
  'editedBy',
  'createdAt',
  'updatedAt',
  'submittedAt',
  'approvedBy',
  'approvedAt',
  'publishedBy',
  'publishedAt',
  'directPublish',
  'rejection',
  'withdrawal',
  'suspensionId',
  'allowedActions',
];

interface FormValues {
  kind: string;
  title: string;
  body: string;
  shortBody: string;
  city: string;
  areas: string[];
  window: [Dayjs | null, Dayjs | null];
  channels: string[];
  audienceType: string;
  tails: number[];
  priority: string;
  publishAt: Dayjs | null;
  changeType?: 'none' | 'suspension' | 'resumption';
  changeFrom?: Dayjs | null;
  changeTo?: Dayjs | null;
  changeReason?: string;
  suspensionId?: string;
  resumeOn?: Dayjs | null;
}

const day = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : null);

function toBody(v: FormValues): NewNotice {
  const restrictionChange: NewNotice['restrictionChange'] =
    v.kind !== 'restriction-change' || !v.changeType || v.changeType === 'none'
      ? null
      : v.changeType === 'suspension'
        ? {
            type: 'suspension',
            from: day(v.changeFrom) ?? '',
            to: day(v.changeTo),
            reason: v.changeReason ?? '',
          }
        : { type: 'resumption', suspensionId: v.suspensionId ?? '', on: day(v.resumeOn) ?? '' };
  return {
    kind: v.kind as NewNotice['kind'],
    title: v.title ?? '',
    body: v.body ?? '',
    shortBody: v.shortBody ?? '',
    city: v.city,
    areas: v.areas ?? [],
    effectiveFrom: v.window?.[0]?.format() ?? '',
    effectiveTo: v.window?.[1]?.format() ?? null,
    channels: (v.channels ?? []) as NewNotice['channels'],
    audience:
      v.audienceType === 'tails'
        ? { type: 'tails', tails: v.tails ?? [] }
        : ({ type: v.audienceType } as NewNotice['audience']),
    priority: v.priority as NewNotice['priority'],
    publishAt: v.publishAt ? v.publishAt.format() : null,
    restrictionChange,
  };
}

function toValues(n: AdminNotice): FormValues {
  const rc = n.restrictionChange;
  return {
    kind: n.kind,
    title: n.title,
    body: n.body,
    shortBody: n.shortBody,
    city: n.city,
    areas: n.areas,
    window: [dayjs(n.effectiveFrom), n.effectiveTo ? dayjs(n.effectiveTo) : null],
    channels: n.channels,
    audienceType: n.audience.type,
    tails: n.audience.type === 'tails' ? n.audience.tails : [],
    priority: n.priority,
    publishAt: n.publishAt ? dayjs(n.publishAt) : null,
    changeType: rc ? rc.type : 'none',
    changeFrom: rc?.type === 'suspension' ? dayjs(rc.from) : null,
    changeTo: rc?.type === 'suspension' && rc.to ? dayjs(rc.to) : null,
    changeReason: rc?.type === 'suspension' ? rc.reason : '',
    suspensionId: rc?.type === 'resumption' ? rc.suspensionId : '',
    resumeOn: rc?.type === 'resumption' ? dayjs(rc.on) : null,
  };
}

const previewOf = (v: Partial<FormValues>): PreviewFields => ({
  kind: v.kind ?? 'general',
  title: v.title ?? '',
  body: v.body ?? '',
  shortBody: v.shortBody ?? '',
  city: v.city ?? 'beijing',
  areas: v.areas ?? [],
  effectiveFrom: v.window?.[0]?.toISOString() ?? null,
  effectiveTo: v.window?.[1]?.toISOString() ?? null,
  channels: v.channels ?? [],
  priority: v.priority ?? 'routine',
});

/** Where the API names a field: our form's field (window covers both effective times). */
const FORM_FIELD: Record<string, string> = {
  effectiveFrom: 'window',
  effectiveTo: 'window',
  audience: 'audienceType',
  'audience.tails': 'tails',
  restrictionChange: 'changeType',
};

function NoticeForm({ notice, readOnly }: { notice?: AdminNotice; readOnly?: boolean }) {
  const { api } = useConsole();
  const qc = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const values = Form.useWatch([], form) as Partial<FormValues> | undefined;
  const [problem, setProblem] = useState<ApiError | null>(null);
  useEffect(() => {
    if (notice) form.setFieldsValue(toValues(notice));
  }, [notice, form]);
  const save = useMutation({
    mutationFn: async (v: FormValues) => {
      const body = toBody(v);
      if (!notice) return call(api.POST('/v1/admin/notices', { body }));
      // Only what the editor changed (an instant respelled by the date picker is no change).
      const changed = Object.fromEntries(
        Object.entries(body).filter(([k, v]) => !sameValue(v, (notice as Record<string, unknown>)[k])),
      );
      return call(
        api.PATCH('/v1/admin/notices/{id}', {
          params: { path: { id: notice.id } },
          body: { version: notice.version, ...changed },
        }),
      );
    },
    onSuccess: (n) => {
      setProblem(null);
      qc.invalidateQueries({ queryKey: ['notices'] });
      qc.setQueryData(['notice', n.id], n);
      navigate(`notices/${n.id}`);
    },
    onError: (e) => {
      if (!(e instanceof ApiError)) return;
      setProblem(e);
      form.setFields(
        e.fieldErrors().map((f) => {
          const key = f.name.join('.');
          const name = FORM_FIELD[key] ?? FORM_FIELD[String(f.name[0])] ?? f.name[0];
          return { name: name as keyof FormValues, errors: f.errors };
        }),
      );
    },
  });
  const kind = values?.kind;
  const audienceType = values?.audienceType;
  const changeType = values?.changeType;
  return (
    <Row gutter={24}>
      <Col xs={24} xl={13}>
        <Form<FormValues>
          form={form}
          layout="vertical"
          disabled={readOnly}
          initialValues={{
            kind: 'traffic-control',
            city: 'beijing',
            areas: [],
            channels: ['feed', 'wechat'],
            audienceType: 'bound-in-city',
            priority: 'routine',
            publishAt: null,
            changeType: 'none',
          }}
          onFinish={(v) => save.mutate(v)}
        >
          {problem ? (
            <Alert
              type="error"
              showIcon
              message={problem.problem.detail}
              style={{ marginBottom: 16 }}
              role="alert"
            />
          ) : null}
          <Row gutter={12}>
            <Col span={8}>
              <Form.Item name="kind" label="类型">
                <Select options={Object.entries(NOTICE_KIND).map(([value, label]) => ({ value, label }))} />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="city" label="城市">
                <Select options={Object.entries(CITY).map(([value, label]) => ({ value, label }))} />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="priority" label="级别">
                <Radio.Group
                  options={[
                    { value: 'routine', label: '常规' },
                    { value: 'emergency', label: '紧急' },
                  ]}
                />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item name="title" label="标题">
            <Input maxLength={64} showCount />
          </Form.Item>
          <Form.Item name="shortBody" label="摘要（模板消息和短信使用）">
            <Input maxLength={140} showCount />
          </Form.Item>
          <Form.Item name="body" label="正文">
            <Input.TextArea rows={5} maxLength={2000} showCount />
          </Form.Item>
          <Form.Item name="areas" label="区域/道路">
            <Select mode="tags" tokenSeparators={[',', '，', '、']} placeholder="输入后回车" />
          </Form.Item>
          <Form.Item name="window" label="生效时间（结束可不填）">
            <DatePicker.RangePicker showTime allowEmpty={[false, true]} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="channels" label="渠道">
            <Checkbox.Group options={Object.entries(CHANNEL).map(([value, label]) => ({ value, label }))} />
          </Form.Item>
          <Form.Item name="audienceType" label="受众">
            <Radio.Group options={Object.entries(AUDIENCE).map(([value, label]) => ({ value, label }))} />
          </Form.Item>
          {audienceType === 'tails' ? (
            <Form.Item name="tails" label="尾号">
              <Select
                mode="multiple"
                options={Array.from({ length: 10 }, (_, i) => ({ value: i, label: String(i) }))}
              />
            </Form.Item>
          ) : null}
          {kind === 'restriction-change' ? (
            <Card size="small" title="限行调整（发布时写入限行数据）" style={{ marginBottom: 16 }}>
              <Form.Item name="changeType" label="调整">
                <Radio.Group
                  options={[
                    { value: 'none', label: '无' },
                    { value: 'suspension', label: '暂停限行' },
                    { value: 'resumption', label: '恢复限行' },
                  ]}
                />
              </Form.Item>
              {changeType === 'suspension' ? (
                <Space wrap>
                  <Form.Item name="changeFrom" label="自">
                    <DatePicker />
                  </Form.Item>
                  <Form.Item name="changeTo" label="至（可不填）">
                    <DatePicker />
                  </Form.Item>
                  <Form.Item name="changeReason" label="原因">
                    <Input />
                  </Form.Item>
                </Space>
              ) : changeType === 'resumption' ? (
                <Space wrap>
                  <Form.Item name="suspensionId" label="暂停记录编号">
                    <Input />
                  </Form.Item>
                  <Form.Item name="resumeOn" label="恢复日期">
                    <DatePicker />
                  </Form.Item>
                </Space>
              ) : null}
            </Card>
          ) : null}
          <Form.Item name="publishAt" label="定时发布（批准后到时自动发布；不填则由审核人发布）">
            <DatePicker showTime />
          </Form.Item>
          {readOnly ? null : (
            <Button type="primary" htmlType="submit" loading={save.isPending}>
              {notice ? '保存修改' : '保存草稿'}
            </Button>
          )}
        </Form>
      </Col>
      <Col xs={24} xl={11}>
        <Typography.Title level={2} style={{ fontSize: 16 }}>
          实时预览
        </Typography.Title>
        <NoticePreview fields={previewOf(values ?? {})} />
      </Col>
    </Row>
  );
}

function NoticeList() {
  const { api } = useConsole();
  const can = useCan();
  const [status, setStatus] = useState<string | undefined>();
  const [kind, setKind] = useState<string | undefined>();
  const [cityFilter, setCity] = useState<string | undefined>();
  const q = useQuery({
    queryKey: ['notices', status, kind],
    queryFn: () =>
      call(
        api.GET('/v1/admin/notices', {
          params: {
            query: {
              ...(status ? { status: status as 'draft' } : {}),
              ...(kind ? { kind: kind as 'general' } : {}),
            },
          },
        }),
      ),
  });
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          公告
        </Typography.Title>
        {can('POST /v1/admin/notices') ? (
          <Button type="primary" href={href('notices/new')}>
            新建公告
          </Button>
        ) : null}
      </Space>
      <Space wrap>
        <Select
          aria-label="状态"
          placeholder="状态"
          allowClear
          style={{ width: 140 }}
          value={status}
          onChange={setStatus}
          options={Object.entries(NOTICE_STATUS).map(([value, s]) => ({ value, label: s.text }))}
        />
        <Select
          aria-label="类型"
          placeholder="类型"
          allowClear
          style={{ width: 140 }}
          value={kind}
          onChange={setKind}
          options={Object.entries(NOTICE_KIND).map(([value, label]) => ({ value, label }))}
        />
        <Select
          aria-label="城市"
          placeholder="城市"
          allowClear
          style={{ width: 140 }}
          value={cityFilter}
          onChange={setCity}
          options={Object.entries(CITY).map(([value, label]) => ({ value, label }))}
        />
      </Space>
      <Loaded query={q}>
        {(d) => (
          <Table
            rowKey="id"
            dataSource={d.notices.filter((n) => !cityFilter || n.city === cityFilter)}
            columns={[
              {
                title: '标题',
                dataIndex: 'title',
                render: (t: string, n) => <a href={href(`notices/${n.id}`)}>{t}</a>,
              },
              { title: '类型', dataIndex: 'kind', render: (k: string) => NOTICE_KIND[k] ?? k },
              { title: '城市', dataIndex: 'city', render: city },
              {
                title: '状态',
                dataIndex: 'status',
                render: (s: string) => (
                  <Tag color={NOTICE_STATUS[s]?.color}>{NOTICE_STATUS[s]?.text ?? s}</Tag>
                ),
              },
              { title: '更新', dataIndex: 'updatedAt', render: time },
            ]}
          />
        )}
      </Loaded>
    </Space>
  );
}

function ServerPreview({ id }: { id: string }) {
  const { api } = useConsole();
  const q = useMutation({
    mutationFn: () => call(api.POST('/v1/admin/notices/{id}/preview', { params: { path: { id } } })),
  });
  return (
    <Card
      title="发布后会怎样（受众与频控，不发送）"
      extra={
        <Button onClick={() => q.mutate()} loading={q.isPending}>
          计算
        </Button>
      }
    >
      {q.error ? <ProblemAlert error={q.error} /> : null}
      {q.data ? (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Text>
            共 {q.data.audienceTotal} 人；预计发送时间 {time(q.data.sendAt)}
          </Typography.Text>
          <Table
            size="small"
            pagination={false}
            rowKey="channel"
            dataSource={Object.entries(q.data.channels).map(([channel, c]) => ({ channel, ...c }))}
            columns={[
              { title: '渠道', dataIndex: 'channel', render: (c: string) => CHANNEL[c] ?? c },
              { title: '受众', dataIndex: 'audience' },
              { title: '将发送', key: 'send', render: (_: unknown, c) => c.wouldBe.send },
              { title: '频控拦截', key: 'capped', render: (_: unknown, c) => c.wouldBe.capped },
              { title: '顺延', key: 'deferred', render: (_: unknown, c) => c.wouldBe.deferred },
              { title: '已触达', dataIndex: 'alreadyReached' },
              { title: '顺延至', dataIndex: 'deferredUntil', render: time },
            ]}
          />
          {q.data.note ? <Alert type="info" message={q.data.note} /> : null}
          {q.data.sms ? (
            <Typography.Text>
              短信：{q.data.sms.characters} 字，计费 {q.data.sms.parts} 条
            </Typography.Text>
          ) : null}
        </Space>
      ) : null}
    </Card>
  );
}

function ActionDialog({
  notice,
  action,
  onClose,
}: {
  notice: AdminNotice;
  action: Move | null;
  onClose: () => void;
}) {
  const { api } = useConsole();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ reason: string }>();
  const [problem, setProblem] = useState<ApiError | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new move starts with an empty form and no problem
  useEffect(() => {
    setProblem(null);
    form.resetFields();
  }, [action, form]);
  const run = useMutation({
    mutationFn: async (reason?: string) => {
      const path = { id: notice.id };
      switch (action) {
        case 'submit':
          return call(api.POST('/v1/admin/notices/{id}/submit', { params: { path }, body: {} }));
        case 'approve':
          return call(api.POST('/v1/admin/notices/{id}/approve', { params: { path }, body: {} }));
        case 'publish':
          return call(api.POST('/v1/admin/notices/{id}/publish', { params: { path }, body: {} }));
        case 'reject':
          return call(
            api.POST('/v1/admin/notices/{id}/reject', { params: { path }, body: { reason: reason ?? '' } }),
          );
        case 'withdraw':
          return call(
            api.POST('/v1/admin/notices/{id}/withdraw', { params: { path }, body: { reason: reason ?? '' } }),
          );
        default:
          throw new Error('no action');
      }
    },
    onSuccess: (n) => {
      qc.setQueryData(['notice', n.id], n);
      qc.invalidateQueries({ queryKey: ['notices'] });
      qc.invalidateQueries({ queryKey: ['approved', n.id] });
      onClose();
    },
    onError: (e) => {
      if (!(e instanceof ApiError)) return;
      setProblem(e);
      form.setFields(e.fieldErrors().map((f) => ({ name: f.name[0] as 'reason', errors: f.errors })));
    },
  });
  if (!action) return null;
  const needsReason = NEEDS_REASON.includes(action);
  return (
    <Modal
      open
      title={`${ACTION[action]}：${notice.title}`}
      okText={ACTION[action]}
      cancelText="取消"
      confirmLoading={run.isPending}
      onCancel={onClose}
      onOk={() => (needsReason ? form.submit() : run.mutate(undefined))}
    >
      {problem ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          message={problem.status === 403 ? `没有权限：${problem.problem.detail}` : problem.problem.detail}
          style={{ marginBottom: 12 }}
        />
      ) : null}
      {action === 'publish' ? (
        <Typography.Paragraph>
          发布后公告进入{notice.channels.map((c) => CHANNEL[c]).join('、')}，受众：
          {AUDIENCE[notice.audience.type]}（{city(notice.city)}
          ）。人数与频控见“发布后会怎样”。
        </Typography.Paragraph>
      ) : null}
      {needsReason ? (
        <Form form={form} layout="vertical" onFinish={(v) => run.mutate(v.reason)}>
          <Form.Item name="reason" label="原因">
            <Input.TextArea rows={3} maxLength={500} />
          </Form.Item>
        </Form>
      ) : (
        <Typography.Paragraph>确定{ACTION[action]}这条公告？</Typography.Paragraph>
      )}
    </Modal>
  );
}

function NoticeDetail({ id, requested }: { id: string; requested: Move | null }) {
  const { api } = useConsole();
  const can = useCan();
  const [action, setAction] = useState<Move | null>(requested);
  useEffect(() => setAction(requested), [requested]);
  const q = useQuery({
    queryKey: ['notice', id],
    queryFn: () => call(api.GET('/v1/admin/notices/{id}', { params: { path: { id } } })),
  });
  const approved = useQuery({
    queryKey: ['approved', id],
    queryFn: () => call(api.GET('/v1/admin/notices/{id}/approved', { params: { path: { id } } })),
  });
  return (
    <Loaded query={q}>
      {(n) => {
        const moves = MOVES.filter(
          (m) =>
            n.allowedActions.includes(m) &&
            can(`POST /v1/admin/notices/{id}/${m}` as 'POST /v1/admin/notices/{id}/approve'),
        );
        const editable = n.allowedActions.includes('edit') && can('PATCH /v1/admin/notices/{id}');
        const last = approved.data?.notice;
        return (
          <Space direction="vertical" size="large" style={{ width: '100%' }}>
            <Space wrap>
              <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
                {n.title}
              </Typography.Title>
              <Tag color={NOTICE_STATUS[n.status]?.color}>{NOTICE_STATUS[n.status]?.text}</Tag>
              <span>版本 {n.version}</span>
            </Space>
            <Space wrap aria-label="流程操作">
              {moves.map((m) => (
                <Button
                  key={m}
                  type={m === 'approve' || m === 'publish' ? 'primary' : 'default'}
                  danger={m === 'withdraw' || m === 'reject'}
                  onClick={() => setAction(m)}
                >
                  {ACTION[m]}
                </Button>
              ))}
              {moves.length === 0 ? (
                <Typography.Text type="secondary">您的角色在当前状态下没有可做的流程操作。</Typography.Text>
              ) : null}
            </Space>
            <Descriptions size="small" column={3} bordered>
              <Descriptions.Item label="起草">{n.createdBy}</Descriptions.Item>
              <Descriptions.Item label="批准">{n.approvedBy ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="发布">
                {n.publishedBy ? `${n.publishedBy} ${time(n.publishedAt)}` : '—'}
              </Descriptions.Item>
              <Descriptions.Item label="定时发布">{time(n.publishAt)}</Descriptions.Item>
              <Descriptions.Item label="驳回">
                {n.rejection ? `${n.rejection.by}：${n.rejection.reason}` : '—'}
              </Descriptions.Item>
              <Descriptions.Item label="撤回">
                {n.withdrawal ? `${n.withdrawal.by}：${n.withdrawal.reason}` : '—'}
              </Descriptions.Item>
            </Descriptions>
            {last && n.status !== 'published' && n.status !== 'withdrawn' ? (
              <Card
                title={`自上次批准（${approved.data?.approvedBy}，${time(approved.data?.approvedAt)}）以来的修改`}
              >
                <RecordDiff
                  before={last as Record<string, unknown>}
                  after={n as unknown as Record<string, unknown>}
                  ignore={BOOKKEEPING}
                  textFields={['title', 'body', 'shortBody']}
                  labels={FIELD_LABELS}
                />
              </Card>
            ) : null}
            <NoticeForm notice={n} readOnly={!editable} />
            <ServerPreview id={n.id} />
            <ActionDialog notice={n} action={action} onClose={() => setAction(null)} />
          </Space>
        );
      }}
    </Loaded>
  );
}

export default function Notices() {
  const { path, query } = useLocation();
  if (path[1] === 'new')
    return (
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          新建公告
        </Typography.Title>
        <NoticeForm />
      </Space>
    );
  if (path[1]) {
    const d = query.get('do');
    return <NoticeDetail id={path[1]} requested={MOVES.includes(d as Move) ? (d as Move) : null} />;
  }
  return <NoticeList />;
}
