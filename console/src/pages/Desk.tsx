/**
 * 诉求: the service desk. The lists per unit (new, mine, overdue, open, closed); a case with its
 * thread (what the citizen wrote, photos, voice with its recognition, locations; answers with how
 * each reached the citizen; internal notes), its history, the reply box with canned answers, assign,
 * transfer and close — each move based on the version read, so a colleague's move in between is a
 * 409 that says who did what, with the text kept for a retry. Cases taken on the hotline are
 * registered here. The API decides who may see and do what; the page offers what the roles may call
 * and what the case's status allows (allowedActions).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  Modal,
  Radio,
  Row,
  Segmented,
  Select,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { ApiError, call } from '../api/client.ts';
import type { paths } from '../api/schema';
import { useCan, useConsole } from '../app/context.tsx';
import { href, navigate, useLocation } from '../app/router.ts';
import { Loaded, ProblemAlert } from '../components/Loaded.tsx';
import {
  CASE_CATEGORY,
  CASE_CHANNEL,
  CASE_HISTORY,
  CASE_STATUS,
  DELIVERY_STATUS,
  DELIVERY_VIA,
  OVERDUE,
  SATISFACTION,
  time,
} from '../lib/labels.ts';

type Detail = paths['/v1/admin/desk/cases/{number}']['get']['responses'][200]['content']['application/json'];
export type DeskCase = Detail['case'];
type Message = Detail['messages'][number];
type HistoryEntry = Detail['history'][number];
type Units = paths['/v1/admin/desk/units']['get']['responses'][200]['content']['application/json'];
type NewCase = paths['/v1/admin/desk/cases']['post']['requestBody']['content']['application/json'];
type View = 'new' | 'mine' | 'overdue' | 'open' | 'closed';

const VIEWS: Array<{ value: View; label: string }> = [
  { value: 'new', label: '新诉求' },
  { value: 'mine', label: '我的' },
  { value: 'overdue', label: '超期' },
  { value: 'open', label: '处理中' },
  { value: 'closed', label: '已办结' },
];

export const unitsQuery = (api: ReturnType<typeof useConsole>['api']) => ({
  queryKey: ['desk-units'],
  queryFn: () => call(api.GET('/v1/admin/desk/units')),
  staleTime: 60_000,
});
export const unitName = (units: Units | undefined, id: string) =>
  units?.units.find((u) => u.id === id)?.name ?? id;

export function StatusTags({ c }: { c: DeskCase }) {
  return (
    <Space size={4} wrap>
      <Tag color={CASE_STATUS[c.status]?.color}>{CASE_STATUS[c.status]?.text ?? c.status}</Tag>
      {c.overdue ? <Tag color="error">{OVERDUE[c.overdue]}</Tag> : null}
      {c.escalatedAt ? <Tag color="warning">已督办</Tag> : null}
    </Space>
  );
}

/** A time in a table cell, kept on one line. */
export const When = ({ iso }: { iso: string | null }) => (
  <span style={{ whiteSpace: 'nowrap' }}>{time(iso)}</span>
);

/** The deadline a case must meet next: the first answer until there is one, then the resolution. */
export const nextDeadline = (c: DeskCase) =>
  c.status === 'closed' ? null : c.firstAnsweredAt ? c.resolutionDue : c.firstAnswerDue;

/** A 409's message in Chinese: who moved the case since it was read, and how (the API's detail as well). */
function conflictText(e: ApiError): string {
  const last = e.problem.lastChange as HistoryEntry | null | undefined;
  const who = last ? `${last.actor} 于 ${time(last.at)}${CASE_HISTORY[last.action] ?? last.action}` : '有人';
  return `该诉求在您打开后已有变化（${who}，现为版本 ${String(e.problem.currentVersion ?? '?')}）。请刷新后再操作，您输入的内容会保留。`;
}

function MoveProblem({ error, onReload }: { error: ApiError | null; onReload: () => void }) {
  if (!error) return null;
  if (error.status === 409)
    return (
      <Alert
        type="warning"
        role="alert"
        showIcon
        message={conflictText(error)}
        description={error.problem.detail}
        action={
          <Button size="small" onClick={onReload}>
            刷新
          </Button>
        }
        style={{ marginBottom: 12 }}
      />
    );
  return (
    <Alert
      type="error"
      role="alert"
      showIcon
      message={error.status === 403 ? `没有权限：${error.problem.detail}` : error.problem.detail}
      style={{ marginBottom: 12 }}
    />
  );
}

// The list ----------------------------------------------------------------------------------------

/** Whether the signed-in person works a unit's desk (the API's rule: supervisors and admin work all). */
function worksUnit(
  session: { sub: string; roles: readonly string[] },
  units: Units | undefined,
  unit: string,
) {
  if (session.roles.includes('admin') || session.roles.includes('supervisor')) return true;
  const u = units?.units.find((x) => x.id === unit);
  return !!u && (u.officers.includes(session.sub) || u.supervisors.includes(session.sub));
}

function NewCaseDialog({
  open,
  onClose,
  onElsewhere,
}: {
  open: boolean;
  onClose: () => void;
  /** Registered, and routed to a unit the officer does not work: they are told where it went. */
  onElsewhere: (c: DeskCase) => void;
}) {
  const { api, session } = useConsole();
  const qc = useQueryClient();
  const units = useQuery(unitsQuery(api)).data;
  const [form] = Form.useForm<NewCase>();
  const [problem, setProblem] = useState<ApiError | null>(null);
  const create = useMutation({
    mutationFn: (body: NewCase) =>
      call(
        api.POST('/v1/admin/desk/cases', {
          body: {
            ...body,
            ...(body.phone?.trim() ? { phone: body.phone.trim() } : { phone: undefined }),
            ...(body.area?.trim() ? { area: body.area.trim() } : { area: undefined }),
          },
        }),
      ),
    onSuccess: (d) => {
      qc.invalidateQueries({ queryKey: ['cases'] });
      form.resetFields();
      setProblem(null);
      onClose();
      if (worksUnit(session, units, d.case.unit)) {
        qc.setQueryData(['case', d.case.number], d);
        navigate(`desk/${d.case.number}`);
      } else onElsewhere(d.case);
    },
    onError: (e) => {
      if (!(e instanceof ApiError)) return;
      setProblem(e);
      form.setFields(e.fieldErrors().map((f) => ({ name: f.name[0] as keyof NewCase, errors: f.errors })));
    },
  });
  return (
    <Modal
      open={open}
      title="登记诉求（热线、网站）"
      okText="登记"
      cancelText="取消"
      confirmLoading={create.isPending}
      onCancel={onClose}
      onOk={() => form.submit()}
    >
      {problem ? <MoveProblem error={problem} onReload={() => setProblem(null)} /> : null}
      <Form<NewCase>
        form={form}
        layout="vertical"
        initialValues={{ channel: 'hotline', category: 'consultation' }}
        onFinish={(v) => create.mutate(v)}
      >
        <Form.Item name="channel" label="来源">
          <Radio.Group
            options={[
              { value: 'hotline', label: '热线' },
              { value: 'web', label: '网站' },
            ]}
          />
        </Form.Item>
        <Form.Item name="category" label="类别">
          <Select options={Object.entries(CASE_CATEGORY).map(([value, label]) => ({ value, label }))} />
        </Form.Item>
        <Form.Item name="text" label="诉求内容">
          <Input.TextArea rows={4} maxLength={2000} showCount />
        </Form.Item>
        <Form.Item
          name="phone"
          label="联系电话（答复以短信发送；不填则只能电话答复）"
          extra="号码加密保存，工作台不显示。"
        >
          <Input placeholder="13800138000" />
        </Form.Item>
        <Form.Item name="area" label="区域/路段（可不填）">
          <Input maxLength={40} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function CaseList() {
  const { api } = useConsole();
  const can = useCan();
  const { query } = useLocation();
  const view = (VIEWS.find((v) => v.value === query.get('view'))?.value ?? 'new') as View;
  const unit = query.get('unit') ?? undefined;
  const [registering, setRegistering] = useState(false);
  const [elsewhere, setElsewhere] = useState<DeskCase | null>(null);
  const units = useQuery(unitsQuery(api));
  const q = useQuery({
    queryKey: ['cases', view, unit],
    queryFn: () =>
      call(api.GET('/v1/admin/desk/cases', { params: { query: { view, ...(unit ? { unit } : {}) } } })),
    refetchInterval: 30_000,
  });
  const go = (next: { view?: View; unit?: string | undefined }) => {
    const v = next.view ?? view;
    const u = 'unit' in next ? next.unit : unit;
    navigate('desk', { view: v, ...(u ? { unit: u } : {}) });
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          诉求
        </Typography.Title>
        {can('POST /v1/admin/desk/cases') ? (
          <Button type="primary" onClick={() => setRegistering(true)}>
            登记诉求
          </Button>
        ) : null}
      </Space>
      <Space wrap>
        <Segmented<View> aria-label="视图" value={view} onChange={(v) => go({ view: v })} options={VIEWS} />
        <Select
          aria-label="承办单位"
          placeholder="全部单位"
          allowClear
          style={{ width: 180 }}
          value={unit}
          onChange={(u?: string) => go({ unit: u })}
          options={units.data?.units.map((u) => ({ value: u.id, label: u.name })) ?? []}
        />
      </Space>
      {elsewhere ? (
        <Alert
          type="success"
          role="status"
          showIcon
          closable
          onClose={() => setElsewhere(null)}
          message={`已登记诉求 ${elsewhere.number}，按分派规则转至${unitName(units.data, elsewhere.unit)}办理（首次答复期限 ${time(elsewhere.firstAnswerDue)}）。`}
        />
      ) : null}
      <Loaded query={q}>
        {(d) => (
          <Table
            rowKey="number"
            dataSource={d.cases}
            locale={{ emptyText: <Empty description="没有诉求" /> }}
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
              { title: '类别', dataIndex: 'category', render: (c: string) => CASE_CATEGORY[c] ?? c },
              { title: '渠道', dataIndex: 'channel', render: (c: string) => CASE_CHANNEL[c] ?? c },
              { title: '内容', dataIndex: 'subject' },
              { title: '承办单位', dataIndex: 'unit', render: (u: string) => unitName(units.data, u) },
              { title: '承办人', dataIndex: 'assignee', render: (a: string | null) => a ?? '—' },
              { title: '状态', key: 'status', render: (_: unknown, c) => <StatusTags c={c} /> },
              { title: '答复期限', key: 'due', render: (_: unknown, c) => <When iso={nextDeadline(c)} /> },
              { title: '登记时间', dataIndex: 'createdAt', render: (iso: string) => <When iso={iso} /> },
            ]}
          />
        )}
      </Loaded>
      <NewCaseDialog open={registering} onClose={() => setRegistering(false)} onElsewhere={setElsewhere} />
    </Space>
  );
}

// A case --------------------------------------------------------------------------------------------

function Attachment({ number, m }: { number: string; m: Message }) {
  const { api } = useConsole();
  const a = m.attachment!;
  const [wanted, setWanted] = useState(a.type === 'image');
  const content = useQuery({
    queryKey: ['attachment', number, a.id],
    enabled: wanted && a.state === 'stored',
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: () =>
      call(
        api.GET('/v1/admin/desk/cases/{number}/attachments/{attachmentId}', {
          params: { path: { number, attachmentId: a.id } },
        }),
      ),
  });
  if (a.type === 'location' && a.location)
    return (
      <Typography.Text>
        位置：{a.location.label || '（未命名）'}（{a.location.latitude.toFixed(5)}，
        {a.location.longitude.toFixed(5)}）
      </Typography.Text>
    );
  const what = a.type === 'image' ? '图片' : '语音';
  if (a.state === 'pending') return <Typography.Text type="secondary">{what}保存中…</Typography.Text>;
  if (a.state === 'refused')
    return <Typography.Text type="warning">{`${what}未保存：${a.reason ?? '原因不明'}`}</Typography.Text>;
  const data = content.data ? `data:${content.data.contentType};base64,${content.data.base64}` : null;
  return (
    <Space direction="vertical" size={4}>
      {a.type === 'voice' ? (
        <Typography.Text>语音识别：{a.recognition || '（无识别文字）'}</Typography.Text>
      ) : null}
      {content.error ? <ProblemAlert error={content.error} /> : null}
      {a.type === 'image' ? (
        data ? (
          <img
            src={data}
            alt={`群众发来的图片（${time(m.at)}）`}
            style={{ maxWidth: 320, maxHeight: 240, border: '1px solid #f0f0f0' }}
          />
        ) : (
          <Typography.Text role="status" type="secondary">
            图片加载中…
          </Typography.Text>
        )
      ) : data ? (
        <a href={data} download={`${number}-${a.id}.${a.contentType?.split('/')[1] ?? 'bin'}`}>
          下载录音（{Math.round((content.data?.bytes ?? 0) / 1024)} KB）
        </a>
      ) : (
        <Button size="small" onClick={() => setWanted(true)} loading={content.isFetching}>
          获取录音
        </Button>
      )}
    </Space>
  );
}

function Delivery({ m }: { m: Message }) {
  if (!m.delivery) return null;
  const d = m.delivery;
  const color = d.status === 'sent' ? 'green' : d.status === 'failed' ? 'red' : 'blue';
  return (
    <Tag color={color}>
      {`${DELIVERY_VIA[d.via] ?? d.via} · ${DELIVERY_STATUS[d.status] ?? d.status}${d.detail ? `：${d.detail}` : ''}`}
    </Tag>
  );
}

function Thread({ c, messages }: { c: DeskCase; messages: Message[] }) {
  const number = c.number;
  const who = (m: Message) =>
    m.from === 'citizen'
      ? '群众'
      : m.from === 'officer'
        ? `答复（${m.author ?? ''}）`
        : m.from === 'note'
          ? `内部备注（${m.author ?? ''}，不发给群众）`
          : m.delivery
            ? '系统'
            : `${CASE_CHANNEL[c.channel] ?? c.channel}登记内容`;
  const text = (m: Message) =>
    m.attachment?.type === 'voice' && m.text === m.attachment.recognition
      ? '' // the recognition, shown with the recording
      : m.from === 'system' && m.text === 'satisfaction'
        ? '（请群众评价：回复 1 满意、2 基本满意、3 不满意）'
        : m.text;
  return (
    <Card title="往来记录" data-testid="thread">
      <Space direction="vertical" style={{ width: '100%' }} size="middle">
        {messages.map((m) => (
          <div
            key={m.id}
            data-from={m.from}
            style={{
              borderLeft: `3px solid ${m.from === 'citizen' ? '#1f4e9c' : m.from === 'note' ? '#ad6800' : '#237804'}`,
              paddingLeft: 12,
              background: m.from === 'note' ? '#fffbe6' : undefined,
            }}
          >
            <Space size={8} wrap>
              <Typography.Text strong>{who(m)}</Typography.Text>
              <Typography.Text type="secondary">{time(m.at)}</Typography.Text>
              <Delivery m={m} />
            </Space>
            {text(m) ? (
              <Typography.Paragraph style={{ margin: '4px 0' }}>{text(m)}</Typography.Paragraph>
            ) : null}
            {m.attachment ? (
              <div style={{ marginTop: 4 }}>
                <Attachment number={number} m={m} />
              </div>
            ) : null}
          </div>
        ))}
      </Space>
    </Card>
  );
}

function historyDetail(h: HistoryEntry, units: Units | undefined): string {
  const d = h.detail as Record<string, unknown>;
  switch (h.action) {
    case 'open':
      return `${CASE_CHANNEL[String(d.channel)] ?? String(d.channel)}，${unitName(units, String(d.unit))}`;
    case 'assign':
      return `给 ${String(d.assignee)}`;
    case 'transfer':
      return `${unitName(units, String(d.from))} → ${unitName(units, String(d.to))}：${String(d.reason)}`;
    case 'close':
      return d.reason ? `原因：${String(d.reason)}` : '';
    case 'escalate':
      return `${OVERDUE[String(d.deadline)] ?? ''}${Array.isArray(d.supervisors) ? `，通知 ${d.supervisors.join('、')}` : ''}`;
    case 'rate':
      return SATISFACTION[Number(d.satisfaction)] ?? String(d.satisfaction);
    default:
      return '';
  }
}

function ReplyBox({
  c,
  answerable,
  onDone,
}: {
  c: DeskCase;
  /** Closed cases take internal notes only. */
  answerable: boolean;
  onDone: (d: Detail) => void;
}) {
  const { api } = useConsole();
  const can = useCan();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<ApiError | null>(null);
  const qc = useQueryClient();
  const canned = useQuery({
    queryKey: ['canned', c.category],
    queryFn: () => call(api.GET('/v1/admin/desk/canned', { params: { query: { category: c.category } } })),
    staleTime: 60_000,
  });
  const send = useMutation({
    mutationFn: (kind: 'answer' | 'note') => {
      const params = { path: { number: c.number } };
      const body = { version: c.version, text };
      return kind === 'answer'
        ? call(api.POST('/v1/admin/desk/cases/{number}/answer', { params, body }))
        : call(api.POST('/v1/admin/desk/cases/{number}/note', { params, body }));
    },
    onSuccess: (d) => {
      setText('');
      setProblem(null);
      onDone(d);
    },
    onError: (e) => setProblem(e instanceof ApiError ? e : null),
  });
  const mayAnswer = answerable && can('POST /v1/admin/desk/cases/{number}/answer');
  return (
    <Card title={answerable ? '答复群众' : '内部备注（已办结：不再答复）'} data-testid="reply-box">
      <MoveProblem
        error={problem}
        onReload={() => {
          setProblem(null);
          void qc.invalidateQueries({ queryKey: ['case', c.number] });
        }}
      />
      <Space direction="vertical" style={{ width: '100%' }}>
        {answerable ? (
          <Select
            aria-label="常用答复"
            placeholder="选择常用答复（可再修改）"
            style={{ width: 320 }}
            value={null}
            onChange={(id: string) => {
              const a = canned.data?.canned.find((x) => x.id === id);
              if (a) setText(a.text);
            }}
            options={canned.data?.canned.map((a) => ({ value: a.id, label: a.title })) ?? []}
          />
        ) : null}
        <Input.TextArea
          aria-label={answerable ? '答复内容' : '备注内容'}
          rows={4}
          maxLength={2000}
          showCount
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <Typography.Text type="secondary">
          {!answerable
            ? '备注只在工作台可见；群众在重开期限内再次留言会重新打开该诉求。'
            : c.channel === 'wechat'
              ? '微信：48 小时内互动过的群众收到客服消息，否则收到“您的留言有回复”通知，点开查看诉求页。'
              : c.channel === '12345'
                ? '答复回传 12345 平台。'
                : c.citizen
                  ? '以短信发送（计入短信预算）。'
                  : '该诉求没有可联系的渠道：答复只记录在案，请电话答复群众。'}
        </Typography.Text>
        <Space>
          {mayAnswer ? (
            <Button
              type="primary"
              disabled={!text.trim()}
              loading={send.isPending && send.variables === 'answer'}
              onClick={() => send.mutate('answer')}
            >
              发送答复
            </Button>
          ) : null}
          {can('POST /v1/admin/desk/cases/{number}/note') ? (
            <Button
              disabled={!text.trim()}
              loading={send.isPending && send.variables === 'note'}
              onClick={() => send.mutate('note')}
            >
              记为内部备注
            </Button>
          ) : null}
        </Space>
      </Space>
    </Card>
  );
}

type Dialog = 'transfer' | 'close' | null;

function MoveDialog({
  c,
  dialog,
  units,
  onClose,
  onDone,
}: {
  c: DeskCase;
  dialog: Dialog;
  units: Units | undefined;
  onClose: () => void;
  onDone: (d: Detail | null) => void;
}) {
  const { api } = useConsole();
  const { message } = AntApp.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ unit?: string; reason?: string }>();
  const [problem, setProblem] = useState<ApiError | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new move starts with an empty form and no problem
  useEffect(() => {
    setProblem(null);
    form.resetFields();
  }, [dialog, form]);
  const run = useMutation({
    mutationFn: async (v: { unit?: string; reason?: string }) => {
      const params = { path: { number: c.number } };
      const reason = v.reason?.trim() || undefined;
      if (dialog === 'transfer') {
        const moved = await call(
          api.POST('/v1/admin/desk/cases/{number}/transfer', {
            params,
            body: { version: c.version, unit: v.unit ?? '', reason: reason ?? '' },
          }),
        );
        // The case is the other unit's now: back to the list, saying where it went.
        void message.success(`诉求 ${c.number} 已转办至${unitName(units, moved.case.unit)}`);
        void qc.invalidateQueries({ queryKey: ['cases'] });
        qc.removeQueries({ queryKey: ['case', c.number] });
        navigate('desk');
        return 'transferred' as const;
      }
      return call(
        api.POST('/v1/admin/desk/cases/{number}/close', {
          params,
          body: { version: c.version, ...(reason ? { reason } : {}) },
        }),
      );
    },
    onSuccess: (d) => {
      onClose();
      if (d !== 'transferred') onDone(d);
    },
    onError: (e) => {
      if (!(e instanceof ApiError)) return;
      setProblem(e);
      form.setFields(e.fieldErrors().map((f) => ({ name: f.name[0] as 'reason', errors: f.errors })));
    },
  });
  if (!dialog) return null;
  const unanswered = !c.firstAnsweredAt;
  return (
    <Modal
      open
      title={dialog === 'transfer' ? `转办诉求 ${c.number}` : `办结诉求 ${c.number}`}
      okText={dialog === 'transfer' ? '转办' : '办结'}
      cancelText="取消"
      confirmLoading={run.isPending}
      onCancel={onClose}
      onOk={() => form.submit()}
    >
      <MoveProblem
        error={problem}
        onReload={() => {
          onClose();
          void qc.invalidateQueries({ queryKey: ['case', c.number] });
        }}
      />
      <Form form={form} layout="vertical" onFinish={(v) => run.mutate(v)}>
        {dialog === 'transfer' ? (
          <>
            <Form.Item name="unit" label="转至单位">
              <Select
                options={
                  units?.units.filter((u) => u.id !== c.unit).map((u) => ({ value: u.id, label: u.name })) ??
                  []
                }
              />
            </Form.Item>
            <Form.Item name="reason" label="转办理由">
              <Input.TextArea rows={2} maxLength={300} />
            </Form.Item>
            <Typography.Text type="secondary">转办后承办人清空，由新单位分派。</Typography.Text>
          </>
        ) : (
          <>
            <Typography.Paragraph>
              {c.citizen && c.channel !== '12345'
                ? '办结后会请群众评价（回复 1 至 3）。'
                : '该诉求没有可联系的渠道，办结后不发送评价。'}
            </Typography.Paragraph>
            <Form.Item
              name="reason"
              label={unanswered ? '办结原因（尚未答复，须填写：如重复诉求、群众撤回）' : '办结说明（可不填）'}
            >
              <Input.TextArea rows={2} maxLength={300} />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}

function Assign({
  c,
  units,
  onDone,
}: {
  c: DeskCase;
  units: Units | undefined;
  onDone: (d: Detail) => void;
}) {
  const { api, session } = useConsole();
  const qc = useQueryClient();
  const [problem, setProblem] = useState<ApiError | null>(null);
  const officers = units?.units.find((u) => u.id === c.unit)?.officers ?? [];
  const assign = useMutation({
    mutationFn: (assignee: string) =>
      call(
        api.POST('/v1/admin/desk/cases/{number}/assign', {
          params: { path: { number: c.number } },
          body: { version: c.version, assignee },
        }),
      ),
    onSuccess: (d) => {
      setProblem(null);
      onDone(d);
    },
    onError: (e) => setProblem(e instanceof ApiError ? e : null),
  });
  return (
    <Space direction="vertical">
      <MoveProblem
        error={problem}
        onReload={() => {
          setProblem(null);
          void qc.invalidateQueries({ queryKey: ['case', c.number] });
        }}
      />
      <Space>
        <Select
          aria-label="分派给"
          placeholder="分派给"
          style={{ width: 160 }}
          value={null}
          loading={assign.isPending}
          onChange={(a: string) => assign.mutate(a)}
          options={officers.map((o) => ({ value: o, label: o === session.sub ? `${o}（我）` : o }))}
        />
        {officers.includes(session.sub) && c.assignee !== session.sub ? (
          <Button onClick={() => assign.mutate(session.sub)} loading={assign.isPending}>
            我来办
          </Button>
        ) : null}
      </Space>
    </Space>
  );
}

function CaseDetail({ number }: { number: string }) {
  const { api } = useConsole();
  const can = useCan();
  const qc = useQueryClient();
  const [dialog, setDialog] = useState<Dialog>(null);
  const units = useQuery(unitsQuery(api)).data;
  const q = useQuery({
    queryKey: ['case', number],
    queryFn: () => call(api.GET('/v1/admin/desk/cases/{number}', { params: { path: { number } } })),
    // Answers are delivered after the move: their delivery state settles within seconds.
    refetchInterval: (query) =>
      query.state.data?.messages.some(
        (m) => m.delivery?.status === 'pending' || m.attachment?.state === 'pending',
      )
        ? 2_000
        : 30_000,
  });
  const moved = (d: Detail | null) => {
    if (d) qc.setQueryData(['case', number], d);
    else void qc.invalidateQueries({ queryKey: ['case', number] });
    void qc.invalidateQueries({ queryKey: ['cases'] });
  };
  return (
    <Loaded query={q}>
      {(d) => {
        const c = d.case;
        const allows = (a: Detail['allowedActions'][number]) => d.allowedActions.includes(a);
        return (
          <Space direction="vertical" size="large" style={{ width: '100%' }}>
            <Space wrap>
              <a href={href('desk')}>← 诉求列表</a>
              <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
                诉求 {c.number}
              </Typography.Title>
              <Tag>{CASE_CATEGORY[c.category]}</Tag>
              <StatusTags c={c} />
              <span>版本 {c.version}</span>
            </Space>
            <Space wrap role="group" aria-label="办理操作">
              {allows('assign') && can('POST /v1/admin/desk/cases/{number}/assign') ? (
                <Assign c={c} units={units} onDone={moved} />
              ) : null}
              {allows('transfer') && can('POST /v1/admin/desk/cases/{number}/transfer') ? (
                <Button onClick={() => setDialog('transfer')}>转办</Button>
              ) : null}
              {allows('close') && can('POST /v1/admin/desk/cases/{number}/close') ? (
                <Button danger onClick={() => setDialog('close')}>
                  办结
                </Button>
              ) : null}
            </Space>
            <Descriptions size="small" bordered column={{ xs: 1, md: 2, xl: 3 }}>
              <Descriptions.Item label="渠道">{CASE_CHANNEL[c.channel] ?? c.channel}</Descriptions.Item>
              <Descriptions.Item label="群众">
                {c.citizen
                  ? `${c.citizen.channel === 'wechat' ? '微信' : '短信'} ${c.citizen.id}`
                  : '无（未留联系方式）'}
              </Descriptions.Item>
              <Descriptions.Item label="区域/路段">{c.area ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="承办单位">{unitName(units, c.unit)}</Descriptions.Item>
              <Descriptions.Item label="承办人">{c.assignee ?? '未分派'}</Descriptions.Item>
              <Descriptions.Item label="12345 工单">{c.externalId ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="首次答复期限">{time(c.firstAnswerDue)}</Descriptions.Item>
              <Descriptions.Item label="首次答复">{time(c.firstAnsweredAt)}</Descriptions.Item>
              <Descriptions.Item label="办结期限">{time(c.resolutionDue)}</Descriptions.Item>
              <Descriptions.Item label="办结">{time(c.closedAt)}</Descriptions.Item>
              <Descriptions.Item label="督办">
                {c.escalatedAt ? `${time(c.escalatedAt)}（${OVERDUE[c.escalation ?? ''] ?? ''}）` : '—'}
              </Descriptions.Item>
              <Descriptions.Item label="满意度">
                {c.satisfaction ? SATISFACTION[c.satisfaction] : c.satisfactionAskedAt ? '待评价' : '—'}
              </Descriptions.Item>
              <Descriptions.Item label="保留至">
                {time(new Date(c.expiresAt * 1000).toISOString())}
              </Descriptions.Item>
            </Descriptions>
            <Row gutter={24}>
              <Col xs={24} xl={15}>
                <Space direction="vertical" size="large" style={{ width: '100%' }}>
                  <Thread c={c} messages={d.messages} />
                  {allows('reply') || allows('note') ? (
                    <ReplyBox c={c} answerable={allows('reply')} onDone={moved} />
                  ) : null}
                </Space>
              </Col>
              <Col xs={24} xl={9}>
                <Card title="办理记录" data-testid="history">
                  <Timeline
                    items={d.history.map((h) => ({
                      key: `${h.at}${h.action}`,
                      children: (
                        <Space direction="vertical" size={0}>
                          <Typography.Text>
                            {CASE_HISTORY[h.action] ?? h.action} · {h.actor}
                          </Typography.Text>
                          <Typography.Text type="secondary">{time(h.at)}</Typography.Text>
                          {historyDetail(h, units) ? (
                            <Typography.Text>{historyDetail(h, units)}</Typography.Text>
                          ) : null}
                        </Space>
                      ),
                    }))}
                  />
                </Card>
              </Col>
            </Row>
            <MoveDialog c={c} dialog={dialog} units={units} onClose={() => setDialog(null)} onDone={moved} />
          </Space>
        );
      }}
    </Loaded>
  );
}

export default function Desk() {
  const { path } = useLocation();
  if (path[1]) return <CaseDetail key={path[1]} number={path[1]} />;
  return <CaseList />;
}
