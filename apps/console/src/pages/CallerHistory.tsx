import { useEffect, useState } from 'react';
import { Alert, Card, Empty, List, Space, Tag, Typography } from 'antd';
import { HistoryOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import {
  type CallerHistoryResult,
  HIGH_RISK_ASSESSMENTS,
  OPEN_AID_STATUSES,
  OPEN_FOLLOW_UP_STATUSES,
} from '@kapok/contracts';
import { describeError } from '../api';
import {
  AID_STATUS_LABELS,
  CHANNEL_LABELS,
  CONTACT_STATUS_LABELS,
  label,
  RISK_ASSESSMENT_LABELS,
  SERVICE_TYPE_LABELS,
} from '../labels';
import { callerHistory } from '../records';

/**
 * The caller's earlier contacts within the operator's scope (GET /api/contacts/:id/history): date, service types,
 * summary, risk, and open follow-ups and material-aid requests.
 */
export function CallerHistory({ contactId, compact = false }: { contactId: string; compact?: boolean }) {
  const [state, setState] = useState<{
    loading: boolean;
    available: boolean;
    data?: CallerHistoryResult;
    error?: string;
  }>({
    loading: true,
    available: true,
  });

  useEffect(() => {
    let live = true;
    setState({ loading: true, available: true });
    callerHistory(contactId)
      .then(
        (r) =>
          live &&
          setState(
            r.available ? { loading: false, available: true, data: r.data } : { loading: false, available: false },
          ),
      )
      .catch((e) => live && setState({ loading: false, available: true, error: describeError(e) }));
    return () => {
      live = false;
    };
  }, [contactId]);

  const d = state.data;
  const previous = d?.previous ?? [];
  return (
    <Card
      title={
        <Space>
          <HistoryOutlined />
          来电者历史
          {previous.length > 0 && <Tag color="blue">此前 {previous.length} 次</Tag>}
          {(d?.openFollowUps.length ?? 0) > 0 && <Tag color="orange">待回访 {d!.openFollowUps.length}</Tag>}
          {(d?.openAidRequests.length ?? 0) > 0 && <Tag color="gold">物资未送达 {d!.openAidRequests.length}</Tag>}
        </Space>
      }
      style={{ marginTop: 16 }}
      size="small"
      loading={state.loading}
      data-testid="caller-history"
    >
      {!state.available ? (
        <Typography.Text type="secondary">服务记录接口尚未开放，暂无法查看历史。</Typography.Text>
      ) : state.error ? (
        <Alert type="warning" showIcon title={`历史记录加载失败：${state.error}`} />
      ) : d && !d.recognised ? (
        <Typography.Text type="secondary">未获取来电号码，无法识别来电者。</Typography.Text>
      ) : previous.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="该来电者此前没有来电记录（首次来电）" />
      ) : (
        <List
          size="small"
          dataSource={compact ? previous.slice(0, 3) : previous}
          renderItem={(h) => (
            <List.Item>
              <Space orientation="vertical" size={2} style={{ width: '100%' }}>
                <Space wrap size={4}>
                  <Typography.Text strong>{dayjs(h.date).format('YYYY-MM-DD HH:mm')}</Typography.Text>
                  <Typography.Text type="secondary">
                    {label(CHANNEL_LABELS, h.channel)} · {h.stationName ?? ''} · {h.workerName ?? ''}
                  </Typography.Text>
                  {h.status !== 'completed' && <Tag>{label(CONTACT_STATUS_LABELS, h.status)}</Tag>}
                  {(h.serviceTypes ?? []).map((t) => (
                    <Tag key={t}>{label(SERVICE_TYPE_LABELS, t)}</Tag>
                  ))}
                  {h.riskAssessment && h.riskAssessment !== 'none' && (
                    <Tag
                      color={(HIGH_RISK_ASSESSMENTS as readonly string[]).includes(h.riskAssessment) ? 'red' : 'orange'}
                    >
                      {label(RISK_ASSESSMENT_LABELS, h.riskAssessment)}
                    </Tag>
                  )}
                </Space>
                {h.summary && (
                  <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ margin: 0 }}>
                    {h.summary}
                  </Typography.Paragraph>
                )}
                {h.followUp && (OPEN_FOLLOW_UP_STATUSES as readonly string[]).includes(h.followUp.status) && (
                  <Typography.Text type="warning">
                    待回访：{dayjs(h.followUp.dueAt).format('MM-DD HH:mm')} {h.followUp.note}
                  </Typography.Text>
                )}
                {h.aidRequests
                  .filter((a) => (OPEN_AID_STATUSES as readonly string[]).includes(a.status))
                  .map((a) => (
                    <Typography.Text key={a.id} type="warning">
                      物资{label(AID_STATUS_LABELS, a.status)}：{a.items.map((i) => i.description).join('、')}
                    </Typography.Text>
                  ))}
              </Space>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
