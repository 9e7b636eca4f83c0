import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { App as AntApp, Button, Drawer, Grid, Layout, Menu, type MenuProps, Space, Spin, Tag, Typography } from 'antd';
import {
  ApartmentOutlined,
  AuditOutlined,
  BarChartOutlined,
  CalendarOutlined,
  ClusterOutlined,
  DashboardOutlined,
  EyeOutlined,
  FileSearchOutlined,
  GiftOutlined,
  KeyOutlined,
  LogoutOutlined,
  MenuOutlined,
  PhoneOutlined,
  ScheduleOutlined,
  SettingOutlined,
  TeamOutlined,
  UsbOutlined,
} from '@ant-design/icons';
import { RISK_ALERT_VIEW_ROLES, type Role } from '@kapok/contracts';
import { describeError, get, post, saveSession, Session, setUnauthorizedHandler, User } from './api';
import { ROLE_LABELS } from './labels';
import { formatBeijing, TIME_ZONE_LABEL } from './beijing';
import { useNow } from './hooks';
import { navigate, usePage } from './router';
import { beginSession, endSession, restoreSession, SessionContext } from './session';
import { LoginPage } from './pages/Login';
import { WorkspacePage } from './pages/Workspace';
import { FollowUpsPage } from './pages/FollowUps';
import { BoardPage } from './pages/Board';
import { RecordsPage } from './pages/Records';
import { ReviewQueuePage } from './pages/ReviewQueue';
import { AidRequestsPage } from './pages/AidRequests';
import { RecordAuditLogPage } from './pages/RecordAuditLog';
import { ChangePasswordModal, ForcedPasswordChange } from './pages/ChangePassword';
import type { ChangePasswordAnswer } from './password';
import { RiskAlertsButton, RiskAlertsProvider } from './pages/RiskAlerts';

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
/** Not a page: opens the read-only routing queue dashboard (bull-board, admins only) in a new tab. */
const QUEUE_DASHBOARD = { key: 'queue-dashboard', label: '路由任务队列', icon: <ClusterOutlined /> };

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
  { key: 'review-queue', label: '待复核', icon: <AuditOutlined />, roles: ['supervisor'] },
  {
    key: 'aid-requests',
    label: '物资申请',
    icon: <GiftOutlined />,
    roles: ['operator', 'coordinator', 'supervisor', 'manager'],
  },
  // the records' audit log (GET /api/audit-log); the administration changes are 操作日志 (audit-log) below
  {
    key: 'record-audit',
    label: '记录审计日志',
    icon: <AuditOutlined />,
    roles: ['supervisor', 'admin'],
    group: 'admin',
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
  const [menuOpen, setMenuOpen] = useState(false);
  // a phone (narrower than antd's md, 768 px): the menu is a drawer opened from the header
  const phone = !Grid.useBreakpoint().md;
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
    if (role === 'admin') adminItems.push(QUEUE_DASHBOARD);
    return adminItems.length ? [...top, { ...ADMIN_GROUP, children: adminItems }] : top;
  }, [items, role]);

  /** The dashboard takes a pass in a cookie (POST /api/admin/queues/session), then opens in its own tab. */
  const openQueueDashboard = async () => {
    const tab = window.open('', '_blank'); // opened now, while the click counts, or a popup blocker refuses it
    try {
      const { url } = await post<{ url: string }>('/admin/queues/session');
      if (tab) tab.location.href = url;
      else window.location.assign(url);
    } catch (e) {
      tab?.close();
      message.error(describeError(e));
    }
  };

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

  // Risk alerts (高危预警) follow those responsible on every page: the header's button, the panel, sound.
  const withAlerts = (node: React.ReactNode) =>
    RISK_ALERT_VIEW_ROLES.includes(session.user.role) ? <RiskAlertsProvider>{node}</RiskAlertsProvider> : node;

  return (
    <SessionContext.Provider value={{ session, signOut }}>
      {withAlerts(
        <Layout style={{ minHeight: '100vh' }}>
          {phone ? (
            <Drawer
              open={menuOpen}
              onClose={() => setMenuOpen(false)}
              placement="left"
              size={240}
              title="红棉守护"
              className="kapok-menu-drawer"
              data-testid="menu-drawer"
            >
              <Menu
                mode="inline"
                selectedKeys={active ? [active] : []}
                defaultOpenKeys={[ADMIN_GROUP.key]}
                items={menuItems}
                onClick={(e) => {
                  setMenuOpen(false);
                  if (e.key === QUEUE_DASHBOARD.key) void openQueueDashboard();
                  else navigate(e.key);
                }}
              />
            </Drawer>
          ) : (
            <Layout.Sider width={200} theme="light" breakpoint="lg" collapsedWidth={64} className="kapok-sider">
              <div className="kapok-brand">
                <span className="kapok-brand-dot" aria-hidden="true" />
                <span className="kapok-brand-text">红棉守护</span>
              </div>
              <Menu
                mode="inline"
                selectedKeys={active ? [active] : []}
                defaultOpenKeys={[ADMIN_GROUP.key]}
                items={menuItems}
                onClick={(e) => (e.key === QUEUE_DASHBOARD.key ? void openQueueDashboard() : navigate(e.key))}
              />
            </Layout.Sider>
          )}
          <Layout style={{ minWidth: 0 }}>
            <Layout.Header className="kapok-header">
              <Space size="small" style={{ minWidth: 0 }}>
                {phone && (
                  <Button
                    type="text"
                    icon={<MenuOutlined />}
                    aria-label="打开菜单"
                    onClick={() => setMenuOpen(true)}
                    data-testid="open-menu"
                  />
                )}
                <Typography.Title level={1} className="kapok-page-title">
                  {items.find((i) => i.key === active)?.label ?? ''}
                </Typography.Title>
              </Space>
              <Space size="middle" className="kapok-header-user">
                <RiskAlertsButton />
                <BeijingClock />
                <span data-testid="current-user">{session.user.displayName}</span>
                <Tag color="blue">{ROLE_LABELS[session.user.role] ?? session.user.role}</Tag>
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
              {active === 'review-queue' && <ReviewQueuePage />}
              {active === 'aid-requests' && <AidRequestsPage />}
              {active === 'record-audit' && <RecordAuditLogPage />}
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
        </Layout>,
      )}
    </SessionContext.Provider>
  );
}

/** The time in Beijing, which every time on the console is shown in (labelled, whatever the computer's zone). */
function BeijingClock() {
  const now = useNow(15_000);
  return (
    <span className="kapok-clock" data-testid="beijing-clock" title="本系统所有时间均为北京时间">
      {TIME_ZONE_LABEL} {formatBeijing(now, 'HH:mm')}
    </span>
  );
}
