import {
  AidRequestView,
  AidStepView,
  FollowUpView,
  HistoryItem,
  RecordListItem,
  RecordOutcomeView,
  RecordView,
} from '@kapok/contracts';
import { AidRequestRow, AidStepRow } from './aid-request.repository';
import { FollowUpListRow } from './follow-up-list.repository';
import { RecordRow, ReviewRow, VersionRow } from './record.repository';
import { iso } from './sql';

/** Every view here shows the caller's number masked (138****5678), never in full. Their types: @kapok/contracts. */
export type {
  AidRequestView,
  AidStepView,
  CallerHistoryResult,
  FollowUpView,
  HistoryItem,
  RecordListItem,
  RecordOutcomeView,
  RecordView,
} from '@kapok/contracts';

export function toAidRequestView(a: AidRequestRow, steps?: AidStepRow[]): AidRequestView {
  return {
    id: a.id,
    contactId: a.contact_id,
    status: a.status,
    items: a.items,
    deliveringStationId: a.delivering_station_id,
    deliveringStationName: a.delivering_station_name,
    deliveringPointId: a.delivering_point_id ?? null,
    deliveringPointName: a.delivering_point_name ?? null,
    originStationId: a.origin_station_id,
    originStationName: a.origin_station_name,
    callerNumberMasked: a.caller_number_masked,
    requestedBy: a.requested_by,
    requestedByName: a.requested_by_name,
    requestedAt: iso(a.requested_at),
    arrangedBy: a.arranged_by,
    arrangedAt: iso(a.arranged_at),
    deliveredBy: a.delivered_by,
    deliveredAt: iso(a.delivered_at),
    cancelledBy: a.cancelled_by,
    cancelledAt: iso(a.cancelled_at),
    cancelReason: a.cancel_reason,
    overdue: a.overdue,
    overdueSince: iso(a.overdue_since),
    ...(steps ? { steps: steps.filter((s) => s.aid_request_id === a.id).map(toAidStepView) } : {}),
  };
}

export function toAidStepView(s: AidStepRow): AidStepView {
  return {
    from: s.from_status,
    to: s.to_status,
    actorId: s.actor_id,
    actorName: s.actor_name,
    at: iso(s.at),
    note: s.note,
  };
}

export function toFollowUpView(f: FollowUpListRow): FollowUpView {
  return {
    id: f.id,
    sourceContactId: f.source_contact_id,
    workerId: f.worker_id,
    workerName: f.worker_name,
    stationId: f.station_id,
    stationName: f.station_name,
    dueAt: iso(f.due_at),
    note: f.note,
    status: f.status,
    overdue: f.overdue,
    contactId: f.contact_id,
    callerNumberMasked: f.caller_number_masked,
    sourceRiskAssessment: f.source_risk_assessment,
    createdAt: iso(f.created_at),
    completedAt: iso(f.completed_at),
  };
}

function outcomeOf(r: RecordRow): RecordOutcomeView | null {
  if (!r.outcome_id) return null;
  // The row is the contact LEFT JOIN its outcome: with an outcome, the outcome's NOT NULL columns are set.
  return {
    id: r.outcome_id,
    authorId: r.author_id!,
    authorName: r.author_name,
    version: r.version!,
    serviceTypes: r.service_types!,
    targetGroup: r.target_group!,
    summary: r.summary!,
    psychological: r.psychological,
    materialAid: r.material_aid,
    problems: r.problems!,
    followUp: r.follow_up,
    recordedAt: iso(r.recorded_at!),
    updatedAt: iso(r.updated_at),
    updatedBy: r.updated_by,
    amendableByAuthorUntil: iso(r.amendable_until!),
  };
}

/** A record in a list: the contact, its current outcome, review state, follow-up and aid at a glance. */
export function toRecordListItem(r: RecordRow, followUps: FollowUpListRow[], aid: AidRequestRow[]): RecordListItem {
  const followUp = followUps.find((f) => f.source_contact_id === r.contact_id);
  return {
    contactId: r.contact_id,
    status: r.status,
    channel: r.channel,
    direction: r.direction,
    hotlineNumber: r.hotline_number,
    stationId: r.station_id,
    stationName: r.station_name,
    callerNumberMasked: r.caller_number_masked,
    riskLevel: r.risk_level,
    riskAssessment: r.psychological?.riskAssessment ?? null,
    highRisk: r.risk_rank >= 3,
    assignedWorkerId: r.assigned_worker_id,
    workerName: r.worker_name,
    queuedAt: iso(r.queued_at),
    answeredAt: iso(r.answered_at),
    endedAt: iso(r.ended_at),
    completedAt: iso(r.completed_at),
    abandonedAt: iso(r.abandoned_at),
    outcome: outcomeOf(r),
    reviewed: r.outcome_id !== null && r.reviewed_version === r.version,
    lastReview: r.reviewed_at
      ? { version: r.reviewed_version, at: iso(r.reviewed_at), by: r.reviewed_by, byName: r.reviewed_by_name }
      : null,
    followUp: followUp ? toFollowUpView(followUp) : null,
    aidRequests: aid.filter((a) => a.contact_id === r.contact_id).map((a) => toAidRequestView(a)),
  };
}

/** One record in full: the list item plus every version (who, when, what changed) and every review. */
export function toRecordView(
  r: RecordRow,
  d: {
    followUps: FollowUpListRow[];
    aid: AidRequestRow[];
    steps: AidStepRow[];
    versions: VersionRow[];
    reviews: ReviewRow[];
  },
): RecordView {
  const item = toRecordListItem(r, d.followUps, []);
  return {
    ...item,
    aidRequests: d.aid.filter((a) => a.contact_id === r.contact_id).map((a) => toAidRequestView(a, d.steps)),
    versions: d.versions.map((v) => ({
      version: v.version,
      authorId: v.author_id,
      authorName: v.author_name,
      at: iso(v.created_at),
      reason: v.reason,
      changed: v.changed,
      content: v.content,
    })),
    reviews: d.reviews.map((v) => ({
      id: v.id,
      version: v.outcome_version,
      reviewerId: v.reviewer_id,
      reviewerName: v.reviewer_name,
      comment: v.comment,
      at: iso(v.created_at),
    })),
  };
}

/** One earlier contact of the same caller, as an operator sees it while offered or handling a contact. */
export function toHistoryItem(r: RecordRow, followUps: FollowUpListRow[], aid: AidRequestRow[]): HistoryItem {
  const followUp = followUps.find((f) => f.source_contact_id === r.contact_id);
  return {
    contactId: r.contact_id,
    date: iso(r.queued_at),
    status: r.status,
    channel: r.channel,
    hotlineNumber: r.hotline_number,
    stationName: r.station_name,
    riskLevel: r.risk_level,
    riskAssessment: r.psychological?.riskAssessment ?? null,
    serviceTypes: r.service_types ?? [],
    targetGroup: r.target_group,
    summary: r.summary,
    workerName: r.author_name ?? r.worker_name,
    followUp: followUp ? toFollowUpView(followUp) : null,
    aidRequests: aid.filter((a) => a.contact_id === r.contact_id).map((a) => toAidRequestView(a)),
  };
}
