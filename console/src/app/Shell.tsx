/** The frame: a menu of the pages the signed-in roles may use, the signed-in person, the page. */
import { Button, Layout, Menu, Space, Spin, Tag, Typography } from 'antd';
import { lazy, type ReactNode, Suspense } from 'react';
import type { AdminRouteKey } from '../api/roles.gen.ts';
import { PageBoundary } from '../components/PageBoundary.tsx';
import { ROLE } from '../lib/labels.ts';
import { useCan, useConsole } from './context.tsx';
import { href, useLocation } from './router.ts';

const pages: Array<{
  key: string;
  label: string;
  /** The routes the page reads first: no role for any of them, no page in the menu. */
  needs?: AdminRouteKey | readonly AdminRouteKey[];
  page: ReturnType<typeof lazy>;
}> = [
  { key: 'today', label: '今日', page: lazy(() => import('../pages/Today.tsx')) },
  {
    key: 'notices',
    label: '公告',
    needs: 'GET /v1/admin/notices',
    page: lazy(() => import('../pages/Notices.tsx')),
  },
  {
    key: 'pushes',
    label: '推送',
    needs: 'GET /v1/admin/pushes',
    page: lazy(() => import('../pages/Pushes.tsx')),
  },
  {
    key: 'desk',
    label: '诉求',
    needs: 'GET /v1/admin/desk/cases',
    page: lazy(() => import('../pages/Desk.tsx')),
  },
  {
    key: 'supervision',
    label: '督办',
    needs: 'GET /v1/admin/desk/overdue',
    page: lazy(() => import('../pages/Supervision.tsx')),
  },
  {
    key: 'restrictions',
    label: '限行数据',
    needs: 'GET /v1/admin/restriction-data',
    page: lazy(() => import('../pages/RestrictionData.tsx')),
  },
  {
    key: 'stats',
    label: '统计',
    needs: ['GET /v1/admin/stats', 'GET /v1/admin/desk/measures'],
    page: lazy(() => import('../pages/Stats.tsx')),
  },
  {
    key: 'subscribers',
    label: '粉丝',
    needs: 'GET /v1/admin/subscribers',
    page: lazy(() => import('../pages/Subscribers.tsx')),
  },
  {
    key: 'drivers',
    label: '车主',
    needs: 'GET /v1/admin/drivers/vehicles/{plate}',
    page: lazy(() => import('../pages/Drivers.tsx')),
  },
  {
    key: 'content',
    label: '内容',
    needs: 'GET /v1/admin/content/{name}',
    page: lazy(() => import('../pages/Content.tsx')),
  },
  {
    key: 'audit',
    label: '审计',
    needs: 'GET /v1/admin/audit',
    page: lazy(() => import('../pages/Audit.tsx')),
  },
  {
    key: 'settings',
    label: '设置',
    needs: 'GET /v1/admin/policies/frequency',
    page: lazy(() => import('../pages/Settings.tsx')),
  },
];

export function Shell() {
  const { session, config, signOut } = useConsole();
  const can = useCan();
  const { path } = useLocation();
  const visible = pages.filter((p) => !p.needs || [p.needs].flat().some((route) => can(route)));
  const current = visible.find((p) => p.key === (path[0] ?? 'today'));
  let content: ReactNode;
  if (current) {
    const Page = current.page;
    content = <Page />;
  } else
    content = (
      <Typography.Paragraph role="alert">
        这个页面不存在，或您的角色不能使用。<a href={href('today')}>回到今日</a>
      </Typography.Paragraph>
    );
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={0} theme="light" width={180}>
        <div style={{ padding: '16px 20px', fontWeight: 600, color: '#1f4e9c' }}>交警消息工作台</div>
        <nav aria-label="页面">
          <Menu
            mode="inline"
            selectedKeys={current ? [current.key] : []}
            items={visible.map((p) => ({ key: p.key, label: <a href={href(p.key)}>{p.label}</a> }))}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            display: 'flex',
            justifyContent: 'flex-end',
            alignItems: 'center',
            paddingInline: 24,
            borderBottom: '1px solid #f0f0f0',
          }}
        >
          <Space>
            <Tag color={config.stage === 'local' ? 'orange' : 'blue'}>{config.stage}</Tag>
            <span>{session.name}</span>
            {session.roles.map((r) => (
              <Tag key={r}>{ROLE[r] ?? r}</Tag>
            ))}
            <Button onClick={signOut}>退出</Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <PageBoundary page={path.join('/')}>
            <Suspense fallback={<Spin aria-label="加载中" />}>{content}</Suspense>
          </PageBoundary>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
