import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Col, Empty, Input, Row, Space, Table, Tag, Typography } from 'antd';
import { AudioMutedOutlined, EyeOutlined, ReloadOutlined, SendOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import type { ConversationEndReason, ConversationMessage, RecordListItem } from '@kapok/contracts';
import { describeError } from '../api';
import { CHANNEL_LABELS, label, RISK_LEVEL_COLORS, RISK_LEVEL_LABELS } from '../labels';
import { searchRecords } from '../records';
import { useSession } from '../session';
import { ask, useSocket } from '../socket';
import { emptyTimeline, newClientId, receive, sendableText, type Timeline } from '../chat/messages';
import { CONVERSATION_END_LABELS, isTextChannel, MESSAGE_SENDER_LABELS, sendErrorLabel } from './text-labels';
import './conversation.css';

/** The live text conversations of the supervisor's stations (active contacts in scope, GET /api/records). */
async function liveConversations(): Promise<RecordListItem[]> {
  const r = await searchRecords('status=active&page=1&pageSize=100&sort=-queuedAt');
  if (!r.available) return [];
  return r.data.items.filter((i) => isTextChannel(i.channel));
}

/**
 * 会话督导: a supervisor watches a live text conversation of their stations silently (`conversation:watch` on
 * `/monitor`; audited by the server) and whispers to its social worker (`conversation:whisper`), which the person
 * who wrote in never sees.
 */
export function SupervisePage() {
  const { session, signOut } = useSession();
  const { message } = AntApp.useApp();
  const [rows, setRows] = useState<RecordListItem[]>([]);
  const [loading, setLoading] = useState(false);
  const [listError, setListError] = useState<string | null>(null);
  const [watching, setWatching] = useState<RecordListItem | null>(null);
  const [timeline, setTimeline] = useState<Timeline<ConversationMessage>>(emptyTimeline);
  const [ended, setEnded] = useState<ConversationEndReason | null>(null);
  const [watchError, setWatchError] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [sending, setSending] = useState(false);
  const watchingRef = useRef<string | null>(null);
  watchingRef.current = watching?.contactId ?? null;
  const listRef = useRef<HTMLDivElement>(null);

  const { socket, status, error } = useSocket(
    '/monitor',
    session.token,
    {
      message: (e) => {
        if (e.contactId !== watchingRef.current) return;
        const { contactId: _, ...m } = e;
        setTimeline((t) => receive(t, [m]));
      },
      'conversation:ended': (e) => {
        if (e.contactId === watchingRef.current) setEnded(e.reason);
      },
    },
    () => signOut('登录已过期，请重新登录'),
  );

  const load = useCallback(() => {
    setLoading(true);
    liveConversations()
      .then((r) => {
        setRows(r);
        setListError(null);
      })
      .catch((e) => setListError(describeError(e)))
      .finally(() => setLoading(false));
  }, []);

  useEffect(() => {
    load();
    const t = setInterval(load, 15_000);
    return () => clearInterval(t);
  }, [load]);

  // (Re)joins the watched conversation after every connect: the server's watch room does not survive a reconnect.
  const contactId = watching?.contactId;
  useEffect(() => {
    if (!contactId || status !== 'online') return;
    let live = true;
    void ask(socket, 'conversation:watch', { contactId }).then((ack) => {
      if (!live) return;
      if (ack.ok) {
        setWatchError(null);
        setTimeline((t) => receive(t, ack.messages));
      } else if (ack.error.startsWith('conversation_ended')) {
        setEnded('completed');
      } else {
        setWatchError(ack.error.startsWith('not_found') ? '该会话不在您督导的社工站，或已不存在' : ack.error);
      }
    });
    return () => {
      live = false;
      if (socket?.connected) socket.emit('conversation:unwatch', { contactId }, () => undefined);
    };
  }, [contactId, status, socket]);

  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [timeline.messages.length]);

  const watch = (r: RecordListItem) => {
    setTimeline(emptyTimeline());
    setEnded(null);
    setWatchError(null);
    setDraft('');
    setWatching(r);
  };

  const whisper = async () => {
    const text = sendableText(draft);
    if (!text || !contactId) return;
    setSending(true);
    const ack = await ask(socket, 'conversation:whisper', { contactId, clientId: newClientId(), text });
    setSending(false);
    if (ack.ok) {
      setDraft('');
      setTimeline((t) =>
        receive(t, [
          { id: ack.id, seq: ack.seq, from: 'whisper', text, at: new Date().toISOString(), senderId: session.user.id },
        ]),
      );
    } else {
      message.error(ack.error === 'offline' ? '网络未连接，请稍后再试' : sendErrorLabel(ack.error));
    }
  };

  return (
    <div data-testid="supervise">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Row gutter={16}>
        <Col xs={24} xl={10}>
          <Card
            size="small"
            title="进行中的文字会话"
            extra={
              <Button icon={<ReloadOutlined />} onClick={load} loading={loading}>
                刷新
              </Button>
            }
          >
            {listError && <Alert type="error" showIcon title={listError} style={{ marginBottom: 8 }} />}
            <Table<RecordListItem>
              rowKey="contactId"
              size="small"
              pagination={false}
              dataSource={rows}
              locale={{ emptyText: '当前没有进行中的文字会话' }}
              columns={[
                {
                  title: '接入',
                  dataIndex: 'answeredAt',
                  width: 70,
                  render: (v) => (v ? dayjs(v).format('HH:mm') : '—'),
                },
                { title: '社工站', dataIndex: 'stationName', ellipsis: true },
                { title: '渠道', dataIndex: 'channel', width: 80, render: (v: string) => label(CHANNEL_LABELS, v) },
                { title: '社工', dataIndex: 'workerName', width: 90, ellipsis: true, render: (v) => v ?? '—' },
                {
                  title: '风险',
                  dataIndex: 'riskLevel',
                  width: 70,
                  render: (v: RecordListItem['riskLevel']) => (
                    <Tag color={RISK_LEVEL_COLORS[v]}>{label(RISK_LEVEL_LABELS, v)}</Tag>
                  ),
                },
                {
                  title: '',
                  width: 80,
                  render: (_, r) => (
                    <Button
                      size="small"
                      icon={<EyeOutlined />}
                      type={r.contactId === contactId ? 'primary' : 'default'}
                      onClick={() => watch(r)}
                      data-testid="watch-conversation"
                    >
                      旁听
                    </Button>
                  ),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card
            size="small"
            title={
              watching ? (
                <Space>
                  <AudioMutedOutlined />
                  <span>
                    旁听：{watching.stationName} · {watching.workerName ?? '—'}
                  </span>
                  <Typography.Text type="secondary">（来访者和社工不会看到您在旁听）</Typography.Text>
                </Space>
              ) : (
                '旁听'
              )
            }
            extra={watching && <Button onClick={() => setWatching(null)}>停止旁听</Button>}
            data-testid="watch-panel"
          >
            {!watching ? (
              <Empty description="在左侧选择一个会话旁听" />
            ) : (
              <>
                {watchError && <Alert type="error" showIcon title={watchError} style={{ marginBottom: 8 }} />}
                <div className="kapok-chat-list" ref={listRef} data-testid="watch-messages">
                  {timeline.messages.map((m) =>
                    m.from === 'system' ? (
                      <div key={m.id} className="kapok-chat-system">
                        {m.text}
                      </div>
                    ) : (
                      <div
                        key={m.id}
                        className={`kapok-chat-row kapok-chat-row-${m.from}`}
                        data-testid="watch-message"
                        data-from={m.from}
                      >
                        <div className="kapok-chat-who">
                          {label(MESSAGE_SENDER_LABELS, m.from)} · {dayjs(m.at).format('HH:mm')}
                        </div>
                        <div className="kapok-chat-bubble">{m.text}</div>
                      </div>
                    ),
                  )}
                  {ended && <div className="kapok-chat-system">{label(CONVERSATION_END_LABELS, ended)}</div>}
                </div>
                {!ended && (
                  <div className="kapok-chat-composer">
                    <Input.TextArea
                      value={draft}
                      autoSize={{ minRows: 2, maxRows: 4 }}
                      placeholder="悄悄话只发给社工，来访者看不到"
                      onChange={(e) => setDraft(e.target.value)}
                      data-testid="whisper-input"
                      onKeyDown={(e) => {
                        if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                          e.preventDefault();
                          void whisper();
                        }
                      }}
                    />
                    <Button
                      icon={<SendOutlined />}
                      loading={sending}
                      disabled={!draft.trim()}
                      onClick={() => void whisper()}
                      data-testid="whisper-send"
                    >
                      悄悄话
                    </Button>
                  </div>
                )}
              </>
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
