import { useEffect, useMemo } from 'react';
import { Alert, Button, Card, Col, Descriptions, Progress, Row, Space, Tag, Typography } from 'antd';
import { CheckCircleOutlined, CloseCircleOutlined, MessageFilled } from '@ant-design/icons';
import dayjs from 'dayjs';
import type { ContactOfferEvent, TransferView } from '@kapok/contracts';
import { formatDuration, useNow } from '../hooks';
import { CHANNEL_LABELS, label, LANGUAGE_LABELS, RISK_LEVEL_COLORS, RISK_LEVEL_LABELS, SKILL_LABELS } from '../labels';
import type { ConversationStore } from './conversation-store';

/** The note of a transfer, as the receiving side sees it (an offer, phone or text). */
export function TransferNote({ transfer }: { transfer: TransferView }) {
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginTop: 8 }}
      data-testid="offer-transfer-note"
      title={`转接而来（${dayjs(transfer.at).format('HH:mm')}）`}
      description={transfer.note ? `转接备注：${transfer.note}` : '未填写转接备注'}
    />
  );
}

/**
 * A ringing offer of a text contact: the conversation's first message (what the person wrote while waiting), the
 * transfer note when it was transferred, and a countdown to `expiresAt`. The wording is a conversation's
 * (会话/消息), not a call's.
 */
export function TextOfferCard({
  offer,
  store,
  busy,
  onAccept,
  onDecline,
}: {
  offer: ContactOfferEvent;
  store: ConversationStore;
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
  useEffect(() => store.rememberOffer(offer), [store, offer]);
  return (
    <Card
      className={`kapok-offer ${c.riskLevel === 'critical' ? 'kapok-offer-critical' : ''}`}
      data-testid="offer"
      style={{ marginTop: 16 }}
    >
      <Row gutter={24} align="middle">
        <Col flex="80px">
          <div className="kapok-ring-icon">
            <MessageFilled />
          </div>
        </Col>
        <Col flex="auto" style={{ minWidth: 0 }}>
          <Typography.Title level={3} style={{ margin: 0 }}>
            新会话等待接入 <Tag color={RISK_LEVEL_COLORS[c.riskLevel]}>{label(RISK_LEVEL_LABELS, c.riskLevel)}</Tag>
          </Typography.Title>
          <Descriptions size="small" column={3} style={{ marginTop: 8 }}>
            <Descriptions.Item label="热线">{c.hotlineNumber}</Descriptions.Item>
            <Descriptions.Item label="渠道">{label(CHANNEL_LABELS, c.channel)}</Descriptions.Item>
            <Descriptions.Item label="已等待">{formatDuration((now - queued) / 1000)}</Descriptions.Item>
            <Descriptions.Item label="话题">
              {c.topics?.length ? c.topics.map((t) => label(SKILL_LABELS, t)).join('、') : '—'}
            </Descriptions.Item>
            <Descriptions.Item label="语言">{c.language ? label(LANGUAGE_LABELS, c.language) : '—'}</Descriptions.Item>
          </Descriptions>
          <div className="kapok-offer-first-message" data-testid="offer-first-message">
            {c.firstMessage ? (
              <>
                <Typography.Text type="secondary">
                  首条消息（{dayjs(c.firstMessage.at).format('HH:mm')}）：
                </Typography.Text>
                {c.firstMessage.text}
              </>
            ) : (
              <Typography.Text type="secondary">来访者尚未发送消息</Typography.Text>
            )}
          </div>
          {c.transfer && <TransferNote transfer={c.transfer} />}
          <Progress
            percent={Math.round((left / total) * 100)}
            status={left < 5 ? 'exception' : 'active'}
            format={() => <span data-testid="offer-countdown">{Math.ceil(left)} 秒</span>}
          />
        </Col>
        <Col flex="220px">
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Button
              type="primary"
              size="large"
              block
              icon={<CheckCircleOutlined />}
              loading={busy === 'accept'}
              onClick={onAccept}
              data-testid="offer-accept"
            >
              接入会话
            </Button>
            <Button
              size="large"
              block
              danger
              icon={<CloseCircleOutlined />}
              loading={busy === 'decline'}
              onClick={onDecline}
              data-testid="offer-decline"
            >
              暂不接入（转给其他社工）
            </Button>
          </Space>
        </Col>
      </Row>
    </Card>
  );
}
