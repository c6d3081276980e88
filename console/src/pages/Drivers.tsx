/**
 * 车主: what the platform told us about one vehicle (registry, verified owners, violations, due
 * dates) or what one follower proved they own — masked unless the signed-in person is an admin
 * (plates 京A***45, ids shortened; never a VIN, a file number or a hash).
 */
import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { call } from '../api/client.ts';
import type { paths } from '../api/schema';
import { useConsole } from '../app/context.tsx';
import { DRIVER_KIND } from '../components/DriverStats.tsx';
import { Loaded, ProblemAlert } from '../components/Loaded.tsx';
import { fieldErrorOf, type Search, SearchForm } from '../components/SearchForm.tsx';
import { CHANNEL, time } from '../lib/labels.ts';

type Vehicle =
  paths['/v1/admin/drivers/vehicles/{plate}']['get']['responses'][200]['content']['application/json'];
type Follower =
  paths['/v1/admin/drivers/followers/{channel}/{id}']['get']['responses'][200]['content']['application/json'];
type By = 'plate' | 'openid';

const STATE: Record<string, string> = { unprocessed: '未处理', processed: '已处理', paid: '已缴款' };
const METHOD: Record<string, string> = {
  vin: '车架号后6位',
  'file-number': '档案编号',
  'sms-code': '短信验证码',
};

/** A table's empty text as information (Ant Design greys it out below the contrast axe-core asks for). */
const Empty = ({ text }: { text: string }) => <Typography.Text>{text}</Typography.Text>;

const Masked = ({ masked }: { masked: boolean }) =>
  masked ? <Tag>已脱敏</Tag> : <Tag color="red">未脱敏（管理员）</Tag>;

function VehicleCard({ v }: { v: Vehicle }) {
  return (
    <Card title={`车辆 ${v.plate}`} extra={<Masked masked={v.masked} />}>
      <Descriptions size="small" bordered column={3}>
        <Descriptions.Item label="已登记">{v.registered ? '是' : '否'}</Descriptions.Item>
        <Descriptions.Item label="号牌种类">{v.plateTypes.join('、') || '—'}</Descriptions.Item>
        <Descriptions.Item label="登记手机">{v.registeredPhone ?? '无'}</Descriptions.Item>
      </Descriptions>
      <Typography.Title level={3} style={{ fontSize: 15 }}>
        验证过的车主
      </Typography.Title>
      <Table
        size="small"
        pagination={false}
        rowKey={(o) => `${o.channel}${o.id}`}
        dataSource={v.owners}
        locale={{ emptyText: <Empty text={'还没有人验证：提醒不会发给任何人'} /> }}
        columns={[
          { title: '渠道', dataIndex: 'channel', render: (c: string) => CHANNEL[c] ?? c },
          { title: '粉丝', dataIndex: 'id' },
          { title: '验证方式', dataIndex: 'method', render: (m: string) => METHOD[m] ?? m },
          { title: '验证时间', dataIndex: 'verifiedAt', render: time },
        ]}
      />
      <Typography.Title level={3} style={{ fontSize: 15 }}>
        违法记录
      </Typography.Title>
      <Table
        size="small"
        pagination={false}
        rowKey={(x) => `${x.time}${x.act}`}
        dataSource={v.violations}
        locale={{ emptyText: <Empty text={'没有违法记录'} /> }}
        columns={[
          { title: '时间', dataIndex: 'time', render: time },
          { title: '地点', dataIndex: 'place' },
          { title: '违法行为', dataIndex: 'act' },
          { title: '罚款（元）', dataIndex: 'fineYuan' },
          { title: '记分', dataIndex: 'points' },
          { title: '状态', dataIndex: 'state', render: (s: string) => STATE[s] ?? s },
          { title: '照片', dataIndex: 'photos', render: (n: number) => `${n} 张（仅链接）` },
        ]}
      />
      <Typography.Title level={3} style={{ fontSize: 15 }}>
        到期日
      </Typography.Title>
      <Table
        size="small"
        pagination={false}
        rowKey="kind"
        dataSource={v.due}
        locale={{ emptyText: <Empty text={'没有到期信息'} /> }}
        columns={[
          { title: '类型', dataIndex: 'kind', render: (k: string) => DRIVER_KIND[k] ?? k },
          { title: '日期', dataIndex: 'dueDate' },
        ]}
      />
    </Card>
  );
}

function FollowerCard({ f }: { f: Follower }) {
  return (
    <Card title={`${CHANNEL[f.channel] ?? f.channel} ${f.id}`} extra={<Masked masked={f.masked} />}>
      <Table
        size="small"
        pagination={false}
        rowKey={(x) => `${x.kind}${x.subject}`}
        dataSource={f.verified}
        locale={{ emptyText: <Empty text={'没有验证过车辆或驾驶证'} /> }}
        columns={[
          { title: '类型', dataIndex: 'kind', render: (k: string) => (k === 'vehicle' ? '车辆' : '驾驶证') },
          { title: '车牌 / 驾驶证', dataIndex: 'subject' },
          { title: '验证时间', dataIndex: 'verifiedAt', render: time },
        ]}
      />
    </Card>
  );
}

export default function Drivers() {
  const { api } = useConsole();
  const [search, setSearch] = useState<Search<By> | null>(null);
  const q = useQuery({
    queryKey: ['drivers', search],
    enabled: !!search,
    queryFn: async () =>
      !search
        ? null
        : search.by === 'plate'
          ? {
              follower: undefined,
              vehicle: await call(
                api.GET('/v1/admin/drivers/vehicles/{plate}', { params: { path: { plate: search.value } } }),
              ),
            }
          : {
              vehicle: undefined,
              follower: await call(
                api.GET('/v1/admin/drivers/followers/{channel}/{id}', {
                  params: { path: { channel: 'wechat', id: search.value } },
                }),
              ),
            },
  });
  const fieldError = fieldErrorOf(q.error);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        车主
      </Typography.Title>
      <SearchForm
        options={[
          { value: 'plate', label: '车牌' },
          { value: 'openid', label: 'openid' },
        ]}
        label="查找车主"
        placeholder="京A12345 / openid"
        fieldError={fieldError}
        onSearch={setSearch}
      />
      {!search ? (
        <Typography.Text type="secondary">
          只有验证过的车主收到违法、记分、年检等提醒；车架号和档案编号只以加盐摘要保存，这里从不显示。非管理员看到的信息均已脱敏。
        </Typography.Text>
      ) : fieldError ? null : q.isError ? (
        <ProblemAlert error={q.error} onRetry={() => q.refetch()} />
      ) : (
        <Loaded query={q}>
          {(r) =>
            r?.vehicle ? <VehicleCard v={r.vehicle} /> : r?.follower ? <FollowerCard f={r.follower} /> : null
          }
        </Loaded>
      )}
    </Space>
  );
}
