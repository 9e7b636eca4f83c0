import type {
  AidCategory,
  Channel,
  ContactStatus,
  Resolution,
  RiskAssessment,
  RiskLevel,
  ServiceType,
  TargetGroup,
} from './enums';
import type { FirstMessageView, TransferView } from './conversations';

/** `POST /api/contacts` (a telephony or chat gateway, with its intake key). */
export interface CreateContactBody {
  hotlineNumber: string;
  channel: Channel;
  callerNumber?: string;
  externalId?: string;
  language?: string;
  topics?: string[];
  riskLevel?: RiskLevel;
}

// ------------------------------------------------------------------------------------------ the outcome (服务记录)

export interface OutcomePsychological {
  riskAssessment: RiskAssessment;
  interventions: string[];
}

export interface OutcomeAidItem {
  category: AidCategory;
  description: string;
  quantity: number;
}

export interface OutcomeMaterialAid {
  items: OutcomeAidItem[];
  /** The station that delivers the items; by default the station of the contact's line. */
  deliveringStationId?: string;
  /**
   * The 村(居) point (an org unit of level `point`) of the delivering station that delivers the items; given without
   * a station, the point's station delivers. Absent or null: none. (An amendment that leaves it out keeps the
   * record's point while the delivering station stays the same; null removes it.)
   */
  deliveringPointId?: string | null;
}

export interface OutcomeProblem {
  /** Free text (the console suggests categories). */
  category: string;
  resolution: Resolution;
}

export interface OutcomeFollowUp {
  dueAt: string;
  note: string;
}

/**
 * `POST /api/contacts/:id/outcome`. `psychological` is required with `psychological_support`, `materialAid` with
 * `material_aid`.
 */
export interface OutcomeBody {
  serviceTypes: ServiceType[];
  targetGroup: TargetGroup;
  summary: string;
  psychological?: OutcomePsychological | null;
  materialAid?: OutcomeMaterialAid | null;
  problems: OutcomeProblem[];
  followUp?: OutcomeFollowUp | null;
}

/** A contact's recorded outcome, in its current version. */
export interface OutcomeView {
  id: string;
  /** The record's current version (amendments: PUT /api/records/:contactId, see docs/records.md). */
  version: number;
  contactId: string;
  workerId: string;
  serviceTypes: ServiceType[];
  targetGroup: TargetGroup;
  summary: string;
  psychological: OutcomePsychological | null;
  materialAid: OutcomeMaterialAid | null;
  problems: OutcomeProblem[];
  followUp: OutcomeFollowUp | null;
  createdAt: string;
}

// ------------------------------------------------------------------------------------------ the contact

/** `GET /api/contacts/:id` (and every answer that shows a contact). The caller's number only ever masked. */
export interface ContactView {
  id: string;
  status: ContactStatus;
  hotlineNumber: string;
  hotlineId: string;
  stationId: string;
  channel: Channel;
  externalId: string | null;
  callerNumberMasked: string | null;
  language: string | null;
  topics: string[];
  riskLevel: RiskLevel;
  assignedWorkerId: string | null;
  offerCount: number;
  queuedAt: string;
  offeredAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  completedAt: string | null;
  abandonedAt: string | null;
  outcome: OutcomeView | null;
}

/** The contact as an offer shows it to the operator (`contact:offer`). */
export interface OfferedContactView {
  id: string;
  hotlineNumber: string;
  channel: Channel;
  callerNumberMasked: string | null;
  riskLevel: RiskLevel;
  topics: string[];
  language: string | null;
  queuedAt: string;
  /** A chat's or wechat's first message, when it has one (docs/conversations.md). */
  firstMessage?: FirstMessageView | null;
  /** The last transfer of the contact, with its note, when it was transferred (docs/conversations.md). */
  transfer?: TransferView | null;
}

/** `POST /api/contacts/:id/outcome` → 201. */
export interface RecordOutcomeResult {
  contactId: string;
  status: ContactStatus;
  completedAt: string | null;
  outcome: OutcomeView;
}
