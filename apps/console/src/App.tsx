import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { App as AntApp, Button, Layout, Menu, type MenuProps, Space, Spin, Tag, Typography } from 'antd';
import {
  ApartmentOutlined,
  AuditOutlined,
  BarChartOutlined,
  CalendarOutlined,
  DashboardOutlined,
  EyeOutlined,
  FileSearchOutlined,
  KeyOutlined,
  LogoutOutlined,
  PhoneOutlined,
  ScheduleOutlined,
  SettingOutlined,
  TeamOutlined,
  UsbOutlined,
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
import { ChangePasswordModal, ForcedPasswordChange } from './pages/ChangePassword';
import type { ChangePasswordAnswer } from './password';

// ECharts is large: the statistics page (its only user) loads on demand.
const StatsPage = lazy(() => import('./pages/Stats').then((m) => ({ default: m.StatsPage })));
// The administration screens are for a few people: one chunk, loaded on demand.
const admin = () => import('./pages/admin');
const OrgUnitsPage = lazy(() => admin().then((m) => ({ default: m.OrgUnitsPage })));
const HotlinesPage = lazy(() => admin().then((m) => ({ default: m.HotlinesPage })));
const AccountsPage = lazy(() => admin().then((m) => ({ default: m.AccountsPage })));
const IntakeKeysPage = lazy(() => admin().then((m) => ({ default: m.IntakeKeysPage })));
const RostersPage = lazy(() => admin().then((m) => ({ default: m.RostersPage })));
const AuditLogPage = lazy(() => admin().then((m) => ({ default: m.AuditLogPage })));
const SupervisePage = lazy(() => import('./conversation/SupervisePage').then((m) => ({ default: m.SupervisePage })));

interface NavItem {
  key: string;
  label: string;
  icon: React.ReactNode;
  roles: Role[];
  /** Listed under 系统管理 (for those who see that group) rather than at the top. */
  group?: 'admin';
}

const ADMIN_GROUP = { key: 'admin', label: '系统管理', icon: <SettingOutlined /> };

const NAV: NavItem[] = [
  // supervisors too: they take the contacts transferred to a supervisor (conversation/TransferDialog.tsx)
  { key: 'workspace', label: '接线工作台', icon: <PhoneOutlined />, roles: ['operator', 'supervisor'] },
  { key: 'follow-ups', label: '我的回访', icon: <CalendarOutlined />, roles: ['operator'] },
  {
    key: 'board',
    label: '实时看板',
    icon: <DashboardOutlined />,
    roles: ['coordinator', 'supervisor', 'manager', 'admin'],
  },
  // a supervisor watches live text conversations of their stations and whispers to the social worker
  { key: 'supervise', label: '会话督导', icon: <EyeOutlined />, roles: ['supervisor'] },
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
  { key: 'org-units', label: '组织架构', icon: <ApartmentOutlined />, roles: ['admin'], group: 'admin' },
  { key: 'hotline-admin', label: '热线管理', icon: <PhoneOutlined />, roles: ['admin'], group: 'admin' },
  { key: 'accounts', label: '账号管理', icon: <TeamOutlined />, roles: ['admin'], group: 'admin' },
  { key: 'intake-keys', label: '接入密钥', icon: <UsbOutlined />, roles: ['admin'], group: 'admin' },
  {
    key: 'rosters',
    label: '排班与路由设置',
    icon: <ScheduleOutlined />,
    // the API lets coordinators change their stations' settings and rosters, the others read them
    roles: ['coordinator', 'supervisor', 'manager', 'admin'],
  },
  { key: 'audit-log', label: '操作日志', icon: <AuditOutlined />, roles: ['admin'], group: 'admin' },
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
  const [changingPassword, setChangingPassword] = useState(false);
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

  const role = session?.user.role;
  const items = useMemo(() => (role ? NAV.filter((n) => n.roles.includes(role)) : []), [role]);
  const active = items.find((i) => i.key === page)?.key;
  const mustChange = !!session?.mustChangePassword;

  useEffect(() => {
    if (mustChange) return; // the forced change is the only screen, whatever the address
    if (session && !active) navigate(HOME[session.user.role], true);
    if (!session && page !== 'login') navigate('login', true);
  }, [session, active, page, mustChange]);

  /** The password was changed: a new token replaces the old one when the server issued one. */
  const passwordChanged = useCallback(
    (answer: ChangePasswordAnswer) => {
      if (!session) return;
      const next: Session = { ...session, token: answer.accessToken ?? session.token, mustChangePassword: false };
      saveSession(next);
      setSession(next);
    },
    [session],
  );

  const menuItems = useMemo((): MenuProps['items'] => {
    // An admin sees the administration screens (and rosters) under 系统管理; others see what they have at the top.
    const grouped = role === 'admin' ? new Set(['admin']) : new Set<string>();
    const inGroup = (i: NavItem) => grouped.has(i.group ?? (i.key === 'rosters' ? 'admin' : ''));
    const top = items.filter((i) => !inGroup(i)).map((i) => ({ key: i.key, icon: i.icon, label: i.label }));
    const adminItems = items.filter(inGroup).map((i) => ({ key: i.key, icon: i.icon, label: i.label }));
    return adminItems.length ? [...top, { ...ADMIN_GROUP, children: adminItems }] : top;
  }, [items, role]);

  if (!session) {
    return (
      <LoginPage
        onSignedIn={(s) => {
          beginSession(s);
          setSession(s);
          if (!s.mustChangePassword) navigate(HOME[s.user.role], true);
        }}
      />
    );
  }

  if (mustChange) {
    return (
      <ForcedPasswordChange
        displayName={session.user.displayName}
        onSignOut={() => signOut()}
        onChanged={(answer) => {
          passwordChanged(answer);
          message.success('新密码已设置');
          navigate(HOME[session.user.role], true);
        }}
      />
    );
  }

  const lazyPage = (node: React.ReactNode) => (
    <Suspense fallback={<Spin size="large" style={{ display: 'block', marginTop: 120 }} />}>{node}</Suspense>
  );

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
            defaultOpenKeys={[ADMIN_GROUP.key]}
            items={menuItems}
            onClick={(e) => navigate(e.key)}
          />
        </Layout.Sider>
        <Layout>
          <Layout.Header className="kapok-header">
            <Typography.Text strong style={{ fontSize: 16 }}>
              {items.find((i) => i.key === active)?.label ?? ''}
            </Typography.Text>
            <Space size="middle" className="kapok-header-user">
              <span data-testid="current-user">{session.user.displayName}</span>
              <Tag color="red">{ROLE_LABELS[session.user.role] ?? session.user.role}</Tag>
              <Button
                icon={<KeyOutlined />}
                onClick={() => setChangingPassword(true)}
                data-testid="open-change-password"
              >
                <span className="kapok-header-btn-text">修改密码</span>
              </Button>
              <Button icon={<LogoutOutlined />} onClick={() => signOut()}>
                <span className="kapok-header-btn-text">退出登录</span>
              </Button>
            </Space>
          </Layout.Header>
          <Layout.Content className="kapok-content">
            {active === 'workspace' && <WorkspacePage />}
            {active === 'follow-ups' && <FollowUpsPage />}
            {active === 'board' && <BoardPage />}
            {active === 'supervise' && lazyPage(<SupervisePage />)}
            {active === 'stats' && lazyPage(<StatsPage />)}
            {active === 'records' && <RecordsPage />}
            {active === 'org-units' && lazyPage(<OrgUnitsPage />)}
            {active === 'hotline-admin' && lazyPage(<HotlinesPage />)}
            {active === 'accounts' && lazyPage(<AccountsPage />)}
            {active === 'intake-keys' && lazyPage(<IntakeKeysPage />)}
            {active === 'rosters' && lazyPage(<RostersPage />)}
            {active === 'audit-log' && lazyPage(<AuditLogPage />)}
          </Layout.Content>
          <ChangePasswordModal
            open={changingPassword}
            onClose={() => setChangingPassword(false)}
            onChanged={passwordChanged}
          />
        </Layout>
      </Layout>
    </SessionContext.Provider>
  );
}
