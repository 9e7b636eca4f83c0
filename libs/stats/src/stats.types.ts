/**
 * Statistics: the figures of the contract (`GET /api/stats/service-counts`), their Chinese names, and the labels of
 * the values a row can be grouped by. Definitions: docs/statistics.md. The codes, figures and result shapes are
 * shared with the console (@kapok/contracts); the labels here are the server's own (CSV, Excel, row labels).
 */
import { SHANGHAI_TIME_ZONE } from '@kapok/common';
import { Figures, GroupBy } from '@kapok/contracts';

export { FIGURE_NAMES, FORMATS, GROUP_BYS } from '@kapok/contracts';
export type { Figures, Format, GroupBy, ServiceCountsResult, StatsRow } from '@kapok/contracts';

export const FIGURE_LABELS_ZH: Record<keyof Figures, string> = {
  contacts: '呼入量',
  answered: '接听量',
  abandoned: '放弃量',
  served: '服务人次',
  problemsResolved: '解决问题数',
  materialAidContacts: '物资保障人次',
  psychologicalSupportContacts: '心理疏导人次',
  highRiskContacts: '高风险个案',
  avgSpeedOfAnswerSeconds: '平均应答时长（秒）',
  avgHandleSeconds: '平均处理时长（秒）',
  serviceLevel: '20秒接通率',
  abandonmentRate: '放弃率',
  problemsRaised: '反映问题数',
};

export const GROUP_BY_LABELS_ZH: Record<GroupBy, string> = {
  day: '日期',
  week: '周',
  month: '月份',
  region: '片区',
  district: '区',
  station: '社工站',
  hotline: '热线',
  serviceType: '服务类型',
  channel: '渠道',
  targetGroup: '服务对象',
  worker: '接线社工',
};

/** Rows for values that are absent: no outcome (serviceType, targetGroup), not answered (worker), no such ancestor. */
export const NONE_KEY = 'none';
/** The worker key of contacts nobody answered, as stored in stats_worker. */
export const NO_WORKER_ID = '00000000-0000-0000-0000-000000000000';

export const SERVICE_TYPE_LABELS: Record<string, string> = {
  psychological_support: '心理疏导',
  emotional_support: '情绪支持',
  material_aid: '基本生活物资保障',
  policy_consultation: '政策咨询',
  resource_linking: '资源链接',
  emergency_assistance: '紧急援助',
  referral: '转介',
};
export const TARGET_GROUP_LABELS: Record<string, string> = {
  elderly: '老年人',
  children: '儿童',
  disabled: '残疾人',
  low_income: '低收入家庭',
  mental_health: '有心理健康需要人士',
  other: '其他',
};
export const CHANNEL_LABELS: Record<string, string> = { phone: '电话', chat: '在线咨询', wechat: '微信' };
export const NONE_LABELS: Partial<Record<GroupBy, string>> = {
  serviceType: '未记录服务',
  targetGroup: '未记录对象',
  worker: '未接听',
  region: '未归属片区',
  district: '未归属区',
};

/** The service-level threshold the rollups are built with (migration 1764700000000-stats). */
export const SERVICE_LEVEL_THRESHOLD_SECONDS = 20;
/** The days of every figure (libs/common/src/shanghai-calendar.ts). */
export const TIME_ZONE = SHANGHAI_TIME_ZONE;
/** The longest range one query may cover (two years, leap day included). */
export const MAX_RANGE_DAYS = 731;
