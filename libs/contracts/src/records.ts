import type { TranscriptLink } from './conversations';
import type {
  OutcomeAidItem,
  OutcomeFollowUp,
  OutcomeMaterialAid,
  OutcomeProblem,
  OutcomePsychological,
} from './contacts';
import type {
  AidStatus,
  Channel,
  ContactDirection,
  ContactStatus,
  FollowUpStatus,
  RiskAssessment,
  RiskLevel,
  ServiceType,
  TargetGroup,
} from './enums';

/** One page of a list (`?page=&pageSize=`), with the total of all pages. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** The fields of a record's content, in the order versions list what changed. */
export const RECORD_FIELDS = [
  'serviceTypes',
  'targetGroup',
  'summary',
  'psychological',
  'materialAid',
  'problems',
] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];

/** One version of a record's content (what `outcome_versions.content` holds). */
export interface RecordContent {
  serviceTypes: ServiceType[];
  targetGroup: TargetGroup;
  summary: string;
  psychological: OutcomePsychological | null;
  materialAid: OutcomeMaterialAid | null;
  problems: OutcomeProblem[];
  followUp: OutcomeFollowUp | null;
}

// ------------------------------------------------------------------------------------------ aid and follow-ups

/** One step of a material-aid request (who moved it, when, with what note). */
export interface AidStepView {
  from: AidStatus | null;
  to: AidStatus;
  actorId: string;
  actorName: string | null;
  at: string;
  note: string | null;
}

/** `GET /api/aid-requests`, `GET /api/aid-requests/:id` (with `steps`), and in records. */
export interface AidRequestView {
  id: string;
  contactId: string;
  status: AidStatus;
  items: OutcomeAidItem[];
  deliveringStationId: string;
  deliveringStationName: string;
  /** The 村(居) point of the delivering station that delivers the items; null when none was named. */
  deliveringPointId: string | null;
  deliveringPointName: string | null;
  originStationId: string;
  originStationName: string;
  callerNumberMasked: string | null;
  requestedBy: string;
  requestedByName: string | null;
  requestedAt: string;
  arrangedBy: string | null;
  arrangedAt: string | null;
  deliveredBy: string | null;
  deliveredAt: string | null;
  cancelledBy: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  overdue: boolean;
  overdueSince: string;
  /** Only where one request is shown in full. */
  steps?: AidStepView[];
}

/** `GET /api/follow-ups`, and in records. */
export interface FollowUpView {
  id: string;
  sourceContactId: string;
  workerId: string;
  workerName: string | null;
  stationId: string;
  stationName: string;
  dueAt: string;
  note: string;
  status: FollowUpStatus;
  overdue: boolean;
  /** The contact in which it was made (the outbound call, or the one that completed it). */
  contactId: string | null;
  callerNumberMasked: string | null;
  sourceRiskAssessment: RiskAssessment | null;
  createdAt: string;
  completedAt: string | null;
}

// ------------------------------------------------------------------------------------------ records

/** A record's outcome in its current version, as the records API shows it. */
export interface RecordOutcomeView {
  id: string;
  authorId: string;
  authorName: string | null;
  version: number;
  serviceTypes: ServiceType[];
  targetGroup: TargetGroup;
  summary: string;
  psychological: OutcomePsychological | null;
  materialAid: OutcomeMaterialAid | null;
  problems: OutcomeProblem[];
  followUp: OutcomeFollowUp | null;
  recordedAt: string;
  updatedAt: string | null;
  updatedBy: string | null;
  amendableByAuthorUntil: string;
}

/** The last review of a record. */
export interface RecordReviewSummary {
  version: number | null;
  at: string;
  by: string | null;
  byName: string | null;
}

/** `GET /api/records`: the contact, its current outcome, review state, follow-up and aid at a glance. */
export interface RecordListItem {
  contactId: string;
  status: ContactStatus;
  channel: Channel;
  direction: ContactDirection;
  hotlineNumber: string;
  stationId: string;
  stationName: string;
  callerNumberMasked: string | null;
  riskLevel: RiskLevel;
  riskAssessment: RiskAssessment | null;
  highRisk: boolean;
  assignedWorkerId: string | null;
  workerName: string | null;
  queuedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  completedAt: string | null;
  abandonedAt: string | null;
  outcome: RecordOutcomeView | null;
  reviewed: boolean;
  lastReview: RecordReviewSummary | null;
  followUp: FollowUpView | null;
  aidRequests: AidRequestView[];
}

export interface RecordVersionView {
  version: number;
  authorId: string;
  authorName: string | null;
  at: string;
  reason: string | null;
  changed: RecordField[];
  content: RecordContent;
}

export interface RecordReviewView {
  id: string;
  version: number;
  reviewerId: string;
  reviewerName: string | null;
  /** Null when the supervisor reviewed without a comment. */
  comment: string | null;
  at: string;
}

/** `GET /api/records/:contactId`: the list item plus every version and every review (aid requests with steps). */
export interface RecordView extends RecordListItem {
  versions: RecordVersionView[];
  reviews: RecordReviewView[];
  /** A text contact's transcript (`GET /api/records/:contactId/transcript`); null for a phone contact. */
  transcript?: TranscriptLink | null;
}

/** One earlier contact of the same caller, as an operator sees it while offered or handling a contact. */
export interface HistoryItem {
  contactId: string;
  date: string;
  status: ContactStatus;
  channel: Channel;
  hotlineNumber: string;
  stationName: string;
  riskLevel: RiskLevel;
  riskAssessment: RiskAssessment | null;
  serviceTypes: ServiceType[];
  targetGroup: TargetGroup | null;
  summary: string | null;
  workerName: string | null;
  followUp: FollowUpView | null;
  aidRequests: AidRequestView[];
}

/** `GET /api/contacts/:id/history`: the caller's earlier contacts, open follow-ups and open aid requests. */
export interface CallerHistoryResult {
  contactId: string;
  callerNumberMasked: string | null;
  /** False when the contact has no caller number (nothing to recognise the caller by). */
  recognised: boolean;
  previous: HistoryItem[];
  openFollowUps: FollowUpView[];
  openAidRequests: AidRequestView[];
}

/** `GET /api/contacts/:id/caller-number?reason=`: the full number to call back (each read is audited). */
export interface CallerNumberView {
  contactId: string;
  /** Null when the contact came without a number (e.g. an anonymous chat). */
  callerNumber: string | null;
  callerNumberMasked: string | null;
}

/** `GET /api/audit-log`: one entry of the records' audit log (who did what to which record, when, from where). */
export interface RecordAuditView {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  actorRole: string | null;
  /** record.create, record.amend, record.review, caller_number.read, aid.arrange|deliver|cancel, follow_up.complete */
  action: string;
  subjectType: string;
  subjectId: string | null;
  contactId: string | null;
  stationId: string | null;
  /** What else the entry needs said, e.g. `{ reason }` for a full number read, `{ version }` for a review. */
  detail: Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}
