import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Checkbox,
  Input,
  Modal,
  Select,
  Space,
  Spin,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import type { AidRequestView } from '@kapok/contracts';
import { ApiError, describeError } from '../api';
import { formatBeijing, TIME_ZONE_LABEL } from '../beijing';
import { AID_CATEGORY_LABELS, AID_STATUS_LABELS, label } from '../labels';
import { type AidStep, changeAidRequest, deliveringPlace, getAidRequest, listAidRequests } from '../records';
import { useSession } from '../session';
import { RevealNumber } from './RecordActions';

const STATUS_FILTERS = [
  { value: 'open', label: '待处理（已申请、已安排）' },
  { value: 'requested', label: '已申请' },
  { value: 'arranged', label: '已安排' },
  { value: 'delivered', label: '已送达' },
  { value: 'cancelled', label: '已取消' },
  { value: 'all', label: '全部' },
];

const STEP_TEXT: Record<AidStep, { title: string; ok: string; field: string; required: boolean; done: string }> = {
  arrange: { title: '安排送达', ok: '确认已安排', field: '安排说明（选填）', required: false, done: '已安排' },
  deliver: { title: '确认送达', ok: '确认已送达', field: '送达说明（选填）', required: false, done: '已送达' },
  cancel: { title: '取消物资申请', ok: '确认取消申请', field: '取消原因', required: true, done: '已取消' },
};

const STATUS_COLORS: Record<string, string> = {
  requested: 'orange',
  arranged: 'blue',
  delivered: 'green',
  cancelled: 'default',
};

/** The roles that take aid steps (the server checks the station: delivering, or requesting for a cancel). */
const STEP_ROLES = ['operator', 'coordinator', 'supervisor'];

/**
 * 物资申请: material-aid requests delivered or requested by stations in the person's part of the organisation
 * (GET /api/aid-requests), open ones oldest first; the delivering station arranges, delivers or cancels them
 * (POST /api/aid-requests/:id/arrange|deliver|cancel), each step kept with who, when and the note.
 */
export function AidRequestsPage() {
  const { session } = useSession();
  const { message } = AntApp.useApp();
  const [status, setStatus] = useState('open');
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [state, setState] = useState<{ loading: boolean; rows: AidRequestView[]; total: number; error?: string }>({
    loading: true,
    rows: [],
    total: 0,
  });
  const [step, setStep] = useState<{ aid: AidRequestView; step: AidStep } | null>(null);
  const [text, setText] = useState('');
  const [saving, setSaving] = useState(false);
  const [stepError, setStepError] = useState<string | null>(null);
  const [details, setDetails] = useState<Record<string, AidRequestView>>({});

  const load = useCallback(() => {
    setState((s) => ({ ...s, loading: true }));
    const q = new URLSearchParams({ status, page: String(page), pageSize: String(pageSize) });
    if (overdueOnly) q.set('overdue', 'true');
    listAidRequests(q.toString())
      .then((r) => setState({ loading: false, rows: r.items, total: r.total }))
      .catch((e) => setState({ loading: false, rows: [], total: 0, error: describeError(e) }));
    setDetails({});
  }, [status, overdueOnly, page, pageSize]);

  useEffect(load, [load]);

  const loadSteps = (id: string) => {
    getAidRequest(id)
      .then((a) => setDetails((d) => ({ ...d, [id]: a })))
      .catch((e) => message.error(describeError(e)));
  };

  const begin = (aid: AidRequestView, s: AidStep) => {
    setStep({ aid, step: s });
    setText('');
    setStepError(null);
  };

  const confirm = async () => {
    if (!step) return;
    setSaving(true);
    setStepError(null);
    try {
      await changeAidRequest(step.aid.id, step.step, text);
      message.success(`物资申请${STEP_TEXT[step.step].done}`);
      setStep(null);
      load();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) setStepError('该申请的状态已变化，请刷新后再操作');
      else if (e instanceof ApiError && e.status === 403)
        setStepError('只有送达站点的社工、协调员或督导可以办理此申请');
      else setStepError(describeError(e));
    } finally {
      setSaving(false);
    }
  };

  const acts = STEP_ROLES.includes(session.user.role);

  return (
    <div data-testid="aid-requests">
      <Card size="small">
        <Space wrap>
          <Select
            aria-label="申请状态"
            style={{ width: 220 }}
            value={status}
            options={STATUS_FILTERS}
            onChange={(v) => {
              setPage(1);
              setStatus(v);
            }}
            data-testid="aid-status-filter"
          />
          <Checkbox
            checked={overdueOnly}
            onChange={(e) => {
              setPage(1);
              setOverdueOnly(e.target.checked);
            }}
          >
            只看逾期
          </Checkbox>
          <Button icon={<ReloadOutlined />} onClick={load}>
            刷新
          </Button>
        </Space>
      </Card>
      {state.error && <Alert type="error" showIcon title={state.error} style={{ marginTop: 16 }} />}
      <Card size="small" style={{ marginTop: 16 }} title={`共 ${state.total} 条物资申请`}>
        <Table<AidRequestView>
          rowKey="id"
          size="small"
          loading={state.loading}
          dataSource={state.rows}
          scroll={{ x: 'max-content' }}
          onRow={(a) => ({ 'data-testid': `aid-row-${a.id}` }) as React.HTMLAttributes<HTMLElement>}
          expandable={{
            onExpand: (expanded, a) => expanded && !details[a.id] && loadSteps(a.id),
            expandedRowRender: (a) =>
              details[a.id]?.steps ? (
                <Timeline
                  data-testid={`aid-steps-${a.id}`}
                  items={details[a.id].steps!.map((s) => ({
                    content: `${formatBeijing(s.at)} ${label(AID_STATUS_LABELS, s.to)} · ${s.actorName ?? ''}${s.note ? `：${s.note}` : ''}`,
                  }))}
                />
              ) : (
                <Spin size="small" />
              ),
          }}
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
              title: '状态',
              width: 120,
              render: (_, a) => (
                <Space size={2} wrap>
                  <Tag color={STATUS_COLORS[a.status]}>{label(AID_STATUS_LABELS, a.status)}</Tag>
                  {a.overdue && <Tag color="red">逾期</Tag>}
                </Space>
              ),
            },
            {
              title: `申请时间（${TIME_ZONE_LABEL}）`,
              dataIndex: 'requestedAt',
              width: 170,
              render: (v) => formatBeijing(v),
            },
            {
              title: '物资',
              width: 260,
              render: (_, a) =>
                a.items
                  .map((i) => `${label(AID_CATEGORY_LABELS, i.category)}：${i.description} × ${i.quantity}`)
                  .join('；'),
            },
            {
              title: '送达站点',
              width: 180,
              render: (_, a) => <span data-testid="aid-delivering-place">{deliveringPlace(a)}</span>,
            },
            { title: '申请站点', dataIndex: 'originStationName', width: 150 },
            { title: '申请社工', dataIndex: 'requestedByName', width: 100, render: (v) => v ?? '—' },
            {
              title: '来电号码',
              width: 200,
              render: (_, a) => (
                <Space size={4} wrap>
                  {a.callerNumberMasked ?? '—'}
                  {a.status !== 'delivered' && a.status !== 'cancelled' && (
                    <RevealNumber contactId={a.contactId} masked={a.callerNumberMasked} />
                  )}
                </Space>
              ),
            },
            {
              title: '办理',
              width: 220,
              render: (_, a) =>
                acts && (a.status === 'requested' || a.status === 'arranged') ? (
                  <Space size={4} wrap>
                    {a.status === 'requested' && (
                      <Button size="small" type="primary" onClick={() => begin(a, 'arrange')} data-testid="aid-arrange">
                        安排
                      </Button>
                    )}
                    {a.status === 'arranged' && (
                      <Button size="small" type="primary" onClick={() => begin(a, 'deliver')} data-testid="aid-deliver">
                        确认送达
                      </Button>
                    )}
                    <Button size="small" danger onClick={() => begin(a, 'cancel')} data-testid="aid-cancel">
                      取消
                    </Button>
                  </Space>
                ) : a.status === 'cancelled' && a.cancelReason ? (
                  <Typography.Text type="secondary">原因：{a.cancelReason}</Typography.Text>
                ) : null,
            },
          ]}
        />
      </Card>
      <Modal
        open={!!step}
        title={step ? STEP_TEXT[step.step].title : ''}
        onCancel={() => setStep(null)}
        onOk={confirm}
        okText={step ? STEP_TEXT[step.step].ok : ''}
        cancelText="返回"
        confirmLoading={saving}
        okButtonProps={{
          disabled: !!step && STEP_TEXT[step.step].required && !text.trim(),
          danger: step?.step === 'cancel',
          'data-testid': 'aid-step-confirm',
        }}
        destroyOnHidden
      >
        {step && (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Typography.Text>
              {step.aid.items.map((i) => `${i.description} × ${i.quantity}`).join('、')} · 送达站点：
              {deliveringPlace(step.aid)}
            </Typography.Text>
            <Input.TextArea
              aria-label={STEP_TEXT[step.step].field}
              placeholder={STEP_TEXT[step.step].field}
              rows={3}
              maxLength={1000}
              value={text}
              onChange={(e) => setText(e.target.value)}
              data-testid="aid-step-text"
            />
            {stepError && <Alert type="error" showIcon title={stepError} data-testid="aid-step-error" />}
          </Space>
        )}
      </Modal>
    </div>
  );
}
