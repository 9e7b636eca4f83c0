import { useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Dropdown, Empty, Input, Modal, Space, Tag, Typography } from 'antd';
import {
  DeleteOutlined,
  EditOutlined,
  MessageOutlined,
  PlusOutlined,
  SendOutlined,
  ThunderboltOutlined,
} from '@ant-design/icons';
import dayjs from 'dayjs';
import type { ContactView, ConversationMessage, StationQuickReplies } from '@kapok/contracts';
import { get } from '../api';
import { useSession } from '../session';
import { CHANNEL_LABELS, label, RISK_LEVEL_COLORS, RISK_LEVEL_LABELS, SKILL_LABELS } from '../labels';
import type { ConnectionStatus } from '../socket';
import { type ConversationStore, useConversation } from './conversation-store';
import { addQuickReply, DEFAULT_QUICK_REPLIES, loadOwnQuickReplies, removeQuickReply } from './quick-replies';
import {
  CONVERSATION_END_LABELS,
  MESSAGE_SENDER_LABELS,
  sendErrorLabel,
  TEXT_CONTACT_STATUS_LABELS,
} from './text-labels';
import './conversation.css';

/**
 * A text contact's conversation in the operator's workspace: every message in seq order (caller, operator, system
 * and a supervisor's whispers, which the caller never sees), delivered/read marks of the operator's messages, the
 * caller typing, a composer with the station's 常用语, and the contact's actions (transfer, end).
 */
export function ConversationPanel({
  contact,
  store,
  status,
  busy,
  onEnd,
  actions,
}: {
  contact: ContactView;
  store: ConversationStore;
  status: ConnectionStatus;
  busy: string | null;
  onEnd(): void;
  /** More buttons beside 结束会话 (transfer). */
  actions?: React.ReactNode;
}) {
  const { message } = AntApp.useApp();
  const state = useConversation(store, contact.id);
  const [draft, setDraft] = useState('');
  const listRef = useRef<HTMLDivElement>(null);
  const { messages, outbox } = state.timeline;
  const open = contact.status === 'active' && !state.endedReason;

  // The conversation so far, and after every reconnect what was missed.
  useEffect(() => {
    if (status === 'online') void store.load(contact.id);
  }, [store, contact.id, status]);

  // What is on screen has been seen: the caller's messages are marked read.
  useEffect(() => {
    const mark = () => {
      if (document.visibilityState === 'visible') store.markSeen(contact.id);
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [store, contact.id, messages.length, status]);

  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages.length, outbox.length, state.callerTyping]);

  const send = async (text = draft) => {
    if (!store.send(contact.id, text)) {
      if (text.trim()) message.warning('消息太长，请分几条发送');
      return;
    }
    if (text === draft) setDraft('');
    const error = await store.flush(contact.id);
    if (error) message.error(sendErrorLabel(error));
  };

  return (
    <Card
      className="kapok-conversation"
      title={
        <Space wrap>
          <MessageOutlined />
          <span>文字会话</span>
          <Tag color={open ? 'green' : 'blue'} data-testid="contact-status">
            {label(TEXT_CONTACT_STATUS_LABELS, contact.status)}
          </Tag>
          <Tag>{label(CHANNEL_LABELS, contact.channel)}</Tag>
          {contact.riskLevel !== 'normal' && (
            <Tag color={RISK_LEVEL_COLORS[contact.riskLevel]}>{label(RISK_LEVEL_LABELS, contact.riskLevel)}</Tag>
          )}
        </Space>
      }
      extra={
        <Space wrap>
          {actions}
          {contact.status === 'active' && (
            <Button onClick={onEnd} loading={busy === 'end'} data-testid="end-conversation">
              结束会话，整理记录
            </Button>
          )}
        </Space>
      }
      data-testid="active-conversation"
    >
      <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 8 }}>
        热线 {contact.hotlineNumber} · 接入 {dayjs(contact.queuedAt).format('HH:mm:ss')}
        {contact.answeredAt && ` · 接听 ${dayjs(contact.answeredAt).format('HH:mm:ss')}`}
        {contact.topics?.length ? ` · 话题 ${contact.topics.map((t) => label(SKILL_LABELS, t)).join('、')}` : ''}
      </Typography.Text>
      {state.transfer && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 8 }}
          data-testid="transfer-note"
          title={`转接而来（${dayjs(state.transfer.at).format('HH:mm')}）`}
          description={state.transfer.note ? `转接备注：${state.transfer.note}` : '未填写转接备注'}
        />
      )}
      <div className="kapok-chat-list" ref={listRef} data-testid="conversation-messages">
        {!messages.length && !outbox.length && (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={state.loaded ? '还没有消息' : '正在载入会话…'} />
        )}
        {messages.map((m) => (
          <MessageRow key={m.id} m={m} readSeq={state.callerReadSeq} deliveredSeq={state.callerDeliveredSeq} />
        ))}
        {outbox.map((o) => (
          <div key={o.clientId} className="kapok-chat-row kapok-chat-row-operator" data-testid="conversation-pending">
            <div className="kapok-chat-bubble kapok-chat-pending">{o.text}</div>
            <div className="kapok-chat-meta">发送中…</div>
          </div>
        ))}
        {state.callerTyping && open && (
          <div className="kapok-chat-typing" data-testid="caller-typing">
            来访者正在输入…
          </div>
        )}
        {state.endedReason && (
          <div className="kapok-chat-system" data-testid="conversation-ended">
            {label(CONVERSATION_END_LABELS, state.endedReason)}
          </div>
        )}
      </div>
      {open ? (
        <div className="kapok-chat-composer">
          <QuickReplies onPick={(t) => setDraft((d) => (d ? `${d}${t}` : t))} />
          <Input.TextArea
            value={draft}
            autoSize={{ minRows: 2, maxRows: 6 }}
            placeholder="输入回复，Enter 发送，Shift+Enter 换行"
            data-testid="conversation-input"
            onChange={(e) => {
              setDraft(e.target.value);
              store.typing(contact.id, !!e.target.value.trim());
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                void send();
              }
            }}
          />
          <Button
            type="primary"
            icon={<SendOutlined />}
            disabled={!draft.trim()}
            onClick={() => void send()}
            data-testid="conversation-send"
          >
            发送
          </Button>
        </div>
      ) : (
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8 }}>
          会话已结束，请填写服务记录。
        </Typography.Text>
      )}
    </Card>
  );
}

function MessageRow({ m, readSeq, deliveredSeq }: { m: ConversationMessage; readSeq: number; deliveredSeq: number }) {
  const time = dayjs(m.at).format('HH:mm');
  if (m.from === 'system') {
    return (
      <div className="kapok-chat-system" data-testid="conversation-message" data-from="system" data-seq={m.seq}>
        {m.text} · {time}
      </div>
    );
  }
  const mark = m.from === 'operator' ? (m.seq <= readSeq ? '已读' : m.seq <= deliveredSeq ? '已送达' : '已发送') : '';
  return (
    <div
      className={`kapok-chat-row kapok-chat-row-${m.from}`}
      data-testid="conversation-message"
      data-from={m.from}
      data-seq={m.seq}
    >
      <div className="kapok-chat-who">
        {MESSAGE_SENDER_LABELS[m.from] ?? m.from}
        {m.from === 'whisper' && '（来访者看不到）'}
      </div>
      <div className="kapok-chat-bubble">{m.text}</div>
      <div className="kapok-chat-meta">
        {time}
        {mark && <span data-testid="message-read-state"> · {mark}</span>}
      </div>
    </div>
  );
}

/**
 * 常用语: the operator's station's phrases (kept on the server by its coordinators; the defaults if it has none or
 * cannot be read) and the operator's own, kept at this workstation (quick-replies.ts); a click puts one in the
 * composer.
 */
function QuickReplies({ onPick }: { onPick(text: string): void }) {
  const { session } = useSession();
  const stationId = session.user.orgUnitId;
  const [station, setStation] = useState<readonly string[]>(DEFAULT_QUICK_REPLIES);
  const [own, setOwn] = useState(() => loadOwnQuickReplies(localStorage, stationId));
  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState('');
  useEffect(() => setOwn(loadOwnQuickReplies(localStorage, stationId)), [stationId]);
  useEffect(() => {
    let live = true;
    get<StationQuickReplies>(`/stations/${stationId}/quick-replies`)
      .then((r) => live && setStation(r.phrases))
      .catch(() => live && setStation(DEFAULT_QUICK_REPLIES)); // (not at a station, or offline: the defaults)
    return () => {
      live = false;
    };
  }, [stationId]);
  const items = useMemo(
    () => [
      ...station.map((t, i) => ({ key: `d${i}`, label: <span className="kapok-quick-reply">{t}</span> })),
      ...own.map((t, i) => ({ key: `o${i}`, label: <span className="kapok-quick-reply">{t}</span> })),
      { type: 'divider' as const },
      { key: 'edit', icon: <EditOutlined />, label: '管理我的常用语…' },
    ],
    [own, station],
  );
  return (
    <>
      <Dropdown
        trigger={['click']}
        menu={{
          items,
          onClick: ({ key }) => {
            if (key === 'edit') return setEditing(true);
            const list = key.startsWith('d') ? station : own;
            const text = list[Number(key.slice(1))];
            if (text) onPick(text);
          },
        }}
      >
        <Button icon={<ThunderboltOutlined />} data-testid="quick-replies">
          常用语
        </Button>
      </Dropdown>
      <Modal
        open={editing}
        title="我的常用语（保存在本机）"
        okText="完成"
        cancelButtonProps={{ style: { display: 'none' } }}
        onOk={() => setEditing(false)}
        onCancel={() => setEditing(false)}
      >
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Text type="secondary">本站常用语由协调员在“排班与路由设置 → 常用语”中维护。</Typography.Text>
          {own.length === 0 && <Typography.Text type="secondary">还没有您自己添加的常用语</Typography.Text>}
          {own.map((t) => (
            <Space key={t} align="start">
              <Button
                size="small"
                danger
                icon={<DeleteOutlined />}
                aria-label="删除"
                onClick={() => setOwn(removeQuickReply(localStorage, stationId, t))}
              />
              <span>{t}</span>
            </Space>
          ))}
          <Space.Compact style={{ width: '100%' }}>
            <Input
              value={adding}
              maxLength={300}
              placeholder="新的常用语"
              onChange={(e) => setAdding(e.target.value)}
            />
            <Button
              icon={<PlusOutlined />}
              disabled={!adding.trim()}
              onClick={() => {
                setOwn(addQuickReply(localStorage, stationId, adding));
                setAdding('');
              }}
            >
              添加
            </Button>
          </Space.Compact>
        </Space>
      </Modal>
    </>
  );
}
