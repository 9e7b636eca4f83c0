import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Divider,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Radio,
  Row,
  Select,
  Space,
  Switch,
  Typography,
} from 'antd';
import { DeleteOutlined, PlusOutlined, SaveOutlined } from '@ant-design/icons';
import { beijingToday, formatBeijing, wallToInstant, wallValue } from '../beijing';
import {
  AID_CATEGORIES,
  type OrgUnitView,
  type RecordOutcomeResult,
  RESOLUTIONS,
  RISK_ASSESSMENTS,
  SERVICE_TYPES,
  TARGET_GROUPS,
} from '@kapok/contracts';
import { ApiError, describeError, post } from '../api';
import { deliveringStations } from '../records';
import { serverReason } from '../server-reasons';
import {
  AID_CATEGORY_LABELS,
  INTERVENTION_LABELS,
  PROBLEM_CATEGORY_LABELS,
  RESOLUTION_LABELS,
  RISK_ASSESSMENT_LABELS,
  SERVICE_TYPE_LABELS,
  TARGET_GROUP_LABELS,
} from '../labels';
import { blankDraft, clearDraft, loadDraft, OutcomeDraft, saveDraft, toOutcomeBody, validateOutcome } from '../outcome';

/** Options in the contract's order, each with its label (a `Record<Code, string>` has one for every code). */
const options = <K extends string>(codes: readonly K[], labels: Record<K, string>) =>
  codes.map((c) => ({ value: c, label: labels[c] ?? c }));

/**
 * The outcome form (服务记录). Every change is written to localStorage under the contact's id at once, so a reload,
 * a crash or a dropped connection loses nothing; the draft is removed when the server has the record, and with
 * every other draft at sign-out (session.tsx: how long drafts stay on a shared workstation).
 */
export function OutcomeForm({
  contactId,
  userId,
  onSubmitted,
  inProgress,
  defaultStationId,
}: {
  contactId: string;
  userId: string;
  onSubmitted(): void;
  /** The conversation is still going on (phone call or text conversation): submitting asks first. */
  inProgress?: 'phone' | 'text' | null;
  /** The station of the contact's line: it delivers the aid unless another is chosen (its 村(居) points offered). */
  defaultStationId?: string;
}) {
  const { message, modal } = AntApp.useApp();
  const initial = useMemo(() => loadDraft(localStorage, userId, contactId), [userId, contactId]);
  const [draft, setDraft] = useState<OutcomeDraft>(initial?.draft ?? blankDraft());
  const [savedAt, setSavedAt] = useState<string | null>(initial?.savedAt ?? null);
  const [dirty, setDirty] = useState(false);
  const [showErrors, setShowErrors] = useState(false);
  const [serverErrors, setServerErrors] = useState<string[]>([]);
  const [submitting, setSubmitting] = useState(false);
  const [stations, setStations] = useState<OrgUnitView[]>([]);

  useEffect(() => {
    // the choice of a delivering station and 村(居) point; without it the line's station delivers (nothing is lost)
    deliveringStations(true)
      .then(setStations)
      .catch(() => setStations([]));
  }, []);

  useEffect(() => {
    if (dirty) setSavedAt(saveDraft(localStorage, userId, contactId, draft));
  }, [draft, dirty, userId, contactId]);

  const update = (patch: Partial<OutcomeDraft>) => {
    setDirty(true);
    setDraft((d) => ({ ...d, ...patch }));
  };

  const errors = useMemo(() => (showErrors ? validateOutcome(draft) : {}), [draft, showErrors]);
  const err = (path: string) =>
    errors[path]
      ? { validateStatus: 'error' as const, help: <span data-testid={`error-${path}`}>{errors[path]}</span> }
      : {};

  const psychological = draft.serviceTypes.includes('psychological_support');

  const send = async () => {
    setSubmitting(true);
    setServerErrors([]);
    try {
      await post<RecordOutcomeResult>(`/contacts/${contactId}/outcome`, toOutcomeBody(draft));
      clearDraft(localStorage, userId, contactId);
      message.success('服务记录已提交，本次来电已完成');
      onSubmitted();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && e.messages.some((m) => m.includes('already recorded'))) {
        clearDraft(localStorage, userId, contactId);
        message.info('该来电的服务记录已提交过');
        onSubmitted();
      } else if (e instanceof ApiError && e.status === 400) {
        setServerErrors(e.messages);
      } else {
        message.error(`提交失败：${describeError(e)}。草稿已保存在本机，可稍后重试。`);
      }
    } finally {
      setSubmitting(false);
    }
  };

  const submit = () => {
    setShowErrors(true);
    const problems = validateOutcome(draft);
    if (Object.keys(problems).length) {
      message.error('服务记录尚未填写完整，请检查标红的项目');
      return;
    }
    const afterRisk = () => {
      if (psychological && draft.riskAssessment === 'imminent') {
        modal.confirm({
          title: '确认紧急风险',
          content: '风险评估为“紧急风险”，提交后将立即通知督导。确认提交？',
          okText: '确认提交',
          cancelText: '返回修改',
          onOk: send,
        });
      } else void send();
    };
    if (inProgress) {
      const what = inProgress === 'phone' ? '通话' : '会话';
      modal.confirm({
        title: '结束并提交？',
        content: `${what}仍在进行中。提交服务记录将结束本次${what}并完成记录。`,
        okText: '结束并提交',
        cancelText: `继续${what}`,
        okButtonProps: { 'data-testid': 'confirm-end-submit' } as React.ComponentProps<typeof Button>,
        onOk: afterRisk,
      });
    } else afterRisk();
  };

  return (
    <Card
      title="服务记录"
      data-testid="outcome-form"
      extra={
        <Typography.Text type="secondary" data-testid="draft-saved">
          <SaveOutlined />{' '}
          {savedAt ? `草稿已自动保存 ${formatBeijing(savedAt, 'HH:mm:ss')}` : '填写内容将自动保存在本机'}
        </Typography.Text>
      }
    >
      <Form layout="vertical" component="div">
        <OutcomeFields
          draft={draft}
          update={update}
          err={err}
          stations={stations}
          defaultStationId={defaultStationId}
        />

        <Divider titlePlacement="start" plain>
          回访
        </Divider>
        <Form.Item label="需要回访">
          <Switch
            data-testid="follow-up-switch"
            aria-label="需要回访"
            checked={draft.followUpEnabled}
            onChange={(v) => update({ followUpEnabled: v })}
          />
        </Form.Item>
        {draft.followUpEnabled && (
          <Row gutter={16}>
            <Col span={10}>
              <Form.Item label="回访时间（北京时间）" required {...err('followUpDueAt')}>
                <DatePicker
                  data-testid="follow-up-due"
                  showTime={{ format: 'HH:mm' }}
                  format="YYYY-MM-DD HH:mm"
                  style={{ width: '100%' }}
                  aria-label="回访时间（北京时间）"
                  disabledDate={(d) => d.isBefore(beijingToday())}
                  value={draft.followUpDueAt ? wallValue(draft.followUpDueAt) : null}
                  onChange={(v) => update({ followUpDueAt: v ? wallToInstant(v) : '' })}
                />
              </Form.Item>
            </Col>
            <Col span={14}>
              <Form.Item label="回访备注" {...err('followUpNote')}>
                <Input.TextArea
                  data-testid="follow-up-note"
                  aria-label="回访备注"
                  rows={2}
                  value={draft.followUpNote}
                  onChange={(e) => update({ followUpNote: e.target.value })}
                />
              </Form.Item>
            </Col>
          </Row>
        )}

        {serverErrors.length > 0 && (
          <Alert
            type="error"
            showIcon
            title="服务器未接受该记录"
            description={serverErrors.map(serverReason).join('；')}
            style={{ marginBottom: 16 }}
            data-testid="server-errors"
          />
        )}
        <Space>
          <Button type="primary" size="large" loading={submitting} onClick={submit} data-testid="submit-outcome">
            提交服务记录
          </Button>
          <Popconfirm
            title="清空本条记录的草稿？"
            okText="清空"
            cancelText="取消"
            onConfirm={() => {
              clearDraft(localStorage, userId, contactId);
              setDirty(false);
              setDraft(blankDraft());
              setSavedAt(null);
              setShowErrors(false);
            }}
          >
            <Button size="large">清空草稿</Button>
          </Popconfirm>
        </Space>
      </Form>
    </Card>
  );
}

/** The stations grouped by their district, for a select. */
function stationOptions(units: OrgUnitView[]) {
  const districts = units.filter((u) => u.level === 'district');
  const stationsOf = (id: string | null) =>
    units.filter((u) => u.level === 'station' && u.parentId === id).map((u) => ({ value: u.id, label: u.name }));
  const grouped = districts
    .map((d) => ({ label: d.name, title: d.name, options: stationsOf(d.id) }))
    .filter((g) => g.options.length);
  const known = new Set(districts.map((d) => d.id));
  const loose = units
    .filter((u) => u.level === 'station' && !known.has(u.parentId ?? ''))
    .map((u) => ({ value: u.id, label: u.name }));
  return [...grouped, ...loose];
}

/** The error props of a form item for a field path (help text with a test id), empty when the field is fine. */
export type FieldError = (path: string) => { validateStatus?: 'error'; help?: React.ReactNode };

/**
 * The fields of a record's content (服务类型 … 问题与处理结果), shared by the outcome form and the amendment of a
 * record (RecordActions.tsx); the follow-up stays with the outcome form (an amendment does not change it).
 */
export function OutcomeFields({
  draft,
  update,
  err,
  stations,
  defaultStationId,
}: {
  draft: OutcomeDraft;
  update(patch: Partial<OutcomeDraft>): void;
  err: FieldError;
  /**
   * The stations that may deliver aid, with their districts and 村(居) points (GET /api/delivering-stations?points=true);
   * none: no choice shown.
   */
  stations?: OrgUnitView[];
  /** The station that delivers when none is chosen (the line's): its points are offered then. */
  defaultStationId?: string;
}) {
  const psychological = draft.serviceTypes.includes('psychological_support');
  const materialAid = draft.serviceTypes.includes('material_aid');
  const deliveringStation = draft.deliveringStationId || defaultStationId;
  const points = (stations ?? []).filter((u) => u.level === 'point' && u.parentId === deliveringStation);
  return (
    <>
      <Form.Item label="服务类型" required {...err('serviceTypes')}>
        <Checkbox.Group
          data-testid="service-types"
          options={options(SERVICE_TYPES, SERVICE_TYPE_LABELS)}
          value={draft.serviceTypes}
          onChange={(v) => update({ serviceTypes: SERVICE_TYPES.filter((t) => (v as string[]).includes(t)) })}
        />
      </Form.Item>

      <Form.Item label="服务对象" required {...err('targetGroup')}>
        <Radio.Group
          data-testid="target-group"
          options={options(TARGET_GROUPS, TARGET_GROUP_LABELS)}
          value={draft.targetGroup || undefined}
          onChange={(e) => update({ targetGroup: e.target.value })}
        />
      </Form.Item>

      <Form.Item label="服务摘要" required {...err('summary')}>
        <Input.TextArea
          data-testid="summary"
          aria-label="服务摘要"
          rows={4}
          showCount
          maxLength={10000}
          placeholder="来电者的情况、诉求，以及本次提供的服务"
          value={draft.summary}
          onChange={(e) => update({ summary: e.target.value })}
        />
      </Form.Item>

      {psychological && (
        <div className="kapok-subform" data-testid="psychological-block">
          <Divider titlePlacement="start" plain>
            心理疏导
          </Divider>
          <Form.Item label="风险评估" required {...err('riskAssessment')}>
            <Radio.Group
              data-testid="risk-assessment"
              optionType="button"
              options={options(RISK_ASSESSMENTS, RISK_ASSESSMENT_LABELS)}
              value={draft.riskAssessment || undefined}
              onChange={(e) => update({ riskAssessment: e.target.value })}
            />
          </Form.Item>
          {draft.riskAssessment === 'imminent' && (
            <Alert
              type="error"
              showIcon
              title="紧急风险：提交后系统将立即通知督导，请同时按危机干预流程处置。"
              style={{ marginBottom: 16 }}
            />
          )}
          <Form.Item label="干预措施" {...err('interventions')}>
            <Checkbox.Group
              data-testid="interventions"
              options={Object.entries(INTERVENTION_LABELS).map(([value, l]) => ({ value, label: l }))}
              value={draft.interventions}
              onChange={(v) => update({ interventions: v as string[] })}
            />
          </Form.Item>
        </div>
      )}

      {materialAid && (
        <div className="kapok-subform" data-testid="material-aid-block">
          <Divider titlePlacement="start" plain>
            物资保障
          </Divider>
          {(stations?.filter((u) => u.level === 'station').length ?? 0) > 1 && (
            <Form.Item label="送达站点">
              <Select
                aria-label="送达站点"
                data-testid="delivering-station"
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                placeholder="默认：来电热线所属社工站"
                style={{ maxWidth: 360 }}
                value={draft.deliveringStationId || undefined}
                onChange={(v) =>
                  // another station: the point chosen for the previous one no longer applies
                  update({
                    deliveringStationId: v ?? undefined,
                    ...(v !== draft.deliveringStationId ? { deliveringPointId: undefined } : {}),
                  })
                }
                options={stationOptions(stations ?? [])}
              />
            </Form.Item>
          )}
          {(points.length > 0 || draft.deliveringPointId) && (
            <Form.Item label="配送村(居)">
              <Select
                aria-label="配送村(居)"
                data-testid="delivering-point"
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                placeholder="不指定：由社工站配送"
                style={{ maxWidth: 360 }}
                value={draft.deliveringPointId || undefined}
                onChange={(v) => update({ deliveringPointId: v ?? undefined })}
                options={[
                  ...points.map((p) => ({ value: p.id, label: p.name })),
                  // a point no longer offered (closed since) stays visible while it is chosen
                  ...(draft.deliveringPointId && !points.some((p) => p.id === draft.deliveringPointId)
                    ? [{ value: draft.deliveringPointId, label: stations?.length ? '已关闭的村(居)' : '…' }]
                    : []),
                ]}
              />
            </Form.Item>
          )}
          <Form.Item label="物资清单" required {...err('aidItems')}>
            <Space orientation="vertical" style={{ width: '100%' }}>
              {draft.aidItems.map((item, i) => (
                <Row gutter={8} key={i} data-testid={`aid-item-${i}`}>
                  <Col span={6}>
                    <Form.Item {...err(`aidItems.${i}.category`)} style={{ marginBottom: 0 }}>
                      <Select
                        data-testid={`aid-item-${i}-category`}
                        aria-label={`第 ${i + 1} 项物资类别`}
                        placeholder="类别"
                        options={options(AID_CATEGORIES, AID_CATEGORY_LABELS)}
                        value={item.category || undefined}
                        onChange={(v) =>
                          update({ aidItems: draft.aidItems.map((x, j) => (j === i ? { ...x, category: v } : x)) })
                        }
                      />
                    </Form.Item>
                  </Col>
                  <Col span={11}>
                    <Form.Item {...err(`aidItems.${i}.description`)} style={{ marginBottom: 0 }}>
                      <Input
                        data-testid={`aid-item-${i}-description`}
                        aria-label={`第 ${i + 1} 项物资名称`}
                        placeholder="物资说明，如：大米 10kg"
                        value={item.description}
                        onChange={(e) =>
                          update({
                            aidItems: draft.aidItems.map((x, j) =>
                              j === i ? { ...x, description: e.target.value } : x,
                            ),
                          })
                        }
                      />
                    </Form.Item>
                  </Col>
                  <Col span={5}>
                    <Form.Item {...err(`aidItems.${i}.quantity`)} style={{ marginBottom: 0 }}>
                      <InputNumber
                        data-testid={`aid-item-${i}-quantity`}
                        aria-label={`第 ${i + 1} 项物资数量`}
                        placeholder="数量"
                        min={0}
                        style={{ width: '100%' }}
                        value={item.quantity}
                        onChange={(v) =>
                          update({
                            aidItems: draft.aidItems.map((x, j) => (j === i ? { ...x, quantity: v ?? null } : x)),
                          })
                        }
                      />
                    </Form.Item>
                  </Col>
                  <Col span={2}>
                    <Button
                      icon={<DeleteOutlined />}
                      aria-label="删除该物资"
                      onClick={() => update({ aidItems: draft.aidItems.filter((_, j) => j !== i) })}
                    />
                  </Col>
                </Row>
              ))}
              <Button
                icon={<PlusOutlined />}
                data-testid="add-aid-item"
                onClick={() =>
                  update({ aidItems: [...draft.aidItems, { category: '', description: '', quantity: 1 }] })
                }
              >
                添加物资
              </Button>
            </Space>
          </Form.Item>
        </div>
      )}

      <Divider titlePlacement="start" plain>
        问题与处理结果
      </Divider>
      <Form.Item {...err('problems')}>
        <Space orientation="vertical" style={{ width: '100%' }}>
          {draft.problems.map((p, i) => (
            <Row gutter={8} key={i} data-testid={`problem-${i}`} align="middle">
              <Col span={9}>
                <Form.Item {...err(`problems.${i}.category`)} style={{ marginBottom: 0 }}>
                  <Select
                    data-testid={`problem-${i}-category`}
                    aria-label={`第 ${i + 1} 个问题类别`}
                    placeholder="问题类别"
                    options={Object.entries(PROBLEM_CATEGORY_LABELS).map(([value, l]) => ({ value, label: l }))}
                    value={p.category || undefined}
                    onChange={(v) =>
                      update({ problems: draft.problems.map((x, j) => (j === i ? { ...x, category: v } : x)) })
                    }
                  />
                </Form.Item>
              </Col>
              <Col span={13}>
                <Form.Item {...err(`problems.${i}.resolution`)} style={{ marginBottom: 0 }}>
                  <Radio.Group
                    data-testid={`problem-${i}-resolution`}
                    optionType="button"
                    options={options(RESOLUTIONS, RESOLUTION_LABELS)}
                    value={p.resolution || undefined}
                    onChange={(e) =>
                      update({
                        problems: draft.problems.map((x, j) => (j === i ? { ...x, resolution: e.target.value } : x)),
                      })
                    }
                  />
                </Form.Item>
              </Col>
              <Col span={2}>
                <Button
                  icon={<DeleteOutlined />}
                  aria-label="删除该问题"
                  onClick={() => update({ problems: draft.problems.filter((_, j) => j !== i) })}
                />
              </Col>
            </Row>
          ))}
          <Button
            icon={<PlusOutlined />}
            data-testid="add-problem"
            onClick={() => update({ problems: [...draft.problems, { category: '', resolution: '' }] })}
          >
            添加问题
          </Button>
        </Space>
      </Form.Item>
    </>
  );
}
