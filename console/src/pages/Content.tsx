/**
 * 内容: the managed content the conversation and the desk read — the keyword replies (menu numbers),
 * the service information (windows and hours, rescue numbers, one-way streets, bus lines, the accident
 * guide) and the desk's configuration (units, routing rules, deadlines, canned answers). Each is one
 * JSON document, replaced whole based on the version read (a colleague's save in between is a 409),
 * validated by the API (its problem names each field), every version kept and audited.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Input, Segmented, Space, Table, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { ApiError, call } from '../api/client.ts';
import type { paths } from '../api/schema';
import { useCan, useConsole } from '../app/context.tsx';
import { navigate, useLocation } from '../app/router.ts';
import { Loaded } from '../components/Loaded.tsx';
import { time } from '../lib/labels.ts';

type Name = paths['/v1/admin/content/{name}']['get']['parameters']['path']['name'];
type Current = paths['/v1/admin/content/{name}']['get']['responses'][200]['content']['application/json'];

const NAMES: Array<{ value: Name; label: string; about: string }> = [
  {
    value: 'keywords',
    label: '关键词回复',
    about: '菜单数字与关键词的自动回复（对话在一分钟内读到新版本）。',
  },
  {
    value: 'service-info',
    label: '服务信息',
    about: '办事窗口和时间、救援电话、单行道、公交线路、事故处理指引：群众发送 keys 中的词即收到 text。',
  },
  {
    value: 'desk',
    label: '诉求配置',
    about:
      '承办单位及其民警、督办人，分派规则（类别、关键词、区域 → 单位），工作时间，各类别的答复与办结期限，常用答复。',
  },
];

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

function Editor({ name, current }: { name: Name; current: Current }) {
  const { api } = useConsole();
  const can = useCan();
  const qc = useQueryClient();
  const [text, setText] = useState(pretty(current.value));
  const [problem, setProblem] = useState<string | ApiError | null>(null);
  // A newer version read (after a save, a refresh): the editor starts from it.
  useEffect(() => {
    setText(pretty(current.value));
  }, [current]);
  const save = useMutation({
    mutationFn: async () => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw new Error(`不是有效的 JSON：${e instanceof Error ? e.message : String(e)}`);
      }
      return call(
        api.PUT('/v1/admin/content/{name}', {
          params: { path: { name } },
          body: { version: current.version, value },
        }),
      );
    },
    onSuccess: (saved) => {
      setProblem(null);
      qc.setQueryData(['content', name], saved);
      void qc.invalidateQueries({ queryKey: ['content-versions', name] });
    },
    onError: (e) => setProblem(e instanceof ApiError ? e : e instanceof Error ? e.message : String(e)),
  });
  const editable = can('PUT /v1/admin/content/{name}');
  const changed = text !== pretty(current.value);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Descriptions size="small" bordered column={3}>
        <Descriptions.Item label="版本">
          {current.version === 0 ? '0（随系统发布的初始版本）' : current.version}
        </Descriptions.Item>
        <Descriptions.Item label="保存人">{current.updatedBy ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="保存时间">{time(current.updatedAt)}</Descriptions.Item>
      </Descriptions>
      {typeof problem === 'string' ? <Alert type="error" role="alert" showIcon message={problem} /> : null}
      {problem instanceof ApiError ? (
        <Alert
          type={problem.status === 409 ? 'warning' : 'error'}
          role="alert"
          showIcon
          message={
            problem.status === 409
              ? `已有人保存了新版本（现为版本 ${String(problem.problem.currentVersion ?? '?')}）。刷新后再修改。`
              : problem.problem.detail
          }
          description={
            problem.status === 409 ? (
              problem.problem.detail
            ) : problem.problem.errors?.length ? (
              <ul style={{ margin: 0, paddingLeft: 20 }} data-testid="content-errors">
                {problem.problem.errors.map((e) => (
                  <li key={`${e.path}${e.message}`}>
                    <code>{e.path.replace(/^body\.value\.?/, '') || '（整体）'}</code>：{e.message}
                  </li>
                ))}
              </ul>
            ) : undefined
          }
          action={
            problem.status === 409 ? (
              <Button
                size="small"
                onClick={() => {
                  setProblem(null);
                  void qc.invalidateQueries({ queryKey: ['content', name] });
                }}
              >
                刷新
              </Button>
            ) : undefined
          }
        />
      ) : null}
      <Input.TextArea
        aria-label={`${NAMES.find((n) => n.value === name)?.label} JSON`}
        value={text}
        onChange={(e) => setText(e.target.value)}
        readOnly={!editable}
        autoSize={{ minRows: 12, maxRows: 32 }}
        style={{ fontFamily: 'monospace', fontSize: 13 }}
        spellCheck={false}
      />
      {editable ? (
        <Space>
          <Button type="primary" disabled={!changed} loading={save.isPending} onClick={() => save.mutate()}>
            保存为版本 {current.version + 1}
          </Button>
          <Button disabled={!changed} onClick={() => setText(pretty(current.value))}>
            放弃修改
          </Button>
        </Space>
      ) : null}
    </Space>
  );
}

function Versions({ name }: { name: Name }) {
  const { api } = useConsole();
  const q = useQuery({
    queryKey: ['content-versions', name],
    queryFn: () => call(api.GET('/v1/admin/content/{name}/versions', { params: { path: { name } } })),
  });
  return (
    <Card title="历史版本" size="small">
      <Loaded query={q}>
        {(d) => (
          <Table
            size="small"
            rowKey="version"
            pagination={{ pageSize: 10 }}
            dataSource={d.versions}
            locale={{
              emptyText: (
                <Typography.Text type="secondary">尚未保存过：使用随系统发布的初始版本</Typography.Text>
              ),
            }}
            columns={[
              { title: '版本', dataIndex: 'version' },
              { title: '保存时间', dataIndex: 'at', render: time },
              { title: '保存人', dataIndex: 'by' },
            ]}
          />
        )}
      </Loaded>
    </Card>
  );
}

export default function Content() {
  const { api } = useConsole();
  const { query } = useLocation();
  const name = (NAMES.find((n) => n.value === query.get('name'))?.value ?? 'keywords') as Name;
  const q = useQuery({
    queryKey: ['content', name],
    queryFn: () => call(api.GET('/v1/admin/content/{name}', { params: { path: { name } } })),
  });
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        内容
      </Typography.Title>
      <Segmented<Name>
        aria-label="内容"
        value={name}
        onChange={(n) => navigate('content', { name: n })}
        options={NAMES.map((n) => ({ value: n.value, label: n.label }))}
      />
      <Typography.Text type="secondary">{NAMES.find((n) => n.value === name)?.about}</Typography.Text>
      <Loaded query={q}>{(current) => <Editor key={name} name={name} current={current} />}</Loaded>
      <Versions name={name} />
    </Space>
  );
}
