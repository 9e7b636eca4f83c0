/**
 * Chinese labels for the API's codes. Codes stay in English on the wire; people read these. The codes come from
 * @kapok/contracts: a map typed `Record<Code, string>` does not compile until every code has its label.
 */
import type {
  AidCategory,
  AidStatus,
  RecordField,
  Channel,
  ContactStatus,
  CoverageGapKind,
  FigureName,
  FollowUpStatus,
  GroupBy,
  MonitorAlertEvent,
  OfferLetGoNext,
  OfferRevokeReason,
  OperatorDutyState,
  OrgLevel,
  Presence,
  Resolution,
  RiskAlertSource,
  RiskAlertState,
  RiskAssessment,
  RiskLevel,
  Role,
  ServiceType,
  TargetGroup,
} from '@kapok/contracts';

export const ROLE_LABELS: Record<Role, string> = {
  operator: '接线社工',
  coordinator: '协调员',
  supervisor: '督导',
  manager: '民政管理者',
  admin: '系统管理员',
};

export const LEVEL_LABELS: Record<OrgLevel, string> = {
  city: '市',
  region: '片区',
  district: '区',
  station: '镇街社工站',
  point: '村(居)服务点',
};

export const SERVICE_TYPE_LABELS: Record<ServiceType, string> = {
  psychological_support: '心理疏导',
  emotional_support: '情绪支持',
  material_aid: '基本生活物资保障',
  policy_consultation: '政策咨询',
  resource_linking: '资源链接',
  emergency_assistance: '紧急援助',
  referral: '转介服务',
};

export const TARGET_GROUP_LABELS: Record<TargetGroup, string> = {
  elderly: '老年人',
  children: '儿童',
  disabled: '残疾人',
  low_income: '低收入家庭',
  mental_health: '有心理健康需要的人士',
  other: '其他',
};

export const RISK_ASSESSMENT_LABELS: Record<RiskAssessment, string> = {
  none: '无风险',
  low: '低风险',
  medium: '中风险',
  high: '高风险',
  imminent: '紧急风险（立即通知督导）',
};

export const RISK_LEVEL_LABELS: Record<RiskLevel, string> = {
  normal: '一般',
  high: '高风险',
  critical: '危急',
};

export const RISK_LEVEL_COLORS: Record<RiskLevel, string> = {
  normal: 'default',
  high: 'orange',
  critical: 'red',
};

export const AID_CATEGORY_LABELS: Record<AidCategory, string> = {
  food: '食品',
  medicine: '药品',
  daily_necessities: '生活用品',
  other: '其他物资',
};

export const RESOLUTION_LABELS: Record<Resolution, string> = {
  resolved: '已解决',
  referred: '已转介',
  unresolved: '未解决',
};

/** Suggested problem categories (the API takes any short text). */
export const PROBLEM_CATEGORY_LABELS: Record<string, string> = {
  basic_living: '基本生活困难',
  emotional: '心理情绪困扰',
  medical: '就医用药',
  housing: '住房',
  employment: '就业与收入',
  family: '家庭关系',
  policy: '政策咨询',
  safety: '人身安全',
  care: '照护需求',
  other: '其他',
};

/** Suggested interventions (the API takes any short text). */
export const INTERVENTION_LABELS: Record<string, string> = {
  active_listening: '积极倾听',
  emotional_soothing: '情绪安抚',
  cognitive_reframing: '认知调整',
  relaxation: '放松训练',
  safety_planning: '制定安全计划',
  crisis_intervention: '危机干预',
  family_contact: '联系家属',
  professional_referral: '转介专业心理机构',
};

export const CHANNEL_LABELS: Record<Channel, string> = {
  phone: '电话',
  chat: '在线咨询',
  wechat: '微信',
};

export const CONTACT_STATUS_LABELS: Record<ContactStatus, string> = {
  queued: '排队中',
  offered: '振铃中',
  active: '通话中',
  wrap_up: '整理记录',
  completed: '已完成',
  abandoned: '来电者已挂断',
};

export const PRESENCE_LABELS: Record<Presence, string> = {
  available: '在岗（可接听）',
  away: '暂离',
  offline: '离线',
};

export const REVOKE_REASON_LABELS: Record<OfferRevokeReason, string> = {
  timeout: '未在时限内接听，已转给其他社工',
  abandoned: '来电者已挂断',
  taken: '已由其他社工接听',
  declined: '已拒接',
  disconnected: '连接中断，来电已转给其他社工',
  away: '您已暂离，来电已转给其他社工',
  undelivered: '来电推送失败，系统将重新分配',
};

/**
 * What happens to a contact the operator let go (declined, or not answered in time), as the server says it
 * (`offer:decline` ack, `offer:revoked` after a timeout): never "transferred" when nobody else is on duty.
 */
export function letGoMessage(how: 'declined' | 'timeout', next: OfferLetGoNext): string {
  const what = how === 'declined' ? '已拒接' : '未在时限内接听';
  const line = next.waiting > 0 ? `，当前共 ${next.waiting} 个来电等待接听` : '';
  if (next.othersOnDuty === 0) return `${what}。当前没有其他社工在岗，稍后会再次转给您${line}。`;
  return `${what}，来电已转给其他在岗社工（另有 ${next.othersOnDuty} 位社工在岗${line}）。`;
}

/** The words for a contact by its channel: a phone call is 来电/通话, a chat or WeChat is a text 会话. */
export function contactWords(channel: Channel) {
  return channel === 'phone'
    ? { contact: '来电', ringing: '来电振铃中', number: '来电号码', talk: '通话', end: '结束通话', current: '当前来电' }
    : {
        contact: '会话',
        ringing: '新会话等待接入',
        number: '联系人号码',
        talk: '会话',
        end: '结束会话',
        current: '当前会话',
      };
}

/** The errors of the `offer:accept` / `offer:decline` acks (free text on the wire: unknown ones show as they are). */
export const OFFER_ERROR_LABELS: Record<string, string> = {
  offer_not_found: '该来电已不存在',
  offer_expired: '接听超时，来电已转给其他社工',
  offer_declined: '该来电已拒接',
  offer_revoked: '该来电已撤回',
  offer_accepted: '该来电已接听',
  offer_not_open: '该来电已不可接听',
  internal_error: '系统异常，请重试',
};

export const GROUP_BY_LABELS: Record<GroupBy, string> = {
  day: '按日',
  week: '按周',
  month: '按月',
  region: '按片区',
  district: '按区',
  station: '按社工站',
  hotline: '按热线',
  serviceType: '按服务类型',
  channel: '按渠道',
  targetGroup: '按服务对象',
  worker: '按社工',
};

/** The figures' names: the same words as the CSV/Excel exports (libs/stats FIGURE_LABELS_ZH) and the bulletin. */
export const FIGURE_LABELS: Record<FigureName, string> = {
  contacts: '呼入量',
  answered: '接听量',
  abandoned: '放弃量',
  served: '服务人次',
  problemsResolved: '解决问题数',
  materialAidContacts: '物资保障人次',
  psychologicalSupportContacts: '心理疏导人次',
  highRiskContacts: '高风险个案',
  avgSpeedOfAnswerSeconds: '平均应答时长',
  avgHandleSeconds: '平均处理时长',
  serviceLevel: '20秒接通率',
  abandonmentRate: '放弃率',
  problemsRaised: '反映问题数',
};

export const ALERT_LABELS: Record<MonitorAlertEvent, string> = {
  'risk:alert': '高危预警',
  'risk:alert-closed': '预警已处理',
  'coverage:gap': '值守空档',
  'agent:auto-away': '社工自动暂离',
  'agent:console-lost': '通话中工作台断线',
  'aid:overdue': '物资逾期未送达',
};

/** What raised a risk alert (a text contact is a 会话, not a 来电: see riskAlertSourceText in alerts.ts). */
export const RISK_ALERT_SOURCE_LABELS: Record<RiskAlertSource, string> = {
  critical_contact: '危急来电',
  imminent_assessment: '风险评估为“紧急风险”',
};

/** Where a risk alert stands (`answered` of a text contact reads 已接入: see riskAlertStateText in alerts.ts). */
export const RISK_ALERT_STATE_LABELS: Record<RiskAlertState, string> = {
  open: '待处理',
  answered: '已接听',
  acknowledged: '已确认处理',
};

/** The label of a code; a code the map does not know (newer server, free text) shows as it is. */
export const label = (map: Readonly<Partial<Record<string, string>>>, code: string | null | undefined): string =>
  code == null ? '—' : (map[code] ?? code);

export const AID_STATUS_LABELS: Record<AidStatus, string> = {
  requested: '已申请',
  arranged: '已安排',
  delivered: '已送达',
  cancelled: '已取消',
};

export const FOLLOW_UP_STATUS_LABELS: Record<FollowUpStatus, string> = {
  scheduled: '待回访',
  contact_created: '回访中',
  done: '已完成',
  cancelled: '已取消',
};

export const COVERAGE_GAP_LABELS: Record<CoverageGapKind, string> = {
  nobody_signed_in: '排班无人在岗',
  nobody_rostered: '无人排班',
};

/** Languages an operator speaks (ISO 639-3 codes on the account; routing matches a contact's `language`). */
export const LANGUAGE_LABELS: Record<string, string> = {
  yue: '粤语',
  cmn: '普通话',
  hak: '客家话',
  nan: '闽南语（潮汕话）',
  eng: '英语',
};

/** Skills on an account (routing matches a contact's topics that name one): service types and target groups. */
export const SKILL_LABELS: Record<string, string> = {
  ...SERVICE_TYPE_LABELS,
  ...Object.fromEntries(Object.entries(TARGET_GROUP_LABELS).filter(([k]) => k !== 'other')),
};

/** The parts of a record, as the version history names what an amendment changed. */
export const RECORD_FIELD_LABELS: Record<RecordField, string> = {
  serviceTypes: '服务类型',
  targetGroup: '服务对象',
  summary: '服务摘要',
  psychological: '心理疏导',
  materialAid: '物资保障',
  problems: '问题与处理',
};

/** An operator's state now, in the board's words (空闲 / 通话 / 整理 / 暂离, and 离线). */
export const OPERATOR_STATE_LABELS: Record<OperatorDutyState, string> = {
  available: '空闲',
  busy: '通话',
  wrap_up: '整理',
  away: '暂离',
  offline: '离线',
};

export const OPERATOR_STATE_COLORS: Record<OperatorDutyState, string> = {
  available: 'green',
  busy: 'blue',
  wrap_up: 'gold',
  away: 'default',
  offline: 'default',
};

/** What the records' audit log (`GET /api/audit-log`) says was done (codes unknown here show as they are). */
export const RECORD_AUDIT_ACTION_LABELS: Record<string, string> = {
  'record.create': '提交服务记录',
  'record.amend': '修改服务记录',
  'record.review': '督导复核',
  'caller_number.read': '查看完整号码',
  'aid.arrange': '安排物资',
  'aid.deliver': '确认物资送达',
  'aid.cancel': '取消物资申请',
  'follow_up.complete': '完成回访',
};
