import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Badge,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Progress,
  Row,
  Space,
  Steps,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import {
  CheckCircleOutlined,
  CloseCircleOutlined,
  CoffeeOutlined,
  DisconnectOutlined,
  PhoneFilled,
  PoweroffOutlined,
  WifiOutlined,
} from '@ant-design/icons';
import { formatBeijing } from '../beijing';
import type { AgentStateEvent, ContactOfferEvent, ContactStatus, ContactView, Presence } from '@kapok/contracts';
import { describeError, post } from '../api';
import { formatTimer, useNow } from '../hooks';
import {
  CHANNEL_LABELS,
  CONTACT_STATUS_LABELS,
  label,
  contactWords,
  letGoMessage,
  OFFER_ERROR_LABELS,
  PRESENCE_LABELS,
  REVOKE_REASON_LABELS,
  RISK_LEVEL_COLORS,
  RISK_LEVEL_LABELS,
} from '../labels';
import { clearDraft, pruneDrafts } from '../outcome';
import { startRinging, stopRinging, unlockAudio } from '../ringer';
import { ask, useSocket } from '../socket';
import { useSession } from '../session';
import { OutcomeForm } from './OutcomeForm';
import { DutyPanel } from './DutyPanel';
import { CallerHistory } from './CallerHistory';
import { useConversationSocket, useConversationStore } from '../conversation/conversation-store';
import { ContactTabLabel, TextContactView } from '../conversation/TextContactView';
import { TextOfferCard, TransferNote } from '../conversation/TextOfferCard';
import { TransferButton } from '../conversation/TransferDialog';
import { isTextChannel } from '../conversation/text-labels';

/** Keyboard shortcuts of the workspace (shown on their buttons; `code` is the physical key, whatever the layout). */
const SHORTCUTS = {
  accept: { code: 'KeyA', aria: 'Alt+A', shown: 'Alt+A' },
  decline: { code: 'KeyD', aria: 'Alt+D', shown: 'Alt+D' },
  end: { code: 'KeyE', aria: 'Alt+E', shown: 'Alt+E' },
} as const;

/** The states of a contact the operator is holding (ringing, talking, wrapping up). */
const HELD: readonly ContactStatus[] = ['offered', 'active', 'wrap_up'];

export function WorkspacePage() {
  const { session, signOut } = useSession();
  const { message, notification } = AntApp.useApp();
  const userId = session.user.id;
  const [presence, setPresence] = useState<Presence | null>(null);
  const [offer, setOffer] = useState<ContactOfferEvent | null>(null);
  const [contacts, setContacts] = useState<ContactView[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const everOnline = useRef(false);

  useEffect(() => pruneDrafts(localStorage), []);
  // Text contacts' conversations (chat, wechat): their socket events and messages (conversation/*).
  const conversations = useConversationStore();

  const applyState = useCallback((s: AgentStateEvent) => {
    setPresence(s.presence);
    setOffer(s.offer);
    // (also sent again when the gateway's Redis subscription was interrupted: the whole state replaces ours)
    const held = s.contacts.filter((c) => HELD.includes(c.status));
    setContacts(held);
  }, []);

  const { socket, status, error } = useSocket(
    '/agent',
    session.token,
    {
      ...conversations.handlers,
      'agent:state': (s) => {
        everOnline.current = true;
        applyState(s);
      },
      'contact:offer': (o) => setOffer(o),
      'offer:revoked': (e) => {
        setOffer((cur) => {
          if (cur?.offerId !== e.offerId) return cur;
          message.warning(e.next ? letGoMessage('timeout', e.next) : label(REVOKE_REASON_LABELS, e.reason));
          return null;
        });
      },
      'contact:updated': (e) => {
        const c = e.contact;
        setContacts((cur) => {
          const others = cur.filter((x) => x.id !== c.id);
          if (HELD.includes(c.status))
            return [...others, c].sort((a, b) => (a.answeredAt ?? '').localeCompare(b.answeredAt ?? ''));
          if (c.status === 'completed' && c.outcome) clearDraft(localStorage, userId, c.id);
          return others;
        });
      },
      'agent:presence': (e) => {
        setPresence(e.presence);
        if (e.reason === 'missed_offers') {
          notification.warning({
            title: '已自动设为暂离',
            description: `连续 ${e.missedInRow ?? '多'} 次来电未接听，系统已将您设为暂离。准备好后请点击“上岗接听”。`,
            duration: 0,
          });
        } else if (e.reason === 'reconnect_grace_expired') {
          notification.warning({
            title: '连接中断时间过长',
            description: '您已被设为离线。未完成的文字会话已转给其他社工；进行中的电话仍由您处理并填写服务记录。',
            duration: 0,
          });
        }
      },
    },
    () => signOut('登录已过期，请重新登录'),
  );
  useConversationSocket(conversations.store, socket, status);

  // The ring: while an offer is open.
  useEffect(() => {
    if (!offer) return stopRinging();
    startRinging();
    const title = document.title;
    let flip = false;
    const blink = setInterval(() => {
      flip = !flip;
      document.title = flip ? (isTextChannel(offer.contact.channel) ? '【新会话】请接入' : '【来电】请接听') : title;
    }, 800);
    return () => {
      stopRinging();
      clearInterval(blink);
      document.title = title;
    };
  }, [offer]);

  useEffect(() => {
    if (!contacts.length) setSelected(null);
    else if (!selected || !contacts.some((c) => c.id === selected)) setSelected(contacts[contacts.length - 1].id);
  }, [contacts, selected]);

  const setDuty = async (status: Presence) => {
    unlockAudio();
    setBusy(status);
    const ack = await ask(socket, 'presence:set', { status });
    setBusy(null);
    if (ack.ok) applyState(ack.state);
    else message.error(ack.error === 'offline' ? '网络未连接，请稍后再试' : `操作失败：${ack.error}`);
  };

  const accept = async () => {
    if (!offer) return;
    unlockAudio();
    setBusy('accept');
    const ack = await ask(socket, 'offer:accept', { offerId: offer.offerId });
    setBusy(null);
    if (ack.ok) {
      const c = ack.contact;
      setOffer(null);
      setContacts((cur) => [...cur.filter((x) => x.id !== c.id), c]);
      setSelected(c.id);
    } else {
      message.error(label(OFFER_ERROR_LABELS, ack.error));
      if (ack.error !== 'offline' && ack.error !== 'timeout') setOffer(null);
    }
  };

  const decline = async () => {
    if (!offer) return;
    setBusy('decline');
    const ack = await ask(socket, 'offer:decline', { offerId: offer.offerId });
    setBusy(null);
    if (ack.ok || ack.error !== 'offline') setOffer(null);
    if (!ack.ok) message.error(label(OFFER_ERROR_LABELS, ack.error));
    else if (ack.next) message.info(letGoMessage('declined', ack.next));
  };

  const endCall = async (c: ContactView) => {
    setBusy('end');
    try {
      const view = await post<ContactView>(`/contacts/${c.id}/end`);
      setContacts((cur) => cur.map((x) => (x.id === view.id ? view : x)));
    } catch (e) {
      message.error(`${isTextChannel(c.channel) ? '结束会话' : '结束通话'}失败：${describeError(e)}`);
    } finally {
      setBusy(null);
    }
  };

  const submitted = (contactId: string) => {
    setContacts((cur) => cur.filter((x) => x.id !== contactId));
    conversations.store.forget(contactId);
  };

  /** Transferred away: the contact leaves this workspace, with its draft record and conversation. */
  const transferred = (contactId: string) => {
    submitted(contactId);
    clearDraft(localStorage, userId, contactId);
  };

  const current = contacts.find((c) => c.id === selected) ?? null;
  const offline = status !== 'online';

  // Alt+A accept, Alt+D decline, Alt+E end the conversation (registered again each render: current handlers)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.repeat) return;
      if (e.code === SHORTCUTS.accept.code && offer && !busy) void accept();
      else if (e.code === SHORTCUTS.decline.code && offer && !busy) void decline();
      else if (e.code === SHORTCUTS.end.code && current?.status === 'active' && !busy) void endCall(current);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  return (
    <div className="kapok-workspace" data-testid="workspace">
      {offline && (everOnline.current || status === 'offline') && (
        <Alert
          banner
          type="warning"
          icon={<DisconnectOutlined />}
          data-testid="offline-banner"
          title="网络连接已断开，正在自动重新连接……已填写的服务记录草稿保存在本机，不会丢失。"
          style={{ marginBottom: 16 }}
        />
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}

      <Card size="small" className="kapok-duty-bar">
        <Space size="large" wrap>
          <Space>
            <Typography.Text type="secondary">当前状态</Typography.Text>
            <Badge
              status={presence === 'available' ? 'success' : presence === 'away' ? 'warning' : 'default'}
              text={<span data-testid="presence">{presence ? PRESENCE_LABELS[presence] : '连接中…'}</span>}
            />
            {contacts.length > 0 && (
              <Tag color="processing">
                处理中 {contacts.length} 个{contacts.every((c) => isTextChannel(c.channel)) ? '会话' : '来电'}
              </Tag>
            )}
          </Space>
          <Space>
            <Button
              type="primary"
              icon={<PhoneFilled />}
              disabled={offline || presence === 'available'}
              loading={busy === 'available'}
              onClick={() => setDuty('available')}
              data-testid="go-available"
            >
              上岗接听
            </Button>
            <Button
              icon={<CoffeeOutlined />}
              disabled={offline || presence === 'away'}
              loading={busy === 'away'}
              onClick={() => setDuty('away')}
              data-testid="go-away"
            >
              暂离
            </Button>
            <Button
              icon={<PoweroffOutlined />}
              disabled={offline || presence === 'offline'}
              loading={busy === 'offline'}
              onClick={() => setDuty('offline')}
              data-testid="go-offline"
            >
              下线
            </Button>
          </Space>
          <Typography.Text type={offline ? 'warning' : 'success'}>
            {offline ? <DisconnectOutlined /> : <WifiOutlined />} {offline ? '未连接' : '已连接'}
          </Typography.Text>
        </Space>
      </Card>

      <div className="kapok-sr-only" role="status" aria-live="assertive" data-testid="ring-announcement">
        {offer
          ? `${contactWords(offer.contact.channel).ringing}：热线 ${offer.contact.hotlineNumber}，` +
            `${label(RISK_LEVEL_LABELS, offer.contact.riskLevel)}。按 Alt+A 接听，Alt+D 拒接。`
          : ''}
      </div>

      {offer && (
        <>
          {isTextChannel(offer.contact.channel) ? (
            <TextOfferCard
              offer={offer}
              store={conversations.store}
              busy={busy}
              onAccept={accept}
              onDecline={decline}
            />
          ) : (
            <OfferCard offer={offer} busy={busy} onAccept={accept} onDecline={decline} />
          )}
          {offer.contact.transfer && !isTextChannel(offer.contact.channel) && (
            <TransferNote transfer={offer.contact.transfer} />
          )}
          {!current && <CallerHistory contactId={offer.contact.id} compact />}
        </>
      )}

      {contacts.length > 1 && (
        <Tabs
          activeKey={selected ?? undefined}
          onChange={setSelected}
          items={contacts.map((c) => ({
            key: c.id,
            label: <ContactTabLabel contact={c} store={conversations.store} />,
          }))}
        />
      )}

      {current && isTextChannel(current.channel) ? (
        <TextContactView
          contact={current}
          store={conversations.store}
          status={status}
          userId={userId}
          busy={busy}
          onEnd={() => endCall(current)}
          onSubmitted={() => submitted(current.id)}
          onTransferred={() => transferred(current.id)}
        />
      ) : current ? (
        <Row gutter={16} style={{ marginTop: 16 }}>
          <Col xs={24} xl={9}>
            <ContactCard contact={current} busy={busy} onEnd={() => endCall(current)} />
            <div style={{ margin: '8px 0' }}>
              <TransferButton contact={current} userId={userId} onTransferred={() => transferred(current.id)} />
            </div>
            <CallerHistory contactId={current.id} />
          </Col>
          <Col xs={24} xl={15}>
            <OutcomeForm
              key={current.id}
              contactId={current.id}
              userId={userId}
              onSubmitted={() => submitted(current.id)}
              inProgress={current.status === 'active' ? (current.channel === 'phone' ? 'phone' : 'text') : null}
              defaultStationId={current.stationId}
            />
          </Col>
        </Row>
      ) : (
        !offer && (
          <Card style={{ marginTop: 16 }}>
            <Empty
              data-testid="idle"
              description={
                presence === 'available'
                  ? '正在等待来电……来电时将响铃提示'
                  : '点击“上岗接听”开始值守，来电将自动分配给您'
              }
            />
          </Card>
        )
      )}
      <DutyPanel />
    </div>
  );
}

function OfferCard({
  offer,
  busy,
  onAccept,
  onDecline,
}: {
  offer: ContactOfferEvent;
  busy: string | null;
  onAccept(): void;
  onDecline(): void;
}) {
  const now = useNow(250);
  const c = offer.contact;
  const expires = Date.parse(offer.expiresAt);
  const queued = Date.parse(c.queuedAt);
  const total = useMemo(() => Math.max(1, (expires - Date.now()) / 1000), [offer.offerId]); // eslint-disable-line react-hooks/exhaustive-deps
  const left = Math.max(0, (expires - now) / 1000);
  const words = contactWords(c.channel);
  return (
    <Card
      className={`kapok-offer ${c.riskLevel === 'critical' ? 'kapok-offer-critical' : ''}`}
      data-testid="offer"
      style={{ marginTop: 16 }}
    >
      <Row gutter={[24, 12]} align="middle">
        <Col xs={0} sm={0} md={3} lg={2}>
          <div className="kapok-ring-icon" aria-hidden="true">
            <PhoneFilled />
          </div>
        </Col>
        <Col xs={24} md={21} lg={15}>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {words.ringing} <Tag color={RISK_LEVEL_COLORS[c.riskLevel]}>{label(RISK_LEVEL_LABELS, c.riskLevel)}</Tag>
          </Typography.Title>
          <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} style={{ marginTop: 8 }}>
            <Descriptions.Item label="热线">{c.hotlineNumber}</Descriptions.Item>
            <Descriptions.Item label="渠道">{label(CHANNEL_LABELS, c.channel)}</Descriptions.Item>
            <Descriptions.Item label={words.number}>
              <span className="kapok-nowrap">{c.callerNumberMasked ?? '未知'}</span>
            </Descriptions.Item>
            <Descriptions.Item label="已等待">{formatTimer((now - queued) / 1000)}</Descriptions.Item>
            <Descriptions.Item label="话题">{c.topics?.length ? c.topics.join('、') : '—'}</Descriptions.Item>
            <Descriptions.Item label="语言">{c.language ?? '—'}</Descriptions.Item>
          </Descriptions>
          <Progress
            aria-label="接听剩余时间"
            percent={Math.round((left / total) * 100)}
            status={left < 5 ? 'exception' : 'active'}
            format={() => <span data-testid="offer-countdown">{Math.ceil(left)} 秒</span>}
          />
        </Col>
        <Col xs={24} lg={7}>
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Button
              type="primary"
              size="large"
              block
              icon={<CheckCircleOutlined />}
              loading={busy === 'accept'}
              onClick={onAccept}
              data-testid="offer-accept"
              aria-keyshortcuts={SHORTCUTS.accept.aria}
            >
              接听 <kbd className="kapok-kbd">{SHORTCUTS.accept.shown}</kbd>
            </Button>
            <Button
              size="large"
              block
              icon={<CloseCircleOutlined />}
              loading={busy === 'decline'}
              onClick={onDecline}
              data-testid="offer-decline"
              aria-keyshortcuts={SHORTCUTS.decline.aria}
            >
              拒接 <kbd className="kapok-kbd">{SHORTCUTS.decline.shown}</kbd>
            </Button>
          </Space>
        </Col>
      </Row>
    </Card>
  );
}

function ContactCard({ contact, busy, onEnd }: { contact: ContactView; busy: string | null; onEnd(): void }) {
  const now = useNow(1000);
  const answered = contact.answeredAt ? Date.parse(contact.answeredAt) : null;
  const ended = contact.endedAt ? Date.parse(contact.endedAt) : null;
  const step = contact.status === 'active' ? 1 : contact.status === 'wrap_up' ? 2 : 3;
  const words = contactWords(contact.channel);
  return (
    <Card
      title={
        <Space wrap>
          <span>{words.current}</span>
          <Tag color={contact.status === 'active' ? 'green' : 'blue'} data-testid="contact-status">
            {contact.status === 'active' ? `${words.talk}中` : label(CONTACT_STATUS_LABELS, contact.status)}
          </Tag>
          {contact.riskLevel !== 'normal' && (
            <Tag color={RISK_LEVEL_COLORS[contact.riskLevel]}>{label(RISK_LEVEL_LABELS, contact.riskLevel)}</Tag>
          )}
        </Space>
      }
      extra={
        contact.status === 'active' && (
          <Button
            onClick={onEnd}
            loading={busy === 'end'}
            data-testid="end-call"
            aria-keyshortcuts={SHORTCUTS.end.aria}
          >
            {words.end}，整理记录 <kbd className="kapok-kbd">{SHORTCUTS.end.shown}</kbd>
          </Button>
        )
      }
      data-testid="active-contact"
    >
      <Steps
        size="small"
        current={step}
        items={[{ title: '振铃' }, { title: words.talk }, { title: '整理记录' }, { title: '完成' }]}
        style={{ marginBottom: 16 }}
      />
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label="热线">{contact.hotlineNumber}</Descriptions.Item>
        <Descriptions.Item label="渠道">{label(CHANNEL_LABELS, contact.channel)}</Descriptions.Item>
        <Descriptions.Item label={words.number}>{contact.callerNumberMasked ?? '未知'}</Descriptions.Item>
        <Descriptions.Item label="话题">{contact.topics?.length ? contact.topics.join('、') : '—'}</Descriptions.Item>
        <Descriptions.Item label="接入时间（北京时间）">
          {formatBeijing(contact.queuedAt, 'HH:mm:ss')}
        </Descriptions.Item>
        <Descriptions.Item label="接听时间（北京时间）">
          {answered ? formatBeijing(answered, 'HH:mm:ss') : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={ended ? `${words.talk}时长` : `已${words.talk}`}>
          <span data-testid="call-timer">{answered ? formatTimer(((ended ?? now) - answered) / 1000) : '—'}</span>
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
