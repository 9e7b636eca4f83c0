import { iso } from '@kapok/common';
import type { RiskAlertView } from '@kapok/contracts';
import type { RiskAlertRow } from './risk-alert.repository';

export function toRiskAlertView(r: RiskAlertRow, asOf: Date): RiskAlertView {
  return {
    id: r.id,
    contactId: r.contact_id,
    channel: r.channel,
    stationId: r.station_id,
    stationName: r.station_name,
    source: r.source,
    riskLevel: r.risk_level,
    raisedAt: iso(r.raised_at),
    contactStatus: r.contact_status,
    queuedAt: iso(r.queued_at),
    answeredAt: iso(r.answered_at),
    operator: r.operator_id ? { id: r.operator_id, name: r.operator_name ?? '' } : null,
    waitedSeconds: Math.round(r.waited),
    asOf: asOf.toISOString(),
    state: r.state,
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by ? { id: r.acknowledged_by, name: r.acknowledged_by_name ?? '' } : null,
    acknowledgeNote: r.acknowledge_note,
  };
}
