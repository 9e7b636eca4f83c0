/** Examples for the OpenAPI document (GET /api/docs): what the records, aid, follow-up and audit endpoints return. */

/**
 * The example's times, relative to when the document is built (no date in it ever goes stale): a call that came in
 * 26 hours ago at T0, recorded, amended and reviewed that day, with its follow-up and the aid's overdue time still
 * ahead. `t(ms)`: T0 + ms, as the API writes instants. (The document's examples read the wall clock, not the Clock:
 * they decide nothing.)
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Math.floor((Date.now() - 26 * HOUR) / MINUTE) * MINUTE;
const t = (ms: number) => new Date(T0 + ms).toISOString();

const AID_REQUEST = {
  id: '5f0c7a8e-3b1d-4c55-9a0e-2f6d1c1e9b21',
  contactId: '0b6a3c1e-7f7e-4f0a-bb0d-6d3b2f0e8c11',
  status: 'arranged',
  items: [
    { category: 'food', description: '大米 10kg', quantity: 1 },
    { category: 'food', description: '食用油 5L', quantity: 1 },
  ],
  deliveringStationId: '9a7e2c4b-1d3f-4e6a-8b9c-0d1e2f3a4b5c',
  deliveringStationName: '越秀区北京街社工站',
  deliveringPointId: '4c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  deliveringPointName: '北京街西湖社区社工点',
  originStationId: '9a7e2c4b-1d3f-4e6a-8b9c-0d1e2f3a4b5c',
  originStationName: '越秀区北京街社工站',
  callerNumberMasked: '138****5678',
  requestedBy: 'c2d1a0b9-8e7f-4a6b-9c5d-4e3f2a1b0c9d',
  requestedByName: '陈晓明（接线社工）',
  requestedAt: t(15 * MINUTE),
  arrangedBy: 'd3e2b1c0-9f8a-4b7c-8d6e-5f4a3b2c1d0e',
  arrangedAt: t(4 * HOUR + 40 * MINUTE),
  deliveredBy: null,
  deliveredAt: null,
  cancelledBy: null,
  cancelledAt: null,
  cancelReason: null,
  overdue: false,
  overdueSince: t(48 * HOUR + 15 * MINUTE), // requested + AID_OVERDUE_HOURS (48)
};
const AID_STEPS = [
  {
    from: null,
    to: 'requested',
    actorId: AID_REQUEST.requestedBy,
    actorName: '陈晓明（接线社工）',
    at: t(15 * MINUTE),
    note: null,
  },
  {
    from: 'requested',
    to: 'arranged',
    actorId: AID_REQUEST.arrangedBy,
    actorName: '黄志强（越秀区协调员）',
    at: t(4 * HOUR + 40 * MINUTE),
    note: '明天上午由社工送达',
  },
];

const FOLLOW_UP = {
  id: '7d6c5b4a-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
  sourceContactId: AID_REQUEST.contactId,
  workerId: AID_REQUEST.requestedBy,
  workerName: '陈晓明（接线社工）',
  stationId: AID_REQUEST.originStationId,
  stationName: '越秀区北京街社工站',
  dueAt: t(48 * HOUR),
  note: '确认物资送达，了解老人情绪',
  status: 'scheduled',
  overdue: false,
  contactId: null,
  callerNumberMasked: '138****5678',
  sourceRiskAssessment: 'low',
  createdAt: t(15 * MINUTE),
  completedAt: null,
};

const OUTCOME = {
  id: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
  authorId: AID_REQUEST.requestedBy,
  authorName: '陈晓明（接线社工）',
  version: 2,
  serviceTypes: ['material_aid', 'emotional_support'],
  targetGroup: 'elderly',
  summary: '独居老人，米油将尽，情绪低落。已安排街道送米油，约定两天后回访。',
  psychological: null,
  materialAid: {
    items: AID_REQUEST.items,
    deliveringStationId: AID_REQUEST.deliveringStationId,
    deliveringPointId: AID_REQUEST.deliveringPointId,
  },
  problems: [
    { category: 'basic_living', resolution: 'resolved' },
    { category: 'loneliness', resolution: 'referred' },
  ],
  followUp: { dueAt: t(48 * HOUR), note: '确认物资送达，了解老人情绪' },
  recordedAt: t(15 * MINUTE),
  updatedAt: t(62 * MINUTE),
  updatedBy: AID_REQUEST.requestedBy,
  amendableByAuthorUntil: t(24 * HOUR + 15 * MINUTE),
};

export const RECORD_LIST_ITEM_EXAMPLE = {
  contactId: AID_REQUEST.contactId,
  status: 'completed',
  channel: 'phone',
  direction: 'inbound',
  hotlineNumber: '020-8100-0001',
  stationId: AID_REQUEST.originStationId,
  stationName: '越秀区北京街社工站',
  callerNumberMasked: '138****5678',
  riskLevel: 'normal',
  riskAssessment: null,
  highRisk: false,
  assignedWorkerId: AID_REQUEST.requestedBy,
  workerName: '陈晓明（接线社工）',
  queuedAt: t(70_000),
  answeredAt: t(78_000),
  endedAt: t(12 * MINUTE + 40_000),
  completedAt: t(15 * MINUTE),
  abandonedAt: null,
  outcome: OUTCOME,
  reviewed: true,
  lastReview: { version: 2, at: t(7 * HOUR), by: 'f0e1d2c3-b4a5-4968-8776-655443322110', byName: '梁淑仪（督导）' },
  followUp: FOLLOW_UP,
  aidRequests: [AID_REQUEST],
};

export const RECORD_LIST_EXAMPLE = { items: [RECORD_LIST_ITEM_EXAMPLE], total: 1, page: 1, pageSize: 20 };

export const RECORD_EXAMPLE = {
  ...RECORD_LIST_ITEM_EXAMPLE,
  aidRequests: [{ ...AID_REQUEST, steps: AID_STEPS }],
  versions: [
    {
      version: 1,
      authorId: AID_REQUEST.requestedBy,
      authorName: '陈晓明（接线社工）',
      at: t(15 * MINUTE),
      reason: null,
      changed: ['serviceTypes', 'targetGroup', 'summary', 'psychological', 'materialAid', 'problems'],
      content: { ...OUTCOME, summary: '独居老人，米油将尽。已安排街道送米油。' },
    },
    {
      version: 2,
      authorId: AID_REQUEST.requestedBy,
      authorName: '陈晓明（接线社工）',
      at: t(62 * MINUTE),
      reason: '补充情绪支持',
      changed: ['serviceTypes', 'summary', 'problems'],
      content: { serviceTypes: OUTCOME.serviceTypes, targetGroup: 'elderly', summary: OUTCOME.summary },
    },
  ],
  reviews: [
    {
      id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      version: 2,
      reviewerId: 'f0e1d2c3-b4a5-4968-8776-655443322110',
      reviewerName: '梁淑仪（督导）',
      comment: '记录完整，回访安排及时。',
      at: t(7 * HOUR),
    },
  ],
};

export const HISTORY_EXAMPLE = {
  contactId: '3c2b1a09-8f7e-4d6c-b5a4-938271605f4e',
  callerNumberMasked: '138****5678',
  recognised: true,
  previous: [
    {
      contactId: AID_REQUEST.contactId,
      date: t(70_000),
      status: 'completed',
      channel: 'phone',
      hotlineNumber: '020-8100-0001',
      stationName: '越秀区北京街社工站',
      riskLevel: 'normal',
      riskAssessment: null,
      serviceTypes: OUTCOME.serviceTypes,
      targetGroup: 'elderly',
      summary: OUTCOME.summary,
      workerName: '陈晓明（接线社工）',
      followUp: FOLLOW_UP,
      aidRequests: [AID_REQUEST],
    },
  ],
  openFollowUps: [FOLLOW_UP],
  openAidRequests: [AID_REQUEST],
};

export const CALLER_NUMBER_EXAMPLE = {
  contactId: AID_REQUEST.contactId,
  callerNumber: '13812345678',
  callerNumberMasked: '138****5678',
};

export const AID_EXAMPLE = { ...AID_REQUEST, steps: AID_STEPS };
export const AID_LIST_EXAMPLE = { items: [AID_REQUEST], total: 1, page: 1, pageSize: 20 };
export const FOLLOW_UP_EXAMPLE = FOLLOW_UP;
export const FOLLOW_UP_LIST_EXAMPLE = {
  items: [{ ...FOLLOW_UP, dueAt: t(20 * HOUR), overdue: true }],
  total: 1,
  page: 1,
  pageSize: 20,
};
/** The follow-up done: the callback made the next morning. */
export const FOLLOW_UP_DONE_EXAMPLE = { ...FOLLOW_UP, status: 'done', completedAt: t(25 * HOUR + 20 * MINUTE) };

export const AUDIT_LIST_EXAMPLE = {
  items: [
    {
      id: '1042',
      at: t(25 * HOUR), // the number read to call back
      actorId: AID_REQUEST.requestedBy,
      actorName: '陈晓明（接线社工）',
      actorRole: 'operator',
      action: 'caller_number.read',
      subjectType: 'contact',
      subjectId: AID_REQUEST.contactId,
      contactId: AID_REQUEST.contactId,
      stationId: AID_REQUEST.originStationId,
      detail: { reason: 'callback' },
      ip: '10.20.3.14',
      userAgent: 'Mozilla/5.0',
      requestId: 'b7f3c1de-2a4b-4c6d-8e9f-0a1b2c3d4e5f',
    },
  ],
  total: 1,
  page: 1,
  pageSize: 50,
};

export const AMEND_EXAMPLE = {
  serviceTypes: ['material_aid', 'emotional_support'],
  targetGroup: 'elderly',
  summary: OUTCOME.summary,
  materialAid: { items: AID_REQUEST.items },
  problems: OUTCOME.problems,
  reason: '补充情绪支持',
  expectedVersion: 1,
};
