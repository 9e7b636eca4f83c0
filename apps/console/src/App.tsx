import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { App as AntApp, Button, Layout, Menu, Space, Spin, Tag, Typography } from 'antd';
import {
  BarChartOutlined,
  CalendarOutlined,
  DashboardOutlined,
  FileSearchOutlined,
  LogoutOutlined,
  PhoneOutlined,
} from '@ant-design/icons';
import type { Role } from '@kapok/contracts';
import { get, saveSession, Session, setUnauthorizedHandler, User } from './api';
import { ROLE_LABELS } from './labels';
import { navigate, usePage } from './router';
import { beginSession, endSession, restoreSession, SessionContext } from './session';
import { LoginPage } from './pages/Login';
import { WorkspacePage } from './pages/Workspace';
import { FollowUpsPage } from './pages/FollowUps';
import { BoardPage } from './pages/Board';
import { RecordsPage } from './pages/Records';

// ECharts is large: the statistics page (its only user) loads on demand.
const StatsPage = lazy(() => import('./pages/Stats').then((m) => ({ default: m.StatsPage })));

interface NavItem {
  key: string;
  label: string;
  icon: React.ReactNode;
  roles: Role[];
}

const NAV: NavItem[] = [
  { key: 'workspace', label: '接线工作台', icon: <PhoneOutlined />, roles: ['operator'] },
  { key: 'follow-ups', label: '我的回访', icon: <CalendarOutlined />, roles: ['operator'] },
  {
    key: 'board',
    label: '实时看板',
    icon: <DashboardOutlined />,
    roles: ['coordinator', 'supervisor', 'manager', 'admin'],
  },
  {
    key: 'stats',
    label: '统计报表',
    icon: <BarChartOutlined />,
    roles: ['coordinator', 'supervisor', 'manager', 'admin'],
  },
  {
    key: 'records',
    label: '服务记录',
    icon: <FileSearchOutlined />,
    roles: ['operator', 'coordinator', 'supervisor', 'manager', 'admin'],
  },
];

/** Where each role lands after signing in. */
const HOME: Record<Role, string> = {
  operator: 'workspace',
  coordinator: 'board',
  supervisor: 'board',
  manager: 'stats',
  admin: 'board',
};

export function App() {
  const { message } = AntApp.useApp();
  const [session, setSession] = useState<Session | null>(restoreSession);
  const page = usePage();

  const signOut = useCallback(
    (reason?: string) => {
      endSession();
      setSession(null);
      navigate('login', true);
      if (reason) message.warning(reason);
    },
    [message],
  );

  useEffect(() => {
    setUnauthorizedHandler((message) => signOut(message ?? '登录已过期，请重新登录'));
  }, [signOut]);

  // The stored token may have expired while the tab was closed.
  useEffect(() => {
    if (!session) return;
    get<User>('/me')
      .then((user) => {
        const next = { ...session, user };
        saveSession(next);
        setSession(next);
      })
      .catch(() => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [session?.token]);

  const items = useMemo(() => (session ? NAV.filter((n) => n.roles.includes(session.user.role)) : []), [session]);
  const active = items.find((i) => i.key === page)?.key;

  useEffect(() => {
    if (session && !active) navigate(HOME[session.user.role], true);
    if (!session && page !== 'login') navigate('login', true);
  }, [session, active, page]);

  if (!session) {
    return (
      <LoginPage
        onSignedIn={(s) => {
          beginSession(s);
          setSession(s);
          navigate(HOME[s.user.role], true);
        }}
      />
    );
  }

  return (
    <SessionContext.Provider value={{ session, signOut }}>
      <Layout style={{ minHeight: '100vh' }}>
        <Layout.Sider width={200} theme="light" breakpoint="lg" collapsedWidth={64} className="kapok-sider">
          <div className="kapok-brand">
            <span className="kapok-brand-dot" />
            <span className="kapok-brand-text">红棉守护</span>
          </div>
          <Menu
            mode="inline"
            selectedKeys={active ? [active] : []}
            items={items.map((i) => ({ key: i.key, icon: i.icon, label: i.label }))}
            onClick={(e) => navigate(e.key)}
          />
        </Layout.Sider>
        <Layout>
          <Layout.Header className="kapok-header">
            <Typography.Text strong style={{ fontSize: 16 }}>
              {items.find((i) => i.key === active)?.label ?? ''}
            </Typography.Text>
            <Space size="middle">
              <span data-testid="current-user">{session.user.displayName}</span>
              <Tag color="red">{ROLE_LABELS[session.user.role] ?? session.user.role}</Tag>
              <Button icon={<LogoutOutlined />} onClick={() => signOut()}>
                退出登录
              </Button>
            </Space>
          </Layout.Header>
          <Layout.Content className="kapok-content">
            {active === 'workspace' && <WorkspacePage />}
            {active === 'follow-ups' && <FollowUpsPage />}
            {active === 'board' && <BoardPage />}
            {active === 'stats' && (
              <Suspense fallback={<Spin size="large" style={{ display: 'block', marginTop: 120 }} />}>
                <StatsPage />
              </Suspense>
            )}
            {active === 'records' && <RecordsPage />}
          </Layout.Content>
        </Layout>
      </Layout>
    </SessionContext.Provider>
  );
}
