import { useState } from 'react';
import { Alert, Button, Card, Empty, Space, Typography } from 'antd';
import { FileTextOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import type { ConversationMessage, TranscriptLink, TranscriptView, TransferView } from '@kapok/contracts';
import { describeError, get } from '../api';
import { label } from '../labels';
import { MESSAGE_SENDER_LABELS } from './text-labels';
import './conversation.css';

/**
 * A text contact's transcript in its record. It is read only on request (the read is audited unless the reader is
 * the conversation's own operator): `GET /api/records/:contactId/transcript`.
 */
export function TranscriptCard({ contactId, link }: { contactId: string; link: TranscriptLink }) {
  const [transcript, setTranscript] = useState<TranscriptView | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const open = async () => {
    setLoading(true);
    setError(null);
    try {
      setTranscript(await get<TranscriptView>(`/records/${contactId}/transcript`));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLoading(false);
    }
  };

  return (
    <Card
      size="small"
      title={
        <Space>
          <FileTextOutlined />
          <span>会话记录（{link.messageCount} 条消息）</span>
        </Space>
      }
      data-testid="record-transcript"
    >
      {link.purgedAt ? (
        <Typography.Text type="secondary">
          会话内容已于 {dayjs(link.purgedAt).format('YYYY-MM-DD')} 按保存期限删除，服务记录保留。
        </Typography.Text>
      ) : !transcript ? (
        <Space orientation="vertical">
          <Typography.Text type="secondary">查看会话内容将记入访问日志。</Typography.Text>
          <Button onClick={() => void open()} loading={loading} data-testid="transcript-open">
            查看会话记录
          </Button>
        </Space>
      ) : transcript.messages.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="没有消息" />
      ) : (
        <div className="kapok-chat-list" data-testid="transcript-messages">
          {timeline(transcript).map((item) =>
            item.transfer ? (
              <div key={`t${item.at}`} className="kapok-chat-system" data-testid="transcript-transfer">
                {dayjs(item.at).format('HH:mm')} 转接{item.transfer.note ? `，备注：${item.transfer.note}` : ''}
              </div>
            ) : item.message.from === 'system' ? (
              <div
                key={item.message.id}
                className="kapok-chat-system"
                data-testid="transcript-message"
                data-from="system"
              >
                {item.message.text} · {dayjs(item.at).format('HH:mm')}
              </div>
            ) : (
              <div
                key={item.message.id}
                className={`kapok-chat-row kapok-chat-row-${item.message.from}`}
                data-testid="transcript-message"
                data-from={item.message.from}
              >
                <div className="kapok-chat-who">
                  {label(MESSAGE_SENDER_LABELS, item.message.from)} · {dayjs(item.at).format('MM-DD HH:mm')}
                </div>
                <div className="kapok-chat-bubble">{item.message.text}</div>
              </div>
            ),
          )}
        </div>
      )}
      {error && <Alert type="error" showIcon title={`无法读取会话记录：${error}`} style={{ marginTop: 8 }} />}
    </Card>
  );
}

type TimelineItem =
  | { at: string; message: ConversationMessage; transfer?: undefined }
  | { at: string; transfer: TransferView; message?: undefined };

/** Messages (in seq order) and transfers, by time. */
function timeline(t: TranscriptView): TimelineItem[] {
  const items: TimelineItem[] = [...t.messages].sort((a, b) => a.seq - b.seq).map((m) => ({ at: m.at, message: m }));
  for (const tr of t.transfers) {
    const at = Date.parse(tr.at);
    const i = items.findIndex((x) => Date.parse(x.at) > at);
    items.splice(i < 0 ? items.length : i, 0, { at: tr.at, transfer: tr });
  }
  return items;
}
