import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Badge,
  Button,
  Card,
  Col,
  Empty,
  List,
  Popconfirm,
  Row,
  Space,
  Statistic,
  Switch,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { AlertOutlined, ClockCircleOutlined, DisconnectOutlined, TeamOutlined } from '@ant-design/icons';
import { formatBeijing } from '../beijing';
import {
  type AidRequestView,
  type LiveUnit,
  type MonitorAlertEvent,
  type MonitorAlertEvents,
  ORG_LEVELS,
  type OrgUnitView,
  type QueueSnapshot,
  type RiskAlertView,
} from '@kapok/contracts';
import { describeError, get, post } from '../api';
import { formatDuration, formatPercent, useNow } from '../hooks';
import { ALERT_LABELS, contactWords, COVERAGE_GAP_LABELS, label, LEVEL_LABELS } from '../labels';
import { riskAlertSourceText, riskAlertStateText } from '../alerts';
import { useSession } from '../session';
import { type SocketHandlers, useSocket } from '../socket';
import { StationLink } from './StationDrillDown';
import { useRiskAlerts } from './RiskAlerts';

type AlertPayload<E extends MonitorAlertEvent> = Parameters<MonitorAlertEvents[E]>[0];

/** One alert as the list keeps it: the event's name with its payload (@kapok/contracts). */
type AlertItem = {
  [E in MonitorAlertEvent]: { id: string; event: E; at: string; data: AlertPayload<E> };
}[MonitorAlertEvent];

type Row = LiveUnit & { key: string; children?: Row[] };

/**
 * One line of text for an alert, from the fields its event carries (docs/socket-events.md). A risk alert is a work
 * item kept on the server: its live wait and handling are in the 高危预警 panel (RiskAlerts.tsx), whose copy of the
 * alert (`known`) gives the contact's channel.
 */
function describeAlert(
  a: AlertItem,
  unitName: (id: string | undefined) => string | undefined,
  known: (alertId: string) => RiskAlertView | undefined,
): string {
  switch (a.event) {
    case 'risk:alert': {
      const d = a.data;
      return `${d.stationName ?? unitName(d.stationId) ?? ''} ${riskAlertSourceText(d.source, known(d.alertId)?.channel)}`;
    }
    case 'risk:alert-closed': {
      const d = a.data;
      const channel = known(d.alertId)?.channel ?? 'phone';
      return `${unitName(d.stationId) ?? known(d.alertId)?.stationName ?? ''} 高危预警${
        d.state === 'answered'
          ? `：${contactWords(channel).contact}${riskAlertStateText('answered', channel)}`
          : `已由${d.acknowledgedBy?.name ?? '他人'}确认处理`
      }`;
    }
    case 'coverage:gap': {
      const d = a.data;
      const where = d.unitName ?? unitName(d.unitId) ?? '';
      const what = d.kind === 'nobody_rostered' ? '当前时段全区无人排班' : '排班时段无社工签到在岗';
      return d.endedAt ? `${where} ${what}——已恢复` : `${where} ${what}`;
    }
    case 'agent:auto-away': {
      const d = a.data;
      return `${unitName(d.stationId) ?? ''} 一名社工连续 ${d.missedInRow ?? '多'} 次未接听，已自动设为暂离`;
    }
    case 'agent:console-lost': {
      const d = a.data;
      return `${unitName(d.stationId) ?? ''} 一名社工通话中工作台断线已 ${formatDuration(d.disconnectedSeconds)}，来电仍由其处理`;
    }
    case 'aid:overdue': {
      const d = a.data;
      const r: Partial<AidRequestView> = d.aidRequest ?? {};
      const items = (r.items ?? [])
        .map((i) => i.description)
        .filter(Boolean)
        .join('、');
      return `${r.deliveringStationName ?? ''} 物资申请超过 ${d.overdueHours ?? 48} 小时未送达${items ? `（${items}）` : ''}`;
    }
  }
}

export function BoardPage() {
  const { session, signOut } = useSession();
  const { message } = AntApp.useApp();
  const riskAlerts = useRiskAlerts();
  const knownAlert = useCallback((id: string) => riskAlerts?.known(id), [riskAlerts]);
  const [snapshot, setSnapshot] = useState<QueueSnapshot | null>(null);
  const [receivedAt, setReceivedAt] = useState<number>(Date.now());
  const [alerts, setAlerts] = useState<AlertItem[]>([]);
  const [units, setUnits] = useState<Map<string, { name: string; parentId: string | null }>>(new Map());
  const [activeOnly, setActiveOnly] = useState<boolean | null>(null);
  const now = useNow(1000);

  useEffect(() => {
    get<OrgUnitView[]>('/org-units')
      .then((list) => setUnits(new Map(list.map((u) => [u.id, { name: u.name, parentId: u.parentId }]))))
      .catch(() => undefined);
  }, []);

  const unitName = useCallback((id: string | undefined) => (id ? units.get(id)?.name : undefined), [units]);
  const handlers = useMemo((): SocketHandlers<'/monitor'> => {
    const alert =
      <E extends MonitorAlertEvent>(event: E) =>
      (data: AlertPayload<E>) => {
        const item = {
          id: `${event}-${Date.now()}-${Math.random()}`,
          event,
          at: (data as { at?: string } | undefined)?.at ?? new Date().toISOString(),
          data,
        } as AlertItem;
        // (a risk alert is notified, chimed and listed with its live wait by the 高危预警 panel, on every page)
        setAlerts((cur) => [item, ...cur].slice(0, 200));
      };
    // Every alert event has a handler (the mapped type refuses to compile otherwise).
    const alertHandlers: { [E in MonitorAlertEvent]: MonitorAlertEvents[E] } = {
      'risk:alert': alert('risk:alert'),
      'risk:alert-closed': alert('risk:alert-closed'),
      'coverage:gap': alert('coverage:gap'),
      'agent:auto-away': alert('agent:auto-away'),
      'agent:console-lost': alert('agent:console-lost'),
      'aid:overdue': alert('aid:overdue'),
    };
    return {
      'queue:snapshot': (s) => {
        setSnapshot(s);
        setReceivedAt(Date.now());
      },
      ...alertHandlers,
    };
  }, []);

  const { status, error } = useSocket('/monitor', session.token, handlers, () => signOut('登录已过期，请重新登录'));

  const rows = useMemo(() => buildTree(snapshot?.units ?? [], units), [snapshot, units]);
  const rowsById = useMemo(() => new Map((snapshot?.units ?? []).map((u) => [u.orgUnitId, u])), [snapshot]);
  const openGaps = useMemo(
    () => (snapshot?.units ?? []).flatMap((u) => (u.coverageGaps ?? []).map((g) => ({ unit: u, kind: g }))),
    [snapshot],
  );
  const consoleLost = snapshot?.consoleLostContacts ?? [];
  // A phone contact stays with an operator whose console is lost (the call goes on); the coordinator may let it go.
  const letGo = (contactId: string) =>
    post(`/contacts/${contactId}/reclaim`).then(
      () => message.success('已转回排队，将分配给其他社工'),
      (e) => message.error(describeError(e)),
    );
  const stations = useMemo(() => (snapshot?.units ?? []).filter((u) => u.level === 'station'), [snapshot]);
  const showActiveOnly = activeOnly ?? stations.length > 40;
  const visible = useMemo(() => (showActiveOnly ? pruneQuiet(rows) : rows), [rows, showActiveOnly]);
  const totals = useMemo(() => summarise(snapshot?.units ?? [], rows), [snapshot, rows]);
  const elapsed = Math.max(0, (now - receivedAt) / 1000);
  const oldest = (u: LiveUnit) => (u.waiting > 0 && u.oldestWaitSeconds != null ? u.oldestWaitSeconds + elapsed : null);

  return (
    <div data-testid="board">
      {status !== 'online' && snapshot && (
        <Alert
          banner
          type="warning"
          icon={<DisconnectOutlined />}
          title="实时连接已断开，正在重新连接……以下数据可能已过时"
          style={{ marginBottom: 16 }}
          data-testid="offline-banner"
        />
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Row gutter={[16, 16]}>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic
              title="排队等待"
              value={totals.waiting}
              styles={{ content: { color: totals.waiting > 0 ? '#c0392b' : undefined } }}
              formatter={(v) => <span data-testid="board-waiting-total">{v}</span>}
            />
          </Card>
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic
              title="最长等待"
              value={formatDuration(totals.oldest == null ? null : totals.oldest + elapsed)}
              prefix={<ClockCircleOutlined />}
            />
          </Card>
        </Col>
        <Col xs={24} md={8} xl={6}>
          <Card size="small">
            <Statistic
              title="社工状态（空闲 / 通话 / 整理 / 暂离）"
              value={`${totals.available} / ${totals.busy} / ${totals.wrapUp} / ${totals.away}`}
              prefix={<TeamOutlined />}
            />
          </Card>
        </Col>
        <Col xs={12} md={12} xl={5}>
          <Card size="small">
            <Statistic title="今日接听 / 放弃" value={`${totals.answered} / ${totals.abandoned}`} />
          </Card>
        </Col>
        <Col xs={12} md={12} xl={5}>
          <Card size="small">
            <Statistic title="今日20秒接通率" value={formatPercent(totals.serviceLevel)} />
          </Card>
        </Col>
      </Row>

      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} xxl={18}>
          <Card
            size="small"
            title={
              <Space>
                <span>各站点实时情况</span>
                <Badge
                  status={status === 'online' ? 'processing' : 'default'}
                  text={status === 'online' ? '实时' : '未连接'}
                />
                {snapshot && (
                  <Typography.Text type="secondary" className="kapok-hide-phone">
                    更新于 {formatBeijing(snapshot.at, 'HH:mm:ss')}
                  </Typography.Text>
                )}
              </Space>
            }
            extra={
              <Space>
                <Typography.Text type="secondary" className="kapok-hide-phone" id="board-active-only">
                  仅显示有排队、有人在岗或有空档的单位
                </Typography.Text>
                <Switch
                  size="small"
                  checked={showActiveOnly}
                  onChange={setActiveOnly}
                  aria-label="仅显示有排队、有人在岗或有空档的单位"
                />
              </Space>
            }
          >
            {!snapshot ? (
              <Empty description={status === 'online' ? '等待实时数据……' : '正在连接实时监控……'} />
            ) : (
              <Table<Row>
                size="small"
                rowKey="key"
                dataSource={visible}
                pagination={false}
                scroll={{ x: 980, y: 560 }}
                tableLayout="fixed"
                expandable={{ defaultExpandAllRows: visible.length <= 20 }}
                rowClassName={(r) => (r.waiting > 0 ? 'kapok-row-waiting' : '')}
                columns={[
                  {
                    title: '单位',
                    dataIndex: 'name',
                    width: 300,
                    fixed: 'left',
                    render: (name: string, r) => (
                      <Space size={4} wrap>
                        {r.level === 'station' ? (
                          <StationLink stationId={r.orgUnitId} name={shortName(r, rowsById)} title={name} />
                        ) : (
                          <span title={name}>{shortName(r, rowsById)}</span>
                        )}
                        {r.level !== 'station' && <Tag bordered={false}>{label(LEVEL_LABELS, r.level)}</Tag>}
                        {(r.consoleLost ?? 0) > 0 && (
                          <Tooltip title="社工通话中工作台断线，来电仍由其处理">
                            <Tag color="red" style={{ marginInlineEnd: 0 }}>
                              断线通话 {r.consoleLost}
                            </Tag>
                          </Tooltip>
                        )}
                        {(r.coverageGaps ?? []).map((g) => (
                          <Tooltip key={g} title={COVERAGE_GAP_LABELS[g] ?? g}>
                            <Tag color="orange" style={{ marginInlineEnd: 0 }}>
                              空档
                            </Tag>
                          </Tooltip>
                        ))}
                      </Space>
                    ),
                  },
                  {
                    title: '排队',
                    dataIndex: 'waiting',
                    width: 60,
                    align: 'right',
                    render: (v: number, r) => (
                      <span data-testid={`waiting-${r.orgUnitId}`} className={v > 0 ? 'kapok-waiting' : ''}>
                        {v}
                      </span>
                    ),
                  },
                  { title: '最长等待', width: 90, align: 'right', render: (_, r) => formatDuration(oldest(r)) },
                  {
                    title: (
                      <Tooltip title="已签到在线的社工 / 当前时段排班的社工">
                        <span>在线/排班</span>
                      </Tooltip>
                    ),
                    width: 84,
                    align: 'right',
                    render: (_, r) => `${r.signedIn ?? '—'} / ${r.rostered ?? '—'}`,
                  },
                  { title: '空闲', dataIndex: 'available', width: 52, align: 'right' },
                  { title: '通话', dataIndex: 'busy', width: 52, align: 'right' },
                  { title: '整理', dataIndex: 'wrapUp', width: 52, align: 'right' },
                  { title: '暂离', dataIndex: 'away', width: 52, align: 'right' },
                  { title: '今日接听', dataIndex: 'answeredToday', width: 76, align: 'right' },
                  { title: '今日放弃', dataIndex: 'abandonedToday', width: 76, align: 'right' },
                  {
                    title: (
                      <Tooltip title="20秒内接听 ÷（接听 + 超过20秒后放弃）">
                        <span>20秒接通率</span>
                      </Tooltip>
                    ),
                    dataIndex: 'serviceLevelToday',
                    width: 80,
                    align: 'right',
                    render: (v: number | null) => formatPercent(v),
                  },
                ]}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} xxl={6}>
          <Card
            size="small"
            title={
              <Space>
                <AlertOutlined aria-hidden="true" />
                预警
                {alerts.length > 0 && <Badge count={alerts.length} />}
              </Space>
            }
            data-testid="alerts"
          >
            {openGaps.length > 0 && (
              <div className="kapok-open-gaps" data-testid="open-gaps">
                <Typography.Text type="secondary">当前值守空档</Typography.Text>
                {openGaps.slice(0, 12).map(({ unit, kind }) => (
                  <div key={`${unit.orgUnitId}-${kind}`}>
                    <Tag color="orange">{COVERAGE_GAP_LABELS[kind] ?? kind}</Tag>
                    {unit.name}
                  </div>
                ))}
                {openGaps.length > 12 && (
                  <Typography.Text type="secondary">另有 {openGaps.length - 12} 处</Typography.Text>
                )}
              </div>
            )}
            {consoleLost.length > 0 && (
              <div className="kapok-open-gaps" data-testid="console-lost">
                <Typography.Text type="secondary">通话中工作台断线（来电仍由社工处理）</Typography.Text>
                {consoleLost.map((c) => (
                  <div key={c.contactId}>
                    <Tag color="red">断线 {formatDuration((now - Date.parse(c.disconnectedAt)) / 1000)}</Tag>
                    {c.operatorName} · {unitName(c.stationId) ?? ''}
                    <Popconfirm
                      title="确认该社工已无法继续这通电话，转给其他社工？"
                      onConfirm={() => letGo(c.contactId)}
                      okText="转给其他社工"
                      cancelText="取消"
                    >
                      <Button size="small" type="link">
                        改派
                      </Button>
                    </Popconfirm>
                  </div>
                ))}
              </div>
            )}
            {alerts.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="暂无新预警" />
            ) : (
              <List
                size="small"
                dataSource={alerts}
                style={{ maxHeight: 600, overflow: 'auto' }}
                renderItem={(a) => (
                  <List.Item>
                    <Space orientation="vertical" size={0}>
                      <Space>
                        <Tag color={a.event === 'risk:alert' ? 'red' : a.event === 'coverage:gap' ? 'orange' : 'gold'}>
                          {label(ALERT_LABELS, a.event)}
                        </Tag>
                        <Typography.Text type="secondary">{formatBeijing(a.at, 'HH:mm:ss')}</Typography.Text>
                      </Space>
                      <Typography.Text>{describeAlert(a, unitName, knownAlert)}</Typography.Text>
                      {(a.event === 'risk:alert' || a.event === 'risk:alert-closed') && riskAlerts && (
                        <Button
                          type="link"
                          size="small"
                          style={{ padding: 0, height: 'auto' }}
                          onClick={() => riskAlerts.openPanel(a.event === 'risk:alert' ? 'open' : 'closed')}
                        >
                          {a.event === 'risk:alert' ? '在“高危预警”中查看实时等待与处理' : '查看预警历史'}
                        </Button>
                      )}
                    </Space>
                  </List.Item>
                )}
              />
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}

/** A unit's name without its parent's name in front (越秀区北京街社工站 under 越秀区 → 北京街社工站). */
function shortName(u: LiveUnit, byId: Map<string, LiveUnit>): string {
  const parent = u.parentId ? byId.get(u.parentId) : undefined;
  return parent && u.name.startsWith(parent.name) && u.name.length > parent.name.length
    ? u.name.slice(parent.name.length)
    : u.name;
}

/** Units of the snapshot as a tree (parents from the snapshot, else from /api/org-units), busiest first. */
function buildTree(units: LiveUnit[], known: Map<string, { parentId: string | null }>): Row[] {
  const byId = new Map<string, Row>(units.map((u) => [u.orgUnitId, { ...u, key: u.orgUnitId }]));
  const roots: Row[] = [];
  for (const row of byId.values()) {
    const parentId = row.parentId ?? known.get(row.orgUnitId)?.parentId ?? null;
    const parent = parentId ? byId.get(parentId) : undefined;
    if (parent) (parent.children ??= []).push(row);
    else roots.push(row);
  }
  // busiest first: waiting callers, then operators on duty, then today's answered; the name only breaks ties
  const onDuty = (r: Row) => r.available + r.busy + r.wrapUp + r.away;
  const sort = (list: Row[]) => {
    list.sort(
      (a, b) =>
        ORG_LEVELS.indexOf(a.level) - ORG_LEVELS.indexOf(b.level) ||
        b.waiting - a.waiting ||
        (b.coverageGaps?.length ?? 0) - (a.coverageGaps?.length ?? 0) ||
        onDuty(b) - onDuty(a) ||
        (b.answeredToday ?? 0) - (a.answeredToday ?? 0) ||
        a.name.localeCompare(b.name, 'zh-CN'),
    );
    list.forEach((r) => r.children && sort(r.children));
  };
  sort(roots);
  return roots;
}

/** Keeps units with someone waiting or on duty, and their ancestors. */
function pruneQuiet(rows: Row[]): Row[] {
  const out: Row[] = [];
  for (const r of rows) {
    const children = r.children ? pruneQuiet(r.children) : undefined;
    const busy =
      r.waiting > 0 ||
      r.available + r.busy + r.wrapUp + r.away > 0 ||
      (r.coverageGaps?.length ?? 0) > 0 ||
      (r.consoleLost ?? 0) > 0;
    if (busy || children?.length) out.push({ ...r, children: children?.length ? children : undefined });
  }
  return out;
}

function summarise(units: LiveUnit[], roots: Row[]) {
  // One aggregate root (the city, a district): its figures are the totals. Otherwise add up the stations.
  const source =
    roots.length === 1 && roots[0].level !== 'station' ? [roots[0]] : units.filter((u) => u.level === 'station');
  const sum = (f: (u: LiveUnit) => number) => source.reduce((n, u) => n + (f(u) || 0), 0);
  const waitingUnits = source.filter((u) => u.waiting > 0 && u.oldestWaitSeconds != null);
  const answered = sum((u) => u.answeredToday);
  return {
    waiting: sum((u) => u.waiting),
    oldest: waitingUnits.length ? Math.max(...waitingUnits.map((u) => u.oldestWaitSeconds!)) : null,
    available: sum((u) => u.available),
    busy: sum((u) => u.busy),
    wrapUp: sum((u) => u.wrapUp),
    away: sum((u) => u.away),
    answered,
    abandoned: sum((u) => u.abandonedToday),
    serviceLevel: source.length === 1 ? source[0].serviceLevelToday : weightedServiceLevel(source),
  };
}

function weightedServiceLevel(units: LiveUnit[]): number | null {
  let weight = 0;
  let total = 0;
  for (const u of units) {
    if (u.serviceLevelToday == null) continue;
    const w = u.answeredToday + u.abandonedToday;
    weight += w;
    total += u.serviceLevelToday * w;
  }
  return weight > 0 ? total / weight : null;
}
