import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, DatePicker, Select, Space, Table, Tag, Typography } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import type { Page, RecordAuditView } from '@kapok/contracts';
import { describeError, get } from '../api';
import { beijingToday, formatBeijing, TIME_ZONE_LABEL } from '../beijing';
import { label, RECORD_AUDIT_ACTION_LABELS, ROLE_LABELS } from '../labels';
import { useUnits } from './admin/common';
import { RecordDrawer } from './Records';

interface Filters {
  range: [Dayjs, Dayjs] | null;
  action: string[];
}

const lastWeek = (): Filters => ({ range: [beijingToday().subtract(6, 'day'), beijingToday()], action: [] });

/** What an entry's detail says, in words: the reason of a full number read, the version reviewed, a step's note. */
function detailText(a: RecordAuditView): string {
  const d = a.detail ?? {};
  const parts: string[] = [];
  if (typeof d.reason === 'string') parts.push(`原因：${d.reason}`);
  if (typeof d.version === 'number') parts.push(`第 ${d.version} 版`);
  if (typeof d.note === 'string' && d.note) parts.push(`说明：${d.note}`);
  return parts.join('；') || '—';
}

/**
 * 记录审计日志: the records' audit log (GET /api/audit-log) — every record created, amended or reviewed, every full
 * caller number read (with its reason), aid steps and completed follow-ups: who, when (Beijing time), from where.
 * Supervisors see the entries of the stations in their part of the organisation, admins all. An entry opens its
 * record.
 */
export function RecordAuditLogPage() {
  const { byId } = useUnits('public');
  const [filters, setFilters] = useState<Filters>(lastWeek);
  const [applied, setApplied] = useState<Filters>(filters);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [state, setState] = useState<{ loading: boolean; rows: RecordAuditView[]; total: number; error?: string }>({
    loading: true,
    rows: [],
    total: 0,
  });
  const [open, setOpen] = useState<string | null>(null);

  const load = useCallback(() => {
    setState((s) => ({ ...s, loading: true }));
    const q = new URLSearchParams({ page: String(page), pageSize: String(pageSize) });
    if (applied.range) {
      q.set('from', applied.range[0].format('YYYY-MM-DD'));
      q.set('to', applied.range[1].format('YYYY-MM-DD'));
    }
    if (applied.action.length) q.set('action', applied.action.join(','));
    get<Page<RecordAuditView>>(`/audit-log?${q}`)
      .then((r) => setState({ loading: false, rows: r.items, total: r.total }))
      .catch((e) => setState({ loading: false, rows: [], total: 0, error: describeError(e) }));
  }, [applied, page, pageSize]);

  useEffect(load, [load]);

  return (
    <div data-testid="record-audit">
      <Card size="small">
        <Space wrap>
          <DatePicker.RangePicker
            aria-label={`日期范围（${TIME_ZONE_LABEL}）`}
            value={filters.range}
            onChange={(v) => setFilters((f) => ({ ...f, range: v?.[0] && v[1] ? [v[0], v[1]] : null }))}
          />
          <Select
            mode="multiple"
            allowClear
            aria-label="操作类型"
            placeholder="操作类型"
            style={{ minWidth: 200 }}
            maxTagCount={1}
            value={filters.action}
            onChange={(v) => setFilters((f) => ({ ...f, action: v }))}
            options={Object.entries(RECORD_AUDIT_ACTION_LABELS).map(([value, l]) => ({ value, label: l }))}
            data-testid="record-audit-action"
          />
          <Button
            type="primary"
            icon={<SearchOutlined />}
            onClick={() => {
              setPage(1);
              setApplied(filters);
            }}
            data-testid="record-audit-search"
          >
            查询
          </Button>
        </Space>
      </Card>
      {state.error && <Alert type="error" showIcon title={state.error} style={{ marginTop: 16 }} />}
      <Card size="small" style={{ marginTop: 16 }} title={`共 ${state.total} 条操作记录`}>
        <Table<RecordAuditView>
          rowKey="id"
          size="small"
          loading={state.loading}
          dataSource={state.rows}
          scroll={{ x: 'max-content' }}
          onRow={(a) => ({ 'data-testid': `audit-row-${a.id}` }) as React.HTMLAttributes<HTMLElement>}
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
              title: `时间（${TIME_ZONE_LABEL}）`,
              dataIndex: 'at',
              width: 170,
              render: (v) => formatBeijing(v, 'YYYY-MM-DD HH:mm:ss'),
            },
            {
              title: '操作人',
              width: 160,
              render: (_, a) => (
                <Space size={4}>
                  {a.actorName ?? '—'}
                  {a.actorRole && <Tag bordered={false}>{label(ROLE_LABELS, a.actorRole)}</Tag>}
                </Space>
              ),
            },
            {
              title: '操作',
              dataIndex: 'action',
              width: 130,
              render: (v: string) => (
                <Tag color={v === 'caller_number.read' ? 'orange' : undefined}>
                  {label(RECORD_AUDIT_ACTION_LABELS, v)}
                </Tag>
              ),
            },
            {
              title: '社工站',
              dataIndex: 'stationId',
              width: 150,
              render: (v: string | null) => (v ? (byId.get(v)?.name ?? '—') : '—'),
            },
            { title: '说明', width: 260, render: (_, a) => detailText(a) },
            {
              title: '记录',
              width: 90,
              render: (_, a) =>
                a.contactId ? (
                  <Button size="small" type="link" onClick={() => setOpen(a.contactId)}>
                    查看记录
                  </Button>
                ) : (
                  '—'
                ),
            },
            {
              title: '来源',
              width: 130,
              render: (_, a) => <Typography.Text type="secondary">{a.ip ?? '—'}</Typography.Text>,
            },
          ]}
        />
      </Card>
      <RecordDrawer contactId={open} onClose={() => setOpen(null)} onChanged={load} />
    </div>
  );
}
