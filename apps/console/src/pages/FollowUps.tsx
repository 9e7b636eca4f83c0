import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Empty,
  Input,
  Popconfirm,
  Segmented,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import type { FollowUpView } from '@kapok/contracts';
import { describeError } from '../api';
import { FOLLOW_UP_STATUS_LABELS, label, RISK_ASSESSMENT_LABELS } from '../labels';
import { completeFollowUp, listFollowUps } from '../records';

/** The operator's own callbacks (GET /api/follow-ups?workerId=me): due and overdue first. */
export function FollowUpsPage() {
  const { message } = AntApp.useApp();
  const [filter, setFilter] = useState<'open' | 'overdue' | 'all'>('open');
  const [page, setPage] = useState(1);
  const [state, setState] = useState<{
    loading: boolean;
    available: boolean;
    rows: FollowUpView[];
    total: number;
    error?: string;
  }>({
    loading: true,
    available: true,
    rows: [],
    total: 0,
  });
  const [note, setNote] = useState('');

  const load = useCallback(() => {
    const q = new URLSearchParams({ workerId: 'me', page: String(page), pageSize: '20' });
    if (filter === 'all') q.set('status', 'all');
    if (filter === 'overdue') q.set('overdue', 'true');
    setState((s) => ({ ...s, loading: true }));
    listFollowUps(q.toString())
      .then((r) =>
        setState(
          r.available
            ? { loading: false, available: true, rows: r.data.items, total: r.data.total }
            : { loading: false, available: false, rows: [], total: 0 },
        ),
      )
      .catch((e) => setState({ loading: false, available: true, rows: [], total: 0, error: describeError(e) }));
  }, [filter, page]);

  useEffect(load, [load]);

  const complete = async (f: FollowUpView) => {
    try {
      await completeFollowUp(f.id, note);
      message.success('回访已完成');
      setNote('');
      load();
    } catch (e) {
      message.error(`操作失败：${describeError(e)}`);
    }
  };

  return (
    <Card
      title="我的回访"
      data-testid="follow-ups"
      extra={
        <Segmented
          value={filter}
          onChange={(v) => {
            setFilter(v as typeof filter);
            setPage(1);
          }}
          options={[
            { value: 'open', label: '待回访' },
            { value: 'overdue', label: '已逾期' },
            { value: 'all', label: '全部' },
          ]}
        />
      }
    >
      <Typography.Paragraph type="secondary">
        回访到期时，系统会把回访来电优先分配给您；在回访来电中提交服务记录后，回访自动完成。
      </Typography.Paragraph>
      {!state.available ? (
        <Empty description="回访列表接口尚未开放" />
      ) : state.error ? (
        <Alert type="error" showIcon title={state.error} />
      ) : (
        <Table<FollowUpView>
          rowKey="id"
          size="small"
          loading={state.loading}
          dataSource={state.rows}
          pagination={{ current: page, pageSize: 20, total: state.total, onChange: setPage, hideOnSinglePage: true }}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="没有需要回访的来电者" /> }}
          columns={[
            {
              title: '回访时间',
              dataIndex: 'dueAt',
              width: 190,
              render: (v: string, f) => (
                <Space size={4}>
                  {dayjs(v).format('YYYY-MM-DD HH:mm')}
                  {f.overdue && <Tag color="red">已逾期</Tag>}
                </Space>
              ),
            },
            { title: '来电号码', dataIndex: 'callerNumberMasked', width: 130, render: (v) => v ?? '—' },
            {
              title: '原来电风险',
              dataIndex: 'sourceRiskAssessment',
              width: 110,
              render: (v: string | null) => (v ? label(RISK_ASSESSMENT_LABELS, v) : '—'),
            },
            { title: '备注', dataIndex: 'note', render: (v: string) => v || '—' },
            {
              title: '状态',
              dataIndex: 'status',
              width: 90,
              render: (v: string) => <Tag>{label(FOLLOW_UP_STATUS_LABELS, v)}</Tag>,
            },
            {
              title: '操作',
              width: 110,
              render: (_, f) =>
                f.status === 'contact_created' ? (
                  <Popconfirm
                    title="确认已完成回访？"
                    description={
                      <Input.TextArea
                        rows={2}
                        placeholder="回访情况（可选）"
                        value={note}
                        onChange={(e) => setNote(e.target.value)}
                      />
                    }
                    okText="完成"
                    cancelText="取消"
                    onConfirm={() => complete(f)}
                  >
                    <Button size="small">标记完成</Button>
                  </Popconfirm>
                ) : null,
            },
          ]}
        />
      )}
    </Card>
  );
}
