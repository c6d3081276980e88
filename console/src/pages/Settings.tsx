/** 设置: the frequency policy, edited with validation against the version read; the SMS budget. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Form,
  InputNumber,
  Row,
  Space,
  Statistic,
  Switch,
  TimePicker,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { ApiError, call } from '../api/client.ts';
import type { paths } from '../api/schema';
import { useCan, useConsole } from '../app/context.tsx';
import { Loaded } from '../components/Loaded.tsx';
import { CHANNEL, fen } from '../lib/labels.ts';

type Versioned =
  paths['/v1/admin/policies/frequency']['get']['responses'][200]['content']['application/json'];
type Policy = Versioned['policy'];
type ChannelPolicy = Policy['channels']['wechat'];
interface ChannelForm {
  perDay: ChannelPolicy['perDay'];
  routinePer7Days: number;
  quiet: boolean;
  quietFrom: Dayjs | null;
  quietTo: Dayjs | null;
}

const toForm = (c: ChannelPolicy): ChannelForm => ({
  perDay: c.perDay,
  routinePer7Days: c.routinePer7Days,
  quiet: c.quietHours !== null,
  quietFrom: c.quietHours ? dayjs(c.quietHours.from, 'HH:mm') : null,
  quietTo: c.quietHours ? dayjs(c.quietHours.to, 'HH:mm') : null,
});
const fromForm = (base: ChannelPolicy, f: ChannelForm): ChannelPolicy => ({
  ...base,
  perDay: f.perDay,
  routinePer7Days: f.routinePer7Days,
  quietHours: f.quiet
    ? { from: f.quietFrom?.format('HH:mm') ?? '', to: f.quietTo?.format('HH:mm') ?? '' }
    : null,
});

function PolicyForm({ current }: { current: Versioned }) {
  const { api } = useConsole();
  const can = useCan();
  const qc = useQueryClient();
  const [form] = Form.useForm<Record<'wechat' | 'sms', ChannelForm>>();
  const [problem, setProblem] = useState<ApiError | null>(null);
  useEffect(() => {
    form.setFieldsValue({
      wechat: toForm(current.policy.channels.wechat),
      sms: toForm(current.policy.channels.sms),
    });
  }, [current, form]);
  const save = useMutation({
    mutationFn: (v: Record<'wechat' | 'sms', ChannelForm>) =>
      call(
        api.PUT('/v1/admin/policies/frequency', {
          body: {
            version: current.version,
            policy: {
              ...current.policy,
              channels: {
                wechat: fromForm(current.policy.channels.wechat, v.wechat),
                sms: fromForm(current.policy.channels.sms, v.sms),
              },
            },
          },
        }),
      ),
    onSuccess: (saved) => {
      setProblem(null);
      qc.setQueryData(['policy'], saved);
    },
    onError: (e) => {
      if (!(e instanceof ApiError)) return;
      setProblem(e);
      form.setFields(
        e.fieldErrors().flatMap((f) => {
          // body.policy.channels.wechat.perDay.routine → wechat.perDay.routine; quietHours.* → quietFrom
          const [p0, p1, ch, ...rest] = f.name;
          if (p0 !== 'policy' || p1 !== 'channels') return [];
          const field = rest[0] === 'quietHours' ? ['quietFrom'] : rest;
          return [{ name: [ch, ...field] as never, errors: f.errors }];
        }),
      );
    },
  });
  const editable = can('PUT /v1/admin/policies/frequency');
  return (
    <Form form={form} layout="vertical" disabled={!editable} onFinish={(v) => save.mutate(v)}>
      {problem ? (
        <Alert
          type="error"
          role="alert"
          showIcon
          message={problem.problem.detail}
          style={{ marginBottom: 12 }}
        />
      ) : null}
      <Row gutter={16}>
        {(['wechat', 'sms'] as const).map((ch) => (
          <Col key={ch} xs={24} md={12}>
            <Card size="small" title={CHANNEL[ch]}>
              <Space wrap>
                <Form.Item name={[ch, 'perDay', 'restriction']} label="限行提醒/天">
                  <InputNumber min={0} />
                </Form.Item>
                <Form.Item name={[ch, 'perDay', 'routine']} label="常规推送/天">
                  <InputNumber min={0} />
                </Form.Item>
                <Form.Item name={[ch, 'perDay', 'emergency']} label="紧急/天">
                  <InputNumber min={0} />
                </Form.Item>
                <Form.Item name={[ch, 'routinePer7Days']} label="常规推送/7天">
                  <InputNumber min={0} />
                </Form.Item>
              </Space>
              <Space wrap>
                <Form.Item name={[ch, 'quiet']} label="静默时段" valuePropName="checked">
                  <Switch />
                </Form.Item>
                <Form.Item name={[ch, 'quietFrom']} label="自">
                  <TimePicker format="HH:mm" />
                </Form.Item>
                <Form.Item name={[ch, 'quietTo']} label="至">
                  <TimePicker format="HH:mm" />
                </Form.Item>
              </Space>
            </Card>
          </Col>
        ))}
      </Row>
      {editable ? (
        <Button type="primary" htmlType="submit" loading={save.isPending} style={{ marginTop: 12 }}>
          保存（基于版本 {current.version}）
        </Button>
      ) : null}
    </Form>
  );
}

export default function Settings() {
  const { api } = useConsole();
  const policy = useQuery({
    queryKey: ['policy'],
    queryFn: () => call(api.GET('/v1/admin/policies/frequency')),
  });
  const budget = useQuery({
    queryKey: ['sms-budget'],
    queryFn: () => call(api.GET('/v1/admin/sms/budget', {})),
  });
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        设置
      </Typography.Title>
      <Card title="频控策略（每个推送都经过它）">
        <Loaded query={policy}>{(p) => <PolicyForm current={p} />}</Loaded>
      </Card>
      <Card title="短信预算">
        <Loaded query={budget}>
          {(b) => (
            <Space size="large" wrap>
              <Statistic title={`本月（${b.month}）已用`} value={fen(b.spentFen)} />
              <Statistic title="上限" value={fen(b.ceilingFen)} />
              <Statistic title="剩余" value={fen(b.remainingFen)} />
              <Statistic title="每条计费" value={fen(b.pricePerPartFen)} />
              <Typography.Text type="secondary">
                预算上限是部署设置（SMS_MONTHLY_BUDGET_FEN，网关 {b.provider}），由部署修改，不在控制台修改。
              </Typography.Text>
            </Space>
          )}
        </Loaded>
      </Card>
    </Space>
  );
}
