/** 粉丝: find a follower by openid, plate or phone (masked unless admin): bindings, status, preferences, recent pushes. */
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Descriptions, Empty, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { ApiError, call } from '../api/client.ts';
import type { paths } from '../api/schema';
import { useConsole } from '../app/context.tsx';
import { Loaded, ProblemAlert } from '../components/Loaded.tsx';
import { fieldErrorOf, type Search, SearchForm } from '../components/SearchForm.tsx';
import { CHANNEL, city, outcome, time } from '../lib/labels.ts';

type View =
  paths['/v1/admin/subscribers/{channel}/{id}']['get']['responses'][200]['content']['application/json'];
type By = 'openid' | 'plate' | 'phone';

const STATUS: Record<string, string> = {
  active: '正常',
  unfollowed: '已取关',
  'opted-out': '已退订',
  blocked: '已拉黑',
};

function Subscriber({ s }: { s: View }) {
  return (
    <Card
      title={`${CHANNEL[s.channel] ?? s.channel} ${s.id}`}
      extra={s.masked ? <Tag>已脱敏</Tag> : <Tag color="red">未脱敏（管理员）</Tag>}
    >
      <Descriptions size="small" bordered column={3}>
        <Descriptions.Item label="状态">{STATUS[s.status] ?? s.status}</Descriptions.Item>
        <Descriptions.Item label="提醒">
          {s.reminders ? (s.slot === 'evening' ? '前一晚 20:00' : '当天限行开始前') : '已关闭'}
        </Descriptions.Item>
        <Descriptions.Item label="短信备用">{s.smsFallback ? '已绑定' : '无'}</Descriptions.Item>
        <Descriptions.Item label="关注">{time(s.followedAt)}</Descriptions.Item>
        <Descriptions.Item label="取关">{time(s.unfollowedAt)}</Descriptions.Item>
        <Descriptions.Item label="最近消息">{time(s.lastInboundAt)}</Descriptions.Item>
      </Descriptions>
      <Typography.Title level={3} style={{ fontSize: 15 }}>
        绑定车牌
      </Typography.Title>
      <Table
        size="small"
        pagination={false}
        rowKey="plate"
        dataSource={s.bindings}
        columns={[
          { title: '车牌', dataIndex: 'plate' },
          { title: '城市', dataIndex: 'city', render: city },
          { title: '尾号', dataIndex: 'tail' },
          { title: '新能源', dataIndex: 'nev', render: (n: boolean) => (n ? '是' : '否') },
          { title: '绑定时间', dataIndex: 'boundAt', render: time },
        ]}
      />
      <Typography.Title level={3} style={{ fontSize: 15 }}>
        最近推送（台账保留 9 天）
      </Typography.Title>
      <Table
        size="small"
        pagination={false}
        rowKey={(p) => `${p.date}${p.key}`}
        dataSource={s.recentPushes}
        locale={{ emptyText: '最近 9 天没有推送' }}
        columns={[
          { title: '日期', dataIndex: 'date' },
          { title: '推送', dataIndex: 'key' },
          {
            title: '结果',
            dataIndex: 'outcome',
            render: (o: string | null) =>
              o ? <Tag color="orange">{outcome(o)}</Tag> : <Tag color="green">已发出</Tag>,
          },
        ]}
      />
    </Card>
  );
}

export default function Subscribers() {
  const { api } = useConsole();
  const [search, setSearch] = useState<Search<By> | null>(null);
  const q = useQuery({
    queryKey: ['subscribers', search],
    enabled: !!search,
    queryFn: async () => {
      if (!search) return null;
      if (search.by === 'openid') {
        const one = await call(
          api.GET('/v1/admin/subscribers/{channel}/{id}', {
            params: { path: { channel: 'wechat', id: search.value } },
          }),
        ).catch((e: unknown) => {
          if (e instanceof ApiError && e.status === 404) return null;
          throw e;
        });
        return { searched: { by: 'openid', value: search.value }, subscribers: one ? [one] : [] };
      }
      return call(
        api.GET('/v1/admin/subscribers', {
          params: { query: search.by === 'plate' ? { plate: search.value } : { phone: search.value } },
        }),
      );
    },
  });
  const fieldError = fieldErrorOf(q.error);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        粉丝
      </Typography.Title>
      <SearchForm
        options={[
          { value: 'plate', label: '车牌' },
          { value: 'phone', label: '手机号' },
          { value: 'openid', label: 'openid' },
        ]}
        label="查找"
        placeholder="京A12345 / 13800138000 / openid"
        fieldError={fieldError}
        onSearch={setSearch}
      />
      {!search ? (
        <Typography.Text type="secondary">
          手机号只以加密摘要查找，不保存明文；非管理员看到的信息均已脱敏。
        </Typography.Text>
      ) : fieldError ? null : q.isError ? (
        <ProblemAlert error={q.error} onRetry={() => q.refetch()} />
      ) : (
        <Loaded query={q}>
          {(r) =>
            !r || r.subscribers.length === 0 ? (
              <Empty description="没有找到" />
            ) : (
              <Space direction="vertical" style={{ width: '100%' }}>
                <Alert
                  type="info"
                  message={`按${r.searched.by === 'plate' ? '车牌' : r.searched.by === 'phone' ? '手机号' : ' openid '} ${r.searched.value} 找到 ${r.subscribers.length} 个`}
                />
                {r.subscribers.map((s) => (
                  <Subscriber key={`${s.channel}${s.id}`} s={s} />
                ))}
              </Space>
            )
          }
        </Loaded>
      )}
    </Space>
  );
}
