import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Drawer,
  Empty,
  Grid,
  Input,
  List,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { beijingToday, formatBeijing } from '../beijing';
import type {
  RecordFollowUpFilter,
  RecordListItem,
  RecordSort,
  RecordView,
  RiskAssessment,
  ServiceType,
  TargetGroup,
} from '@kapok/contracts';
import { describeError } from '../api';
import {
  AID_CATEGORY_LABELS,
  AID_STATUS_LABELS,
  CHANNEL_LABELS,
  CONTACT_STATUS_LABELS,
  FOLLOW_UP_STATUS_LABELS,
  INTERVENTION_LABELS,
  label,
  PROBLEM_CATEGORY_LABELS,
  RESOLUTION_LABELS,
  RISK_ASSESSMENT_LABELS,
  RISK_LEVEL_COLORS,
  RISK_LEVEL_LABELS,
  SERVICE_TYPE_LABELS,
  TARGET_GROUP_LABELS,
} from '../labels';
import { deliveringPlace, getRecord, searchRecords } from '../records';
import { AmendRecord, RecordVersions, ReviewAction, RevealNumber } from './RecordActions';
import { TranscriptCard } from '../conversation/TranscriptCard';

interface Filters {
  range: [Dayjs, Dayjs] | null;
  serviceType: ServiceType[];
  riskAssessment: RiskAssessment[];
  targetGroup: TargetGroup[];
  reviewed: '' | 'true' | 'false';
  followUp: '' | RecordFollowUpFilter;
  q: string;
  sort: RecordSort;
}

/** The last 30 Beijing days, today (in Beijing) included. */
const lastDays = (): [Dayjs, Dayjs] => [beijingToday().subtract(29, 'day'), beijingToday()];

const EMPTY: Filters = {
  range: lastDays(),
  serviceType: [],
  riskAssessment: [],
  targetGroup: [],
  reviewed: '',
  followUp: '',
  q: '',
  sort: '-queuedAt',
};

const opts = <K extends string>(labels: Record<K, string>) =>
  (Object.entries(labels) as [K, string][]).map(([value, l]) => ({ value, label: l }));

function toQuery(f: Filters, page: number, pageSize: number): string {
  const q = new URLSearchParams({ page: String(page), pageSize: String(pageSize), sort: f.sort });
  if (f.range) {
    q.set('from', f.range[0].format('YYYY-MM-DD'));
    q.set('to', f.range[1].format('YYYY-MM-DD'));
  }
  if (f.serviceType.length) q.set('serviceType', f.serviceType.join(','));
  if (f.riskAssessment.length) q.set('riskAssessment', f.riskAssessment.join(','));
  if (f.targetGroup.length) q.set('targetGroup', f.targetGroup.join(','));
  if (f.reviewed) q.set('reviewed', f.reviewed);
  if (f.followUp) q.set('followUp', f.followUp);
  if (f.q.trim()) q.set('q', f.q.trim());
  return q.toString();
}

/** Records within the signed-in person's part of the organisation (GET /api/records), and one record opened. */
export function RecordsPage() {
  const narrow = !Grid.useBreakpoint().md; // a phone: records as stacked cards
  const [filters, setFilters] = useState<Filters>(() => ({ ...EMPTY, range: lastDays() }));
  const [applied, setApplied] = useState<Filters>(filters);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [state, setState] = useState<{
    loading: boolean;
    available: boolean;
    rows: RecordListItem[];
    total: number;
    error?: string;
  }>({
    loading: true,
    available: true,
    rows: [],
    total: 0,
  });
  const [open, setOpen] = useState<string | null>(null);

  const load = useCallback(() => {
    setState((s) => ({ ...s, loading: true }));
    searchRecords(toQuery(applied, page, pageSize))
      .then((r) =>
        setState(
          r.available
            ? { loading: false, available: true, rows: r.data.items, total: r.data.total }
            : { loading: false, available: false, rows: [], total: 0 },
        ),
      )
      .catch((e) => setState({ loading: false, available: true, rows: [], total: 0, error: describeError(e) }));
  }, [applied, page, pageSize]);

  useEffect(load, [load]);

  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const search = () => {
    setPage(1);
    setApplied(filters);
  };

  if (!state.available) {
    return (
      <Card title="服务记录">
        <Empty description="服务记录查询接口尚未开放" />
      </Card>
    );
  }

  return (
    <div data-testid="records">
      <Card size="small">
        <Row gutter={[12, 12]}>
          <Col>
            <DatePicker.RangePicker
              aria-label="来电日期（北京时间）"
              value={filters.range}
              onChange={(v) => set({ range: v?.[0] && v[1] ? [v[0], v[1]] : null })}
            />
          </Col>
          <Col>
            <Select
              mode="multiple"
              allowClear
              placeholder="服务类型"
              aria-label="服务类型"
              style={{ minWidth: 160 }}
              value={filters.serviceType}
              onChange={(v) => set({ serviceType: v })}
              options={opts(SERVICE_TYPE_LABELS)}
              maxTagCount={1}
            />
          </Col>
          <Col>
            <Select
              mode="multiple"
              allowClear
              placeholder="风险评估"
              aria-label="风险评估"
              style={{ minWidth: 140 }}
              value={filters.riskAssessment}
              onChange={(v) => set({ riskAssessment: v })}
              options={opts(RISK_ASSESSMENT_LABELS)}
              maxTagCount={1}
            />
          </Col>
          <Col>
            <Select
              mode="multiple"
              allowClear
              placeholder="服务对象"
              aria-label="服务对象"
              style={{ minWidth: 140 }}
              value={filters.targetGroup}
              onChange={(v) => set({ targetGroup: v })}
              options={opts(TARGET_GROUP_LABELS)}
              maxTagCount={1}
            />
          </Col>
          <Col>
            <Select
              aria-label="复核"
              style={{ width: 120 }}
              value={filters.reviewed}
              onChange={(v) => set({ reviewed: v })}
              options={[
                { value: '', label: '复核：全部' },
                { value: 'false', label: '未复核' },
                { value: 'true', label: '已复核' },
              ]}
            />
          </Col>
          <Col>
            <Select
              aria-label="回访"
              style={{ width: 130 }}
              value={filters.followUp}
              onChange={(v) => set({ followUp: v })}
              options={[
                { value: '', label: '回访：全部' },
                { value: 'open', label: '待回访' },
                { value: 'overdue', label: '回访逾期' },
                { value: 'done', label: '回访已完成' },
                { value: 'none', label: '无需回访' },
              ]}
            />
          </Col>
          <Col>
            <Input
              placeholder="摘要关键词"
              aria-label="摘要关键词"
              allowClear
              value={filters.q}
              onChange={(e) => set({ q: e.target.value })}
              onPressEnter={search}
              style={{ width: 160 }}
            />
          </Col>
          <Col>
            <Select
              aria-label="排序"
              style={{ width: 150 }}
              value={filters.sort}
              onChange={(v) => set({ sort: v })}
              options={[
                { value: '-queuedAt', label: '最新来电在前' },
                { value: 'queuedAt', label: '最早来电在前' },
                { value: '-completedAt', label: '最近完成在前' },
                { value: 'risk', label: '高风险未复核优先' },
              ]}
            />
          </Col>
          <Col>
            <Space>
              <Button type="primary" icon={<SearchOutlined />} onClick={search} data-testid="records-search">
                查询
              </Button>
              <Button
                onClick={() => {
                  const reset = { ...EMPTY, range: lastDays() };
                  setFilters(reset);
                  setApplied(reset);
                  setPage(1);
                }}
              >
                重置
              </Button>
            </Space>
          </Col>
        </Row>
      </Card>
      {state.error && <Alert type="error" showIcon title={state.error} style={{ marginTop: 16 }} />}
      <Card size="small" style={{ marginTop: 16 }} title={`共 ${state.total} 条记录`}>
        {narrow ? (
          <RecordCards rows={state.rows} loading={state.loading} onOpen={setOpen} />
        ) : (
          <Table<RecordListItem>
            rowKey="contactId"
            size="small"
            loading={state.loading}
            dataSource={state.rows}
            scroll={{ x: 1240 }}
            onRow={(r) => ({
              onClick: () => setOpen(r.contactId),
              // a row opens with the keyboard too (Tab to it, Enter or Space)
              tabIndex: 0,
              onKeyDown: (e: React.KeyboardEvent) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  setOpen(r.contactId);
                }
              },
              style: { cursor: 'pointer' },
            })}
            pagination={{
              current: page,
              pageSize,
              total: state.total,
              showSizeChanger: true,
              onChange: (p, s) => {
                setPage(p);
                setPageSize(s);
              },
            }}
            columns={[
              {
                title: '来电时间（北京时间）',
                dataIndex: 'queuedAt',
                width: 160,
                fixed: 'left',
                render: (v: string) => <span className="kapok-nowrap">{formatBeijing(v)}</span>,
              },
              { title: '社工站', dataIndex: 'stationName', width: 170, ellipsis: true },
              { title: '渠道', dataIndex: 'channel', width: 80, render: (v: string) => label(CHANNEL_LABELS, v) },
              {
                title: '来电号码',
                dataIndex: 'callerNumberMasked',
                width: 120,
                render: (v) => <span className="kapok-nowrap">{v ?? '—'}</span>,
              },
              { title: '接线社工', dataIndex: 'workerName', width: 150, ellipsis: true, render: (v) => v ?? '—' },
              {
                title: '状态',
                dataIndex: 'status',
                width: 100,
                render: (v: string) => label(CONTACT_STATUS_LABELS, v),
              },
              {
                title: '服务类型',
                width: 220,
                render: (_, r) => (
                  <Space size={2} wrap>
                    {(r.outcome?.serviceTypes ?? []).map((t) => (
                      <Tag key={t}>{label(SERVICE_TYPE_LABELS, t)}</Tag>
                    ))}
                  </Space>
                ),
              },
              {
                title: '风险',
                width: 150,
                render: (_, r) => (
                  <Space size={2} wrap>
                    {r.riskLevel !== 'normal' && (
                      <Tag color={RISK_LEVEL_COLORS[r.riskLevel]}>{label(RISK_LEVEL_LABELS, r.riskLevel)}</Tag>
                    )}
                    {r.riskAssessment && r.riskAssessment !== 'none' && (
                      <Tag color={r.highRisk ? 'red' : 'orange'}>{label(RISK_ASSESSMENT_LABELS, r.riskAssessment)}</Tag>
                    )}
                  </Space>
                ),
              },
              {
                title: '复核',
                width: 80,
                render: (_, r) => (r.outcome ? r.reviewed ? <Tag color="green">已复核</Tag> : <Tag>未复核</Tag> : '—'),
              },
              {
                title: '回访',
                width: 100,
                render: (_, r) =>
                  r.followUp ? (
                    <Tag color={r.followUp.overdue ? 'red' : r.followUp.status === 'done' ? 'green' : 'orange'}>
                      {r.followUp.overdue ? '已逾期' : label(FOLLOW_UP_STATUS_LABELS, r.followUp.status)}
                    </Tag>
                  ) : (
                    '—'
                  ),
              },
            ]}
          />
        )}
        {narrow && state.total > state.rows.length && (
          <Space style={{ marginTop: 12 }}>
            <Button disabled={page <= 1} onClick={() => setPage(page - 1)}>
              上一页
            </Button>
            <Typography.Text type="secondary">第 {page} 页</Typography.Text>
            <Button disabled={page * pageSize >= state.total} onClick={() => setPage(page + 1)}>
              下一页
            </Button>
          </Space>
        )}
      </Card>
      <RecordDrawer contactId={open} onClose={() => setOpen(null)} onChanged={load} />
    </div>
  );
}

/** The records as stacked cards (a phone): each opens with a tap, or with Enter / Space. */
function RecordCards({
  rows,
  loading,
  onOpen,
}: {
  rows: RecordListItem[];
  loading: boolean;
  onOpen(id: string): void;
}) {
  return (
    <List<RecordListItem>
      loading={loading}
      dataSource={rows}
      data-testid="record-cards"
      renderItem={(r) => (
        <List.Item key={r.contactId} className="kapok-record-card">
          <div
            tabIndex={0}
            role="button"
            style={{ width: '100%' }}
            onClick={() => onOpen(r.contactId)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                onOpen(r.contactId);
              }
            }}
          >
            <Space orientation="vertical" size={4} style={{ width: '100%' }}>
              <Space wrap size={4}>
                <Typography.Text strong>{formatBeijing(r.queuedAt)}</Typography.Text>
                <Tag>{label(CHANNEL_LABELS, r.channel)}</Tag>
                <Tag>{label(CONTACT_STATUS_LABELS, r.status)}</Tag>
                {r.riskLevel !== 'normal' && (
                  <Tag color={RISK_LEVEL_COLORS[r.riskLevel]}>{label(RISK_LEVEL_LABELS, r.riskLevel)}</Tag>
                )}
                {r.highRisk && r.riskAssessment && (
                  <Tag color="red">{label(RISK_ASSESSMENT_LABELS, r.riskAssessment)}</Tag>
                )}
              </Space>
              <Typography.Text type="secondary">
                {r.stationName} · {r.workerName ?? '—'} · {r.callerNumberMasked ?? '—'}
              </Typography.Text>
              <Space wrap size={4}>
                {(r.outcome?.serviceTypes ?? []).map((t) => (
                  <Tag key={t}>{label(SERVICE_TYPE_LABELS, t)}</Tag>
                ))}
              </Space>
            </Space>
          </div>
        </List.Item>
      )}
    />
  );
}

/** One record in a drawer (also opened from the review queue, 待复核). */
export function RecordDrawer({
  contactId,
  onClose,
  onChanged,
}: {
  contactId: string | null;
  onClose(): void;
  onChanged(): void;
}) {
  const [record, setRecord] = useState<RecordView | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    if (!contactId) return;
    setError(null);
    getRecord(contactId)
      .then(setRecord)
      .catch((e) => setError(describeError(e)));
  }, [contactId]);

  useEffect(() => {
    setRecord(null);
    load();
  }, [load]);

  const o = record?.outcome;
  const changed = () => {
    load();
    onChanged();
  };
  return (
    <Drawer
      open={!!contactId}
      onClose={onClose}
      size={Math.min(720, window.innerWidth)}
      title="服务记录详情"
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} />}
      {record && (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <Descriptions size="small" bordered column={2}>
            <Descriptions.Item label="来电时间">
              {formatBeijing(record.queuedAt, 'YYYY-MM-DD HH:mm:ss')}
            </Descriptions.Item>
            <Descriptions.Item label="状态">{label(CONTACT_STATUS_LABELS, record.status)}</Descriptions.Item>
            <Descriptions.Item label="社工站">{record.stationName}</Descriptions.Item>
            <Descriptions.Item label="热线">{record.hotlineNumber}</Descriptions.Item>
            <Descriptions.Item label="渠道">{label(CHANNEL_LABELS, record.channel)}</Descriptions.Item>
            <Descriptions.Item label="来电号码">
              <Space wrap>
                {record.callerNumberMasked ?? '—'}
                <RevealNumber contactId={record.contactId} masked={record.callerNumberMasked} />
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label="接线社工">{record.workerName ?? '—'}</Descriptions.Item>
            <Descriptions.Item label="来电风险">{label(RISK_LEVEL_LABELS, record.riskLevel)}</Descriptions.Item>
          </Descriptions>

          {o ? (
            <Card
              size="small"
              title={`服务记录（第 ${o.version} 版，${o.authorName ?? ''} 记录于 ${formatBeijing(o.recordedAt, 'MM-DD HH:mm')}）`}
              extra={<AmendRecord record={record} onAmended={changed} />}
            >
              <Descriptions size="small" column={1}>
                <Descriptions.Item label="服务类型">
                  {o.serviceTypes.map((t) => label(SERVICE_TYPE_LABELS, t)).join('、')}
                </Descriptions.Item>
                <Descriptions.Item label="服务对象">{label(TARGET_GROUP_LABELS, o.targetGroup)}</Descriptions.Item>
                <Descriptions.Item label="服务摘要">
                  <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{o.summary}</Typography.Paragraph>
                </Descriptions.Item>
                {o.psychological && (
                  <Descriptions.Item label="心理疏导">
                    风险评估：{label(RISK_ASSESSMENT_LABELS, o.psychological.riskAssessment)}；干预措施：
                    {o.psychological.interventions.map((i) => label(INTERVENTION_LABELS, i)).join('、') || '—'}
                  </Descriptions.Item>
                )}
                {o.materialAid && (
                  <Descriptions.Item label="物资保障">
                    {o.materialAid.items
                      .map((i) => `${label(AID_CATEGORY_LABELS, i.category)}：${i.description} × ${i.quantity}`)
                      .join('；')}
                  </Descriptions.Item>
                )}
                <Descriptions.Item label="问题与处理">
                  {o.problems.length
                    ? o.problems
                        .map(
                          (p) =>
                            `${label(PROBLEM_CATEGORY_LABELS, p.category)}（${label(RESOLUTION_LABELS, p.resolution)}）`,
                        )
                        .join('；')
                    : '—'}
                </Descriptions.Item>
                {record.followUp && (
                  <Descriptions.Item label="回访">
                    {formatBeijing(record.followUp.dueAt, 'YYYY-MM-DD HH:mm')} {record.followUp.note}（
                    {label(FOLLOW_UP_STATUS_LABELS, record.followUp.status)}
                    {record.followUp.overdue ? '，已逾期' : ''}）
                  </Descriptions.Item>
                )}
              </Descriptions>
            </Card>
          ) : (
            <Empty description="该来电没有服务记录" />
          )}

          {record.transcript && <TranscriptCard contactId={record.contactId} link={record.transcript} />}

          {record.aidRequests.length > 0 && (
            <Card size="small" title="物资申请">
              {record.aidRequests.map((a) => (
                <div key={a.id} style={{ marginBottom: 12 }}>
                  <Space>
                    <Tag color={a.status === 'delivered' ? 'green' : a.status === 'cancelled' ? 'default' : 'orange'}>
                      {label(AID_STATUS_LABELS, a.status)}
                    </Tag>
                    {a.overdue && <Tag color="red">逾期</Tag>}
                    <span>{a.items.map((i) => `${i.description} × ${i.quantity}`).join('、')}</span>
                    <Typography.Text type="secondary">送达站点：{deliveringPlace(a) ?? '—'}</Typography.Text>
                  </Space>
                  {a.steps && (
                    <Timeline
                      style={{ marginTop: 12 }}
                      items={a.steps.map((s) => ({
                        content: `${formatBeijing(s.at, 'MM-DD HH:mm')} ${label(AID_STATUS_LABELS, s.to)} · ${s.actorName ?? ''}${s.note ? `：${s.note}` : ''}`,
                      }))}
                    />
                  )}
                </div>
              ))}
            </Card>
          )}

          <RecordVersions versions={record.versions} />

          <Card size="small" title="督导复核">
            {record.reviews.length === 0 && <Typography.Text type="secondary">尚未复核。</Typography.Text>}
            <List
              size="small"
              dataSource={record.reviews}
              renderItem={(r) => (
                <List.Item>
                  第 {r.version} 版 · {r.reviewerName ?? ''} · {formatBeijing(r.at, 'YYYY-MM-DD HH:mm')}
                  {r.comment ? `：${r.comment}` : '（无复核意见）'}
                </List.Item>
              )}
            />
            <ReviewAction record={record} onReviewed={changed} />
          </Card>
        </Space>
      )}
    </Drawer>
  );
}
