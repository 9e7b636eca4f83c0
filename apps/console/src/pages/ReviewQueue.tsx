import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Space, Table, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import type { RecordListItem } from '@kapok/contracts';
import { describeError } from '../api';
import { formatBeijing, TIME_ZONE_LABEL } from '../beijing';
import {
  label,
  RISK_ASSESSMENT_LABELS,
  RISK_LEVEL_COLORS,
  RISK_LEVEL_LABELS,
  SERVICE_TYPE_LABELS,
  TARGET_GROUP_LABELS,
} from '../labels';
import { reviewQueue } from '../records';
import { RecordDrawer } from './Records';

/**
 * 待复核: the supervisor's queue (GET /api/records/review-queue) — completed records whose current version is not
 * reviewed, high-risk first, then the oldest. A row opens the record, where it is reviewed (a comment is optional);
 * a reviewed record leaves the queue.
 */
export function ReviewQueuePage() {
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [state, setState] = useState<{ loading: boolean; rows: RecordListItem[]; total: number; error?: string }>({
    loading: true,
    rows: [],
    total: 0,
  });
  const [open, setOpen] = useState<string | null>(null);

  const load = useCallback(() => {
    setState((s) => ({ ...s, loading: true }));
    reviewQueue(page, pageSize)
      .then((r) => setState({ loading: false, rows: r.items, total: r.total }))
      // never the previous rows under an error: they would read as current
      .catch((e) => setState({ loading: false, rows: [], total: 0, error: describeError(e) }));
  }, [page, pageSize]);

  useEffect(load, [load]);

  return (
    <div data-testid="review-queue">
      {state.error && <Alert type="error" showIcon title={state.error} style={{ marginBottom: 16 }} />}
      <Card
        size="small"
        title={`待复核记录 ${state.total} 条（高风险优先）`}
        extra={
          <Button icon={<ReloadOutlined />} onClick={load} aria-label="刷新">
            刷新
          </Button>
        }
      >
        <Table<RecordListItem>
          rowKey="contactId"
          size="small"
          loading={state.loading}
          dataSource={state.rows}
          scroll={{ x: 'max-content' }}
          onRow={(r) => ({
            onClick: () => setOpen(r.contactId),
            onKeyDown: (e) => {
              if (e.key === 'Enter' || e.key === ' ') setOpen(r.contactId);
            },
            tabIndex: 0,
            style: { cursor: 'pointer' },
            'data-testid': `queue-row-${r.contactId}`,
          })}
          pagination={{
            current: page,
            pageSize,
            total: state.total,
            onChange: (p, s) => {
              setPage(p);
              setPageSize(s);
            },
          }}
          columns={[
            {
              title: '风险',
              width: 130,
              render: (_, r) => (
                <Space size={2} wrap>
                  {r.highRisk && <Tag color="red">高风险</Tag>}
                  {r.riskLevel !== 'normal' && (
                    <Tag color={RISK_LEVEL_COLORS[r.riskLevel]}>{label(RISK_LEVEL_LABELS, r.riskLevel)}</Tag>
                  )}
                  {r.riskAssessment && r.riskAssessment !== 'none' && (
                    <Tag>{label(RISK_ASSESSMENT_LABELS, r.riskAssessment)}</Tag>
                  )}
                </Space>
              ),
            },
            {
              title: `完成时间（${TIME_ZONE_LABEL}）`,
              dataIndex: 'completedAt',
              width: 170,
              render: (v) => formatBeijing(v),
            },
            { title: '社工站', dataIndex: 'stationName', width: 160 },
            { title: '接线社工', dataIndex: 'workerName', width: 110, render: (v) => v ?? '—' },
            {
              title: '服务类型',
              width: 200,
              render: (_, r) =>
                (r.outcome?.serviceTypes ?? []).map((t) => label(SERVICE_TYPE_LABELS, t)).join('、') || '—',
            },
            {
              title: '服务对象',
              width: 110,
              render: (_, r) => label(TARGET_GROUP_LABELS, r.outcome?.targetGroup),
            },
            {
              title: '版本',
              width: 70,
              render: (_, r) => (r.outcome ? `第 ${r.outcome.version} 版` : '—'),
            },
            {
              title: '服务摘要',
              render: (_, r) => (
                <Typography.Text ellipsis style={{ maxWidth: 320 }}>
                  {r.outcome?.summary ?? ''}
                </Typography.Text>
              ),
            },
          ]}
        />
      </Card>
      <RecordDrawer contactId={open} onClose={() => setOpen(null)} onChanged={load} />
    </div>
  );
}
