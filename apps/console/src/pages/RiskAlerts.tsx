import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Badge,
  Button,
  Drawer,
  Empty,
  Grid,
  Input,
  List,
  Modal,
  Space,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { AlertOutlined, MutedOutlined, ReloadOutlined, SoundOutlined } from '@ant-design/icons';
import {
  ACKNOWLEDGE_NOTE_MAX_CHARS,
  type Page,
  RISK_ALERT_ACKNOWLEDGE_ROLES,
  type RiskAlertEvent,
  type RiskAlertView,
} from '@kapok/contracts';
import { describeError, isMissingRoute } from '../api';
import {
  acknowledgeAlert,
  contactStatusText,
  describeAlertError,
  describeRiskAlert,
  HISTORY_PAGE_SIZE,
  isWaiting,
  listAlertHistory,
  listOpenAlerts,
  liveWaitSeconds,
  loadMuted,
  OPEN_PAGE_SIZE,
  refreshInterval,
  riskAlertSourceText,
  riskAlertStateText,
  saveMuted,
} from '../alerts';
import { playAlertChime, unlockAlertSound } from '../alert-sound';
import { formatBeijing, TIME_ZONE_LABEL } from '../beijing';
import { formatDuration, useNow } from '../hooks';
import { CHANNEL_LABELS, contactWords, label } from '../labels';
import { navigate } from '../router';
import { useSession } from '../session';
import { type SocketHandlers, useSocket } from '../socket';
import { RecordDrawer } from './Records';
import { StationDrillDown } from './StationDrillDown';

/** The chime repeats this often while an open alert's person is still waiting (unless muted). */
const REPEAT_CHIME_MS = 20_000;

export interface RiskAlertsValue {
  /** Open alerts (待处理) in the person's part of the organisation; null until the server answered. */
  openCount: number | null;
  /** Opens the panel on 待处理 (or 历史). */
  openPanel(tab?: 'open' | 'closed'): void;
  /** An alert the console has seen (open or in the history), by id: its channel, status … */
  known(alertId: string): RiskAlertView | undefined;
}

const RiskAlertsContext = createContext<RiskAlertsValue | null>(null);

/** The risk alerts of the signed-in person; null for those who do not see them (operators). */
export const useRiskAlerts = () => useContext(RiskAlertsContext);

interface OpenList {
  items: RiskAlertView[];
  total: number;
  /** When the list arrived (browser clock): the live wait counts from here (alerts.ts liveWaitSeconds). */
  loadedAt: number;
}

/**
 * Risk alerts as work items kept on the server (`GET /api/alerts`), for every page of a coordinator, supervisor,
 * manager or admin: loaded at sign-in and after every reload, live through the /monitor socket (`risk:alert`,
 * `risk:alert-closed`), reloaded every few seconds while a person waits (an answered contact sends no event). A new
 * alert is announced (aria-live), notified and chimed (unless muted). The panel (a drawer opened from the header's
 * 高危预警) lists 待处理 and 历史; an alert opens the station's drill-down while the person waits, else the record.
 */
export function RiskAlertsProvider({ children }: { children: React.ReactNode }) {
  const { session, signOut } = useSession();
  const { message, notification } = AntApp.useApp();
  const phone = !Grid.useBreakpoint().md;
  const canAcknowledge = RISK_ALERT_ACKNOWLEDGE_ROLES.includes(session.user.role);

  const [panelOpen, setPanelOpen] = useState(false);
  const [tab, setTab] = useState<'open' | 'closed'>('open');
  const [open, setOpen] = useState<OpenList | null>(null);
  const [openError, setOpenError] = useState<string | null>(null);
  const [available, setAvailable] = useState(true);
  const [history, setHistory] = useState<Page<RiskAlertView> | null>(null);
  const [historyPage, setHistoryPage] = useState(1);
  const [historyLoading, setHistoryLoading] = useState(false);
  const [historyError, setHistoryError] = useState<string | null>(null);
  const [muted, setMuted] = useState(loadMuted);
  const [sound, setSound] = useState<'sound' | 'silent' | 'muted' | ''>('');
  const [announcement, setAnnouncement] = useState('');
  const [acknowledging, setAcknowledging] = useState<RiskAlertView | null>(null);
  const [drill, setDrill] = useState<{ stationId: string; stationName: string } | null>(null);
  const [record, setRecord] = useState<string | null>(null);

  const known = useRef(new Map<string, RiskAlertView>());
  const notified = useRef(new Set<string>());
  const openSeq = useRef(0);
  const historySeq = useRef(0);
  const mutedRef = useRef(muted);
  mutedRef.current = muted;
  const historyShown = useRef(false);
  historyShown.current = panelOpen && tab === 'closed';
  const historyPageRef = useRef(historyPage);
  historyPageRef.current = historyPage;

  const remember = (items: RiskAlertView[]) => items.forEach((a) => known.current.set(a.id, a));

  /** Loads the open list; answers its items (also when a newer load overtook it), or null when it failed. */
  const loadOpen = useCallback(async (): Promise<RiskAlertView[] | null> => {
    const n = ++openSeq.current;
    try {
      const page = await listOpenAlerts();
      remember(page.items);
      if (n === openSeq.current) {
        setOpen({ items: page.items, total: page.total, loadedAt: Date.now() });
        setOpenError(null);
        setAvailable(true);
      }
      return page.items;
    } catch (e) {
      if (n === openSeq.current) {
        if (isMissingRoute(e)) setAvailable(false);
        else setOpenError(describeError(e));
      }
      return null;
    }
  }, []);

  const loadHistory = useCallback((page: number) => {
    const n = ++historySeq.current;
    setHistoryLoading(true);
    listAlertHistory(page)
      .then((p) => {
        if (n !== historySeq.current) return;
        remember(p.items);
        setHistory(p);
        setHistoryError(null);
      })
      .catch((e) => {
        if (n !== historySeq.current) return;
        setHistoryError(isMissingRoute(e) ? '预警历史接口尚未开放' : describeError(e));
      })
      .finally(() => {
        if (n === historySeq.current) setHistoryLoading(false);
      });
  }, []);

  const refreshHistoryIfShown = useCallback(() => {
    if (historyShown.current) loadHistory(historyPageRef.current);
  }, [loadHistory]);

  const showPanel = useCallback(
    (which: 'open' | 'closed' = 'open') => {
      setTab(which);
      setPanelOpen(true);
      void loadOpen();
      // the panel lists them: their notifications have done their work
      notified.current.forEach((id) => notification.destroy(id));
      notified.current.clear();
    },
    [loadOpen, notification],
  );

  /** A new alert: announced, chimed (unless muted) and notified on whatever page is open. */
  const raised = useCallback(
    (e: RiskAlertEvent, view: RiskAlertView | null) => {
      const text = describeRiskAlert(view, e);
      setAnnouncement(`高危预警（${formatBeijing(e.at, 'HH:mm:ss')}）：${text}`);
      setSound(mutedRef.current ? 'muted' : playAlertChime());
      notified.current.add(e.alertId);
      notification.error({
        key: e.alertId,
        title: '高危预警',
        description: text,
        duration: 0,
        placement: 'bottomRight',
        role: 'status', // announced once, by the live region below
        actions: (
          <Button
            size="small"
            type="primary"
            danger
            onClick={() => {
              notification.destroy(e.alertId);
              showPanel();
            }}
          >
            查看并处理
          </Button>
        ),
        props: { 'data-testid': `risk-alert-notice-${e.alertId}` },
      });
    },
    [notification, showPanel],
  );

  const handlers = useMemo(
    (): SocketHandlers<'/monitor'> => ({
      'risk:alert': (e) => {
        void loadOpen().then((items) => {
          const view = items?.find((a) => a.id === e.alertId) ?? null;
          // already closed by the time the list came (answered at once): nothing left to do
          if (items && !view && items.length < OPEN_PAGE_SIZE) return;
          raised(e, view);
        });
        refreshHistoryIfShown();
      },
      'risk:alert-closed': (e) => {
        notification.destroy(e.alertId);
        notified.current.delete(e.alertId);
        void loadOpen();
        refreshHistoryIfShown();
      },
    }),
    [loadOpen, raised, refreshHistoryIfShown, notification],
  );
  const { status } = useSocket('/monitor', session.token, handlers, () => signOut('登录已过期，请重新登录'));

  // At sign-in and after a page reload: the open alerts are the server's, not this tab's memory.
  useEffect(() => {
    void loadOpen();
  }, [loadOpen]);
  // Back online: what happened meanwhile.
  useEffect(() => {
    if (status === 'online') void loadOpen();
  }, [status, loadOpen]);
  // No event says a critical contact was answered: reload often while someone waits.
  const interval = refreshInterval(open?.items ?? []);
  useEffect(() => {
    const t = setInterval(() => void loadOpen(), interval);
    return () => clearInterval(t);
  }, [interval, loadOpen]);
  useEffect(() => {
    if (panelOpen && tab === 'closed') loadHistory(historyPage);
  }, [panelOpen, tab, historyPage, loadHistory]);

  // A notification whose alert left the open list (answered, acknowledged elsewhere) goes too.
  useEffect(() => {
    if (!open) return;
    const ids = new Set(open.items.map((a) => a.id));
    for (const id of [...notified.current]) {
      if (ids.has(id)) continue;
      notification.destroy(id);
      notified.current.delete(id);
    }
  }, [open, notification]);

  // The chime again now and then while an open alert's person is still waiting.
  const someoneWaiting = (open?.items ?? []).some(isWaiting);
  useEffect(() => {
    if (muted || !someoneWaiting) return;
    const t = setInterval(() => setSound(playAlertChime()), REPEAT_CHIME_MS);
    return () => clearInterval(t);
  }, [muted, someoneWaiting]);

  // Browsers allow sound once the person used the page (after a reload too): any click or key unlocks it.
  useEffect(() => {
    const unlock = () => unlockAlertSound();
    window.addEventListener('pointerdown', unlock);
    window.addEventListener('keydown', unlock);
    return () => {
      window.removeEventListener('pointerdown', unlock);
      window.removeEventListener('keydown', unlock);
    };
  }, []);

  const toggleMute = () => {
    const next = !muted;
    setMuted(next);
    saveMuted(next);
    message.info(next ? '预警提示音已静音' : '预警提示音已开启');
  };

  /** The place to act: the station's live drill-down on the board while the person waits, else the record. */
  const openAlert = (a: RiskAlertView) => {
    setPanelOpen(false);
    if (isWaiting(a)) {
      navigate('board');
      setDrill({ stationId: a.stationId, stationName: a.stationName });
    } else {
      setRecord(a.contactId);
    }
  };

  const acknowledged = (a: RiskAlertView) => {
    setAcknowledging(null);
    message.success(`已确认处理：${a.stationName}`);
    notification.destroy(a.id);
    notified.current.delete(a.id);
    void loadOpen();
    refreshHistoryIfShown();
  };

  const value = useMemo(
    (): RiskAlertsValue => ({
      openCount: open?.total ?? null,
      openPanel: showPanel,
      known: (id) => known.current.get(id),
    }),
    [open?.total, showPanel],
  );

  const openItems = open?.items ?? [];
  return (
    <RiskAlertsContext.Provider value={value}>
      {children}
      <div
        className="kapok-sr-only"
        role="status"
        aria-live="assertive"
        data-testid="risk-alert-announcement"
        data-sound={sound}
      >
        {announcement}
      </div>
      <Drawer
        open={panelOpen}
        onClose={() => setPanelOpen(false)}
        title="高危预警"
        placement="right"
        size={phone ? '100%' : 520}
        rootClassName="kapok-risk-drawer"
        data-testid="risk-alerts-panel"
        extra={
          <Button
            icon={muted ? <MutedOutlined /> : <SoundOutlined />}
            aria-pressed={muted}
            onClick={toggleMute}
            data-testid="risk-alerts-mute"
          >
            {muted ? '已静音' : '静音'}
          </Button>
        }
      >
        <Tabs
          activeKey={tab}
          onChange={(k) => setTab(k === 'closed' ? 'closed' : 'open')}
          items={[
            {
              key: 'open',
              label: `待处理${open ? `（${open.total}）` : ''}`,
              children: (
                <Space orientation="vertical" size="small" style={{ width: '100%' }}>
                  {!available && <Empty description="高危预警接口尚未开放" />}
                  {openError && (
                    <Alert
                      type="error"
                      showIcon
                      title={openError}
                      action={
                        <Button size="small" icon={<ReloadOutlined />} onClick={() => void loadOpen()}>
                          重试
                        </Button>
                      }
                    />
                  )}
                  {!canAcknowledge && (
                    <Typography.Text type="secondary">
                      系统管理员可查看预警；确认处理由协调员、督导或民政管理者进行。
                    </Typography.Text>
                  )}
                  {available && open && openItems.length === 0 && (
                    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="暂无待处理的高危预警" />
                  )}
                  {open && openItems.length > 0 && (
                    <OpenAlerts
                      list={open}
                      canAcknowledge={canAcknowledge}
                      onOpen={openAlert}
                      onAcknowledge={setAcknowledging}
                    />
                  )}
                  {open && open.total > openItems.length && (
                    <Typography.Text type="secondary">
                      另有 {open.total - openItems.length} 条较新的预警，处理上面的预警后显示
                    </Typography.Text>
                  )}
                </Space>
              ),
            },
            {
              key: 'closed',
              label: '历史',
              children: (
                <Space orientation="vertical" size="small" style={{ width: '100%' }}>
                  {historyError && <Alert type="error" showIcon title={historyError} />}
                  <List<RiskAlertView>
                    loading={historyLoading && !history}
                    dataSource={history?.items ?? []}
                    rowKey="id"
                    data-testid="risk-alerts-history"
                    locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="暂无历史预警" /> }}
                    pagination={
                      history && history.total > HISTORY_PAGE_SIZE
                        ? {
                            current: historyPage,
                            pageSize: HISTORY_PAGE_SIZE,
                            total: history.total,
                            onChange: setHistoryPage,
                            size: 'small',
                            simple: phone,
                            showSizeChanger: false,
                          }
                        : false
                    }
                    renderItem={(a) => <HistoryItem alert={a} onOpenRecord={() => openAlert(a)} />}
                  />
                </Space>
              ),
            },
          ]}
        />
      </Drawer>
      <AcknowledgeModal alert={acknowledging} onClose={() => setAcknowledging(null)} onDone={acknowledged} />
      <Drawer
        open={!!drill}
        onClose={() => setDrill(null)}
        title={drill?.stationName}
        size={phone ? '100%' : 760}
        destroyOnHidden
        className="kapok-drill-drawer"
        data-testid="risk-alert-drill"
      >
        {drill && <StationDrillDown stationId={drill.stationId} />}
      </Drawer>
      <RecordDrawer contactId={record} onClose={() => setRecord(null)} onChanged={() => void loadOpen()} />
    </RiskAlertsContext.Provider>
  );
}

/** The header's 高危预警, with the number of open alerts; opens the panel. */
export function RiskAlertsButton() {
  const alerts = useRiskAlerts();
  if (!alerts) return null;
  const n = alerts.openCount ?? 0;
  return (
    <Badge count={n} overflowCount={99} size="small" offset={[-4, 2]}>
      <Button
        icon={<AlertOutlined />}
        danger={n > 0}
        onClick={() => alerts.openPanel()}
        aria-label={n > 0 ? `高危预警，${n} 条待处理` : '高危预警'}
        data-testid="risk-alerts-button"
        data-count={alerts.openCount ?? ''}
      >
        <span className="kapok-header-btn-text">高危预警</span>
      </Button>
    </Badge>
  );
}

/** The open alerts, oldest first, their waits ticking every second (one clock for the list). */
function OpenAlerts({
  list,
  canAcknowledge,
  onOpen,
  onAcknowledge,
}: {
  list: OpenList;
  canAcknowledge: boolean;
  onOpen(a: RiskAlertView): void;
  onAcknowledge(a: RiskAlertView): void;
}) {
  const now = useNow(1000);
  return (
    <List<RiskAlertView>
      dataSource={list.items}
      rowKey="id"
      data-testid="risk-alerts-open"
      renderItem={(a) => (
        <OpenAlertItem
          alert={a}
          now={now}
          loadedAt={list.loadedAt}
          canAcknowledge={canAcknowledge}
          onOpen={() => onOpen(a)}
          onAcknowledge={() => onAcknowledge(a)}
        />
      )}
    />
  );
}

/** One open alert: what, where, the person's wait (live while waiting); opens the place to act; 确认处理. */
function OpenAlertItem({
  alert: a,
  now,
  loadedAt,
  canAcknowledge,
  onOpen,
  onAcknowledge,
}: {
  alert: RiskAlertView;
  now: number;
  loadedAt: number;
  canAcknowledge: boolean;
  onOpen(): void;
  onAcknowledge(): void;
}) {
  const waiting = isWaiting(a);
  const wait = liveWaitSeconds(a, now, loadedAt);
  const words = contactWords(a.channel);
  return (
    <List.Item className="kapok-risk-alert" data-testid={`risk-alert-${a.id}`}>
      <div
        className="kapok-risk-alert-body"
        role="button"
        tabIndex={0}
        onClick={onOpen}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            onOpen();
          }
        }}
        data-testid={`risk-alert-open-${a.id}`}
      >
        <Space wrap size={4}>
          <Tag color="red">{riskAlertSourceText(a.source, a.channel)}</Tag>
          <Typography.Text strong>{a.stationName}</Typography.Text>
        </Space>
        <div>
          {label(CHANNEL_LABELS, a.channel)} ·{' '}
          <Tag color={waiting ? 'red' : 'blue'} style={{ marginInlineEnd: 0 }}>
            {contactStatusText(a.contactStatus, a.channel)}
          </Tag>{' '}
          <span
            className={waiting ? 'kapok-waiting' : ''}
            data-testid={`risk-alert-wait-${a.id}`}
            data-wait-seconds={wait}
          >
            {waiting ? '已等待' : '共等待'} {formatDuration(wait)}
          </span>
        </div>
        <Typography.Text type="secondary">
          发出于 {formatBeijing(a.raisedAt, 'MM-DD HH:mm:ss')}（{TIME_ZONE_LABEL}）
        </Typography.Text>
        {a.operator && <div>接线社工：{a.operator.name}</div>}
        <Typography.Text type="secondary" className="kapok-risk-alert-hint">
          {waiting ? `点击查看站点实时情况（${words.contact}仍在等待）` : '点击查看服务记录'}
        </Typography.Text>
      </div>
      {canAcknowledge && (
        <Button type="primary" danger onClick={onAcknowledge} data-testid={`risk-alert-ack-${a.id}`}>
          确认处理
        </Button>
      )}
    </List.Item>
  );
}

/** One closed alert: answered, or acknowledged by whom and when (with the note). */
function HistoryItem({ alert: a, onOpenRecord }: { alert: RiskAlertView; onOpenRecord(): void }) {
  return (
    <List.Item className="kapok-risk-alert" data-testid={`risk-alert-history-${a.id}`}>
      <Space orientation="vertical" size={2} style={{ width: '100%', minWidth: 0 }}>
        <Space wrap size={4}>
          <Tag color={a.state === 'acknowledged' ? 'green' : 'blue'} data-testid={`risk-alert-state-${a.id}`}>
            {riskAlertStateText(a.state, a.channel)}
          </Tag>
          <Typography.Text strong>{a.stationName}</Typography.Text>
          <Tag color="red">{riskAlertSourceText(a.source, a.channel)}</Tag>
        </Space>
        <Typography.Text type="secondary">
          {label(CHANNEL_LABELS, a.channel)} · 发出于 {formatBeijing(a.raisedAt, 'YYYY-MM-DD HH:mm:ss')}（
          {TIME_ZONE_LABEL}）· 等待 {formatDuration(liveWaitSeconds(a, Date.parse(a.asOf)))}
        </Typography.Text>
        {a.acknowledgedBy && (
          <span data-testid={`risk-alert-acknowledged-${a.id}`}>
            确认人：{a.acknowledgedBy.name} · {formatBeijing(a.acknowledgedAt, 'YYYY-MM-DD HH:mm:ss')}
          </span>
        )}
        {a.acknowledgeNote && (
          <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>
            处理备注：{a.acknowledgeNote}
          </Typography.Paragraph>
        )}
        {a.operator && (
          <span>
            接线社工：{a.operator.name}
            {a.answeredAt ? ` · ${formatBeijing(a.answeredAt, 'MM-DD HH:mm:ss')} 接入` : ''}
          </span>
        )}
        <Button type="link" size="small" style={{ padding: 0, alignSelf: 'flex-start' }} onClick={onOpenRecord}>
          查看服务记录
        </Button>
      </Space>
    </List.Item>
  );
}

/** 确认处理 with an optional note (≤ 500 characters); the server records who and when. */
function AcknowledgeModal({
  alert: a,
  onClose,
  onDone,
}: {
  alert: RiskAlertView | null;
  onClose(): void;
  onDone(a: RiskAlertView): void;
}) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setNote('');
    setError(null);
  }, [a?.id]);

  const submit = async () => {
    if (!a) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await acknowledgeAlert(a.id, note));
    } catch (e) {
      setError(describeAlertError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={!!a}
      title="确认处理高危预警"
      okText="确认处理"
      cancelText="取消"
      onOk={() => void submit()}
      onCancel={onClose}
      confirmLoading={busy}
      okButtonProps={{ danger: true, ...({ 'data-testid': 'risk-alert-ack-submit' } as object) }}
      destroyOnHidden
    >
      {a && (
        <Space orientation="vertical" size="small" style={{ width: '100%' }}>
          <Typography.Text>
            {describeRiskAlert(a, a)}（发出于 {formatBeijing(a.raisedAt, 'HH:mm:ss')}，{TIME_ZONE_LABEL}）
          </Typography.Text>
          <Typography.Text type="secondary">
            确认后该预警移入历史，记录您的姓名和确认时间；其他负责人的待处理列表同时更新。
          </Typography.Text>
          <label htmlFor="risk-alert-ack-note">处理备注（选填）</label>
          <Input.TextArea
            id="risk-alert-ack-note"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={ACKNOWLEDGE_NOTE_MAX_CHARS}
            showCount
            autoSize={{ minRows: 3, maxRows: 6 }}
            placeholder="如：已电话联系站点督导，安排社工回拨"
            data-testid="risk-alert-ack-note"
          />
          {error && <Alert type="error" showIcon title={error} />}
        </Space>
      )}
    </Modal>
  );
}
