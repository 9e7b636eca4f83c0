/**
 * What can be done to one record besides reading it (issue 14): the supervisor's review (the comment is optional),
 * the amendment of the record (a new version; every version kept and shown), and reading the caller's full number
 * to call back (with a reason; the server writes each read to the audit log). Used by the record drawer of 服务记录
 * and by the review queue (待复核).
 */
import { useMemo, useState } from 'react';
import {
  Alert,
  App as AntApp,
  AutoComplete,
  Button,
  Card,
  Collapse,
  Descriptions,
  Form,
  Input,
  Modal,
  Space,
  Tag,
  Typography,
} from 'antd';
import { EditOutlined, EyeOutlined, PhoneOutlined } from '@ant-design/icons';
import type { OrgUnitView, RecordContent, RecordOutcomeView, RecordVersionView, RecordView } from '@kapok/contracts';
import { ApiError, describeError } from '../api';
import {
  AID_CATEGORY_LABELS,
  INTERVENTION_LABELS,
  label,
  PROBLEM_CATEGORY_LABELS,
  RECORD_FIELD_LABELS,
  RESOLUTION_LABELS,
  RISK_ASSESSMENT_LABELS,
  SERVICE_TYPE_LABELS,
  TARGET_GROUP_LABELS,
} from '../labels';
import { blankDraft, type OutcomeDraft, toOutcomeBody, validateOutcome } from '../outcome';
import { amendRecord, deliveringStations, readCallerNumber, reviewRecord } from '../records';
import { formatBeijing, TIME_ZONE_LABEL } from '../beijing';
import { useSession } from '../session';
import { OutcomeFields } from './OutcomeForm';

// ------------------------------------------------------------------------------------------ review

/**
 * Four eyes, as the server has it: nobody reviews a record they recorded, nor one with a version they wrote since
 * its last review.
 */
export function isOwnWork(record: RecordView, userId: string): boolean {
  return (
    record.outcome?.authorId === userId ||
    record.versions.some((v) => v.authorId === userId && v.version > (record.lastReview?.version ?? 0))
  );
}

/** The supervisor marks the current version reviewed, with a comment if they have one. */
export function ReviewAction({ record, onReviewed }: { record: RecordView; onReviewed(): void }) {
  const { session } = useSession();
  const { message } = AntApp.useApp();
  const [comment, setComment] = useState('');
  const [saving, setSaving] = useState(false);
  const o = record.outcome;
  if (session.user.role !== 'supervisor' || !o || record.reviewed) return null;
  if (isOwnWork(record, session.user.id)) {
    return <Typography.Text type="secondary">本记录含您撰写或修改的内容，需由其他督导复核。</Typography.Text>;
  }
  const review = async () => {
    setSaving(true);
    try {
      await reviewRecord(record.contactId, comment, o.version);
      message.success('已复核');
      setComment('');
      onReviewed();
    } catch (e) {
      message.error(
        e instanceof ApiError && e.status === 409
          ? '该记录已被复核或已修改，请刷新后再看'
          : `复核失败：${describeError(e)}`,
      );
    } finally {
      setSaving(false);
    }
  };
  return (
    <Space orientation="vertical" style={{ width: '100%', marginTop: 8 }} data-testid="review-action">
      <Input.TextArea
        aria-label="复核意见"
        placeholder="复核意见（选填）"
        rows={2}
        maxLength={2000}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        data-testid="review-comment"
      />
      <Button type="primary" loading={saving} onClick={review} data-testid="review-submit">
        标记已复核（第 {o.version} 版）
      </Button>
    </Space>
  );
}

// ------------------------------------------------------------------------------------------ caller number

const NUMBER_REASONS = ['回访来电者', '通话中断，回拨来电者', '联系来电者送达物资', '危机干预，需回拨确认安全'];

/** Reads the caller's full number to call back, with a reason (audited). Not for managers and admins. */
export function RevealNumber({ contactId, masked }: { contactId: string; masked: string | null }) {
  const { session } = useSession();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [number, setNumber] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  if (!masked || !['operator', 'coordinator', 'supervisor'].includes(session.user.role)) return null;

  const close = () => {
    setOpen(false);
    setReason('');
    setNumber(undefined);
    setError(null);
  };
  const read = async () => {
    setLoading(true);
    setError(null);
    try {
      setNumber((await readCallerNumber(contactId, reason.trim())).callerNumber);
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 403 ? '您无权查看该来电的完整号码' : `查看失败：${describeError(e)}`,
      );
    } finally {
      setLoading(false);
    }
  };
  return (
    <>
      <Button size="small" icon={<EyeOutlined />} onClick={() => setOpen(true)} data-testid="reveal-number">
        查看完整号码
      </Button>
      <Modal
        open={open}
        title="查看来电者完整号码"
        onCancel={close}
        destroyOnHidden
        footer={
          number === undefined ? (
            <Space>
              <Button onClick={close}>取消</Button>
              <Button
                type="primary"
                disabled={!reason.trim()}
                loading={loading}
                onClick={read}
                data-testid="reveal-number-confirm"
              >
                查看
              </Button>
            </Space>
          ) : (
            <Button onClick={close}>关闭</Button>
          )
        }
      >
        {number === undefined ? (
          <Form layout="vertical" component="div">
            <Typography.Paragraph type="secondary">
              来电号码 {masked}。完整号码仅用于回拨，每次查看都会连同原因记入操作日志。
            </Typography.Paragraph>
            <Form.Item label="查看原因" required>
              <AutoComplete
                aria-label="查看原因"
                options={NUMBER_REASONS.map((value) => ({ value }))}
                value={reason}
                onChange={setReason}
                maxLength={200}
                placeholder="选择或填写原因"
                data-testid="reveal-number-reason"
              />
            </Form.Item>
            {error && <Alert type="error" showIcon title={error} />}
          </Form>
        ) : number ? (
          <Space orientation="vertical">
            <Typography.Title level={3} copyable data-testid="full-number" style={{ margin: 0 }}>
              {number}
            </Typography.Title>
            <Button icon={<PhoneOutlined />} href={`tel:${number}`}>
              拨打
            </Button>
          </Space>
        ) : (
          <Typography.Text data-testid="full-number">该来电没有来电号码。</Typography.Text>
        )}
      </Modal>
    </>
  );
}

// ------------------------------------------------------------------------------------------ amendment

function draftOf(o: RecordOutcomeView | RecordContent): OutcomeDraft {
  return {
    ...blankDraft(),
    serviceTypes: [...o.serviceTypes],
    targetGroup: o.targetGroup,
    summary: o.summary,
    riskAssessment: o.psychological?.riskAssessment ?? '',
    interventions: [...(o.psychological?.interventions ?? [])],
    aidItems: (o.materialAid?.items ?? []).map((i) => ({ ...i })),
    deliveringStationId: o.materialAid?.deliveringStationId,
    deliveringPointId: o.materialAid?.deliveringPointId ?? undefined,
    problems: o.problems.map((p) => ({ ...p })),
  };
}

/** Whether this person may amend the record now: its author within the window, any supervisor (in scope). */
export function mayAmend(record: RecordView, user: { id: string; role: string }, now = Date.now()): boolean {
  const o = record.outcome;
  if (!o) return false;
  if (user.role === 'supervisor') return true;
  return o.authorId === user.id && now < Date.parse(o.amendableByAuthorUntil);
}

/** 修改记录: the whole record as it should read now, with the reason; the previous version is kept. */
export function AmendRecord({ record, onAmended }: { record: RecordView; onAmended(): void }) {
  const { session } = useSession();
  const { message } = AntApp.useApp();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<OutcomeDraft>(blankDraft());
  const [reason, setReason] = useState('');
  const [showErrors, setShowErrors] = useState(false);
  const [serverErrors, setServerErrors] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [stations, setStations] = useState<OrgUnitView[]>([]);
  const errors = useMemo(() => (showErrors ? validateOutcome(draft) : {}), [draft, showErrors]);
  const o = record.outcome;
  if (!o || !mayAmend(record, session.user)) return null;

  const start = () => {
    setDraft(draftOf(o));
    setReason('');
    setShowErrors(false);
    setServerErrors([]);
    setOpen(true);
    deliveringStations(true)
      .then(setStations)
      .catch(() => setStations([]));
  };
  const err = (path: string) =>
    errors[path]
      ? { validateStatus: 'error' as const, help: <span data-testid={`error-${path}`}>{errors[path]}</span> }
      : {};
  const save = async () => {
    setShowErrors(true);
    if (Object.keys(validateOutcome(draft)).length) {
      message.error('记录尚未填写完整，请检查标红的项目');
      return;
    }
    const { followUp: _followUp, ...body } = toOutcomeBody(draft);
    // the record as it should read now: no 村(居) point chosen removes the record's (left out, the server keeps it)
    if (body.materialAid && !body.materialAid.deliveringPointId) body.materialAid.deliveringPointId = null;
    setSaving(true);
    setServerErrors([]);
    try {
      await amendRecord(record.contactId, {
        ...body,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        expectedVersion: o.version,
      });
      message.success(`记录已修改为第 ${o.version + 1} 版`);
      setOpen(false);
      onAmended();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409)
        setServerErrors(['该记录已被他人修改，或物资申请已安排，请关闭后刷新再改']);
      else if (e instanceof ApiError && e.status === 403)
        setServerErrors(['记录人只能在记录后 24 小时内修改，之后请联系督导']);
      else setServerErrors([describeError(e)]);
    } finally {
      setSaving(false);
    }
  };
  return (
    <>
      <Button size="small" icon={<EditOutlined />} onClick={start} data-testid="amend-record">
        修改记录
      </Button>
      <Modal
        open={open}
        title={`修改服务记录（当前第 ${o.version} 版）`}
        onCancel={() => setOpen(false)}
        onOk={save}
        okText="保存为新版本"
        cancelText="取消"
        confirmLoading={saving}
        okButtonProps={{ 'data-testid': 'amend-save' }}
        width={760}
        destroyOnHidden
      >
        <Form layout="vertical" component="div" data-testid="amend-form">
          <OutcomeFields
            draft={draft}
            update={(p) => setDraft((d) => ({ ...d, ...p }))}
            err={err}
            stations={stations}
            defaultStationId={record.stationId}
          />
          <Form.Item label="修改原因">
            <Input.TextArea
              aria-label="修改原因"
              rows={2}
              maxLength={2000}
              placeholder="如：补充送达地址（将随本版本保存）"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              data-testid="amend-reason"
            />
          </Form.Item>
          {serverErrors.length > 0 && (
            <Alert
              type="error"
              showIcon
              title="未能保存"
              description={serverErrors.join('；')}
              data-testid="amend-errors"
            />
          )}
        </Form>
      </Modal>
    </>
  );
}

// ------------------------------------------------------------------------------------------ versions

function ContentView({ c }: { c: RecordContent }) {
  return (
    <Descriptions size="small" column={1}>
      <Descriptions.Item label="服务类型">
        {c.serviceTypes.map((t) => label(SERVICE_TYPE_LABELS, t)).join('、')}
      </Descriptions.Item>
      <Descriptions.Item label="服务对象">{label(TARGET_GROUP_LABELS, c.targetGroup)}</Descriptions.Item>
      <Descriptions.Item label="服务摘要">
        <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{c.summary}</Typography.Paragraph>
      </Descriptions.Item>
      {c.psychological && (
        <Descriptions.Item label="心理疏导">
          风险评估：{label(RISK_ASSESSMENT_LABELS, c.psychological.riskAssessment)}；干预措施：
          {c.psychological.interventions.map((i) => label(INTERVENTION_LABELS, i)).join('、') || '—'}
        </Descriptions.Item>
      )}
      {c.materialAid && (
        <Descriptions.Item label="物资保障">
          {c.materialAid.items
            .map((i) => `${label(AID_CATEGORY_LABELS, i.category)}：${i.description} × ${i.quantity}`)
            .join('；')}
        </Descriptions.Item>
      )}
      <Descriptions.Item label="问题与处理">
        {c.problems.length
          ? c.problems
              .map((p) => `${label(PROBLEM_CATEGORY_LABELS, p.category)}（${label(RESOLUTION_LABELS, p.resolution)}）`)
              .join('；')
          : '—'}
      </Descriptions.Item>
    </Descriptions>
  );
}

/** Every version of the record, newest first: who, when (北京时间), why, what changed, and how it read. */
export function RecordVersions({ versions }: { versions: RecordVersionView[] }) {
  if (versions.length <= 1) return null;
  const newestFirst = [...versions].sort((a, b) => b.version - a.version);
  return (
    <Card size="small" title="修改历史" data-testid="record-versions">
      <Collapse
        size="small"
        items={newestFirst.map((v) => ({
          key: String(v.version),
          label: (
            <Space size={4} wrap data-testid={`version-${v.version}`}>
              <span>
                第 {v.version} 版 · {v.authorName ?? ''} · {formatBeijing(v.at)}（{TIME_ZONE_LABEL}）
              </span>
              {v.reason && <Typography.Text type="secondary">原因：{v.reason}</Typography.Text>}
              {v.changed.map((f) => (
                <Tag key={f}>{label(RECORD_FIELD_LABELS, f)}</Tag>
              ))}
            </Space>
          ),
          children: <ContentView c={v.content} />,
        }))}
      />
    </Card>
  );
}
