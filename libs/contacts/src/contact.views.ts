import { maskPhoneNumber } from '@kapok/common';
import { ContactView, OfferedContactView, OutcomeView } from '@kapok/contracts';
import { ContactRow } from './contact.repository';
import { OutcomeRow } from './outcome.repository';

export type { ContactView, OutcomeView } from '@kapok/contracts';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** The contact as the REST API shows it (never the caller's full number). */
export function toContactView(c: ContactRow, outcome?: OutcomeRow | null): ContactView {
  return {
    id: c.id,
    status: c.status,
    hotlineNumber: c.hotline_number,
    hotlineId: c.hotline_id,
    stationId: c.station_id,
    channel: c.channel,
    externalId: c.external_id,
    callerNumberMasked: c.caller_number_masked,
    language: c.language,
    topics: c.topics,
    riskLevel: c.risk_level,
    assignedWorkerId: c.assigned_worker_id,
    offerCount: c.offer_count,
    queuedAt: new Date(c.queued_at).toISOString(),
    offeredAt: iso(c.offered_at),
    answeredAt: iso(c.answered_at),
    endedAt: iso(c.ended_at),
    completedAt: iso(c.completed_at),
    abandonedAt: iso(c.abandoned_at),
    outcome: outcome ? toOutcomeView(outcome) : null,
  };
}

export function toOfferedContactView(c: ContactRow): OfferedContactView {
  return {
    id: c.id,
    hotlineNumber: c.hotline_number,
    channel: c.channel,
    callerNumberMasked: c.caller_number_masked,
    riskLevel: c.risk_level,
    topics: c.topics,
    language: c.language,
    queuedAt: new Date(c.queued_at).toISOString(),
  };
}

export function toOutcomeView(o: OutcomeRow & { version?: number }): OutcomeView {
  return {
    id: o.id,
    version: o.version ?? 1,
    contactId: o.contact_id,
    workerId: o.worker_id,
    serviceTypes: o.service_types,
    targetGroup: o.target_group,
    summary: o.summary,
    psychological: o.psychological,
    materialAid: o.material_aid,
    problems: o.problems,
    followUp: o.follow_up,
    createdAt: new Date(o.created_at).toISOString(),
  };
}

export { maskPhoneNumber };
