import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Drawer,
  Empty,
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
import dayjs, { Dayjs } from 'dayjs';
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
import { getRecord, reviewRecord, searchRecords } from '../records';
import { useSession } from '../session';
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

const EMPTY: Filters = {
  range: [dayjs().subtract(29, 'day'), dayjs()],
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
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
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
              value={filters.range}
              onChange={(v) => set({ range: v?.[0] && v[1] ? [v[0], v[1]] : null })}
            />
          </Col>
          <Col>
            <Select
              mode="multiple"
              allowClear
              placeholder="服务类型"
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
              style={{ minWidth: 140 }}
              value={filters.targetGroup}
              onChange={(v) => set({ targetGroup: v })}
              options={opts(TARGET_GROUP_LABELS)}
              maxTagCount={1}
            />
          </Col>
          <Col>
            <Select
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
              allowClear
              value={filters.q}
              onChange={(e) => set({ q: e.target.value })}
              onPressEnter={search}
              style={{ width: 160 }}
            />
          </Col>
          <Col>
            <Select
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
                  setFilters(EMPTY);
                  setApplied(EMPTY);
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
        <Table<RecordListItem>
          rowKey="contactId"
          size="small"
          loading={state.loading}
          dataSource={state.rows}
          onRow={(r) => ({ onClick: () => setOpen(r.contactId), style: { cursor: 'pointer' } })}
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
              title: '来电时间',
              dataIndex: 'queuedAt',
              width: 150,
              render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm'),
            },
            { title: '社工站', dataIndex: 'stationName', width: 170, ellipsis: true },
            { title: '渠道', dataIndex: 'channel', width: 80, render: (v: string) => label(CHANNEL_LABELS, v) },
            { title: '来电号码', dataIndex: 'callerNumberMasked', width: 120, render: (v) => v ?? '—' },
            { title: '接线社工', dataIndex: 'workerName', width: 150, ellipsis: true, render: (v) => v ?? '—' },
            { title: '状态', dataIndex: 'status', width: 100, render: (v: string) => label(CONTACT_STATUS_LABELS, v) },
            {
              title: '服务类型',
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
              width: 120,
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
      </Card>
      <RecordDrawer contactId={open} onClose={() => setOpen(null)} onChanged={load} />
    </div>
  );
}

function RecordDrawer({
  contactId,
  onClose,
  onChanged,
}: {
  contactId: string | null;
  onClose(): void;
  onChanged(): void;
}) {
  const { session } = useSession();
  const { message } = AntApp.useApp();
  const [record, setRecord] = useState<RecordView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  const [saving, setSaving] = useState(false);

  const load = useCallback(() => {
    if (!contactId) return;
    setError(null);
    getRecord(contactId)
      .then(setRecord)
      .catch((e) => setError(describeError(e)));
  }, [contactId]);

  useEffect(() => {
    setRecord(null);
    setComment('');
    load();
  }, [load]);

  const review = async () => {
    if (!record?.outcome) return;
    setSaving(true);
    try {
      await reviewRecord(record.contactId, comment, record.outcome.version);
      message.success('已复核');
      setComment('');
      load();
      onChanged();
    } catch (e) {
      message.error(`复核失败：${describeError(e)}`);
    } finally {
      setSaving(false);
    }
  };

  const o = record?.outcome;
  // four eyes: the server refuses a review of one's own record or of an amendment of one's own since the last review
  const ownWork =
    !!record &&
    (o?.authorId === session.user.id ||
      record.versions.some((v) => v.authorId === session.user.id && v.version > (record.lastReview?.version ?? 0)));
  return (
    <Drawer open={!!contactId} onClose={onClose} size={720} title="服务记录详情" destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} />}
      {record && (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <Descriptions size="small" bordered column={2}>
            <Descriptions.Item label="来电时间">
              {dayjs(record.queuedAt).format('YYYY-MM-DD HH:mm:ss')}
            </Descriptions.Item>
            <Descriptions.Item label="状态">{label(CONTACT_STATUS_LABELS, record.status)}</Descriptions.Item>
            <Descriptions.Item label="社工站">{record.stationName}</Descriptions.Item>
            <Descriptions.Item label="热线">{record.hotlineNumber}</Descriptions.Item>
            <Descriptions.Item label="渠道">{label(CHANNEL_LABELS, record.channel)}</Descriptions.Item>
            <Descriptions.Item label="来电号码">{record.callerNumberMasked ?? '—'}</Descriptions.Item>
            <Descriptions.Item label="接线社工">{record.workerName ?? '—'}</Descriptions.Item>
            <Descriptions.Item label="来电风险">{label(RISK_LEVEL_LABELS, record.riskLevel)}</Descriptions.Item>
          </Descriptions>

          {o ? (
            <Card
              size="small"
              title={`服务记录（第 ${o.version} 版，${o.authorName ?? ''} 记录于 ${dayjs(o.recordedAt).format('MM-DD HH:mm')}）`}
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
                    {dayjs(record.followUp.dueAt).format('YYYY-MM-DD HH:mm')} {record.followUp.note}（
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
                    <Typography.Text type="secondary">送达站点：{a.deliveringStationName ?? '—'}</Typography.Text>
                  </Space>
                  {a.steps && (
                    <Timeline
                      style={{ marginTop: 12 }}
                      items={a.steps.map((s) => ({
                        content: `${dayjs(s.at).format('MM-DD HH:mm')} ${label(AID_STATUS_LABELS, s.to)} · ${s.actorName ?? ''}${s.note ? `：${s.note}` : ''}`,
                      }))}
                    />
                  )}
                </div>
              ))}
            </Card>
          )}

          {record.versions.length > 1 && (
            <Card size="small" title="修改历史">
              <List
                size="small"
                dataSource={record.versions}
                renderItem={(v) => (
                  <List.Item>
                    第 {v.version} 版 · {v.authorName ?? ''} · {dayjs(v.at).format('YYYY-MM-DD HH:mm')}
                    {v.reason ? ` · ${v.reason}` : ''}
                  </List.Item>
                )}
              />
            </Card>
          )}

          <Card size="small" title="督导复核">
            {record.reviews.length === 0 && <Typography.Text type="secondary">尚未复核。</Typography.Text>}
            <List
              size="small"
              dataSource={record.reviews}
              renderItem={(r) => (
                <List.Item>
                  第 {r.version} 版 · {r.reviewerName ?? ''} · {dayjs(r.at).format('YYYY-MM-DD HH:mm')}：{r.comment}
                </List.Item>
              )}
            />
            {session.user.role === 'supervisor' && o && !record.reviewed && ownWork && (
              <Typography.Text type="secondary">本记录含您撰写或修改的内容，需由其他督导复核。</Typography.Text>
            )}
            {session.user.role === 'supervisor' && o && !record.reviewed && !ownWork && (
              <Space.Compact style={{ width: '100%', marginTop: 8 }}>
                <Input placeholder="复核意见" value={comment} onChange={(e) => setComment(e.target.value)} />
                <Button type="primary" disabled={!comment.trim()} loading={saving} onClick={review}>
                  标记已复核
                </Button>
              </Space.Compact>
            )}
          </Card>
        </Space>
      )}
    </Drawer>
  );
}
