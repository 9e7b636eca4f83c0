import { MONITOR_ROLES } from './enums';
import type { Channel, ContactStatus, Role, RiskLevel } from './enums';

/*
 * Risk alerts as work items kept on the server (docs/alerts.md): raised by a critical contact at intake or an imminent
 * risk assessment in an outcome (or an amendment of it), shown to everyone responsible for the contact's station
 * (`GET /api/alerts`, live through `/monitor`), acknowledged by one of them (who, when), and kept as history.
 */

/**
 * Who works with risk alerts: everyone the `/monitor` socket alerts sees them (in their part of the tree); the people
 * who act on a caller in danger acknowledge them. Admins run the system, not the service: they see, they do not
 * acknowledge.
 */
export const RISK_ALERT_VIEW_ROLES: readonly Role[] = MONITOR_ROLES;
export const RISK_ALERT_ACKNOWLEDGE_ROLES: readonly Role[] = ['coordinator', 'supervisor', 'manager'];
/** The longest note an acknowledgement keeps. */
export const ACKNOWLEDGE_NOTE_MAX_CHARS = 500;

/** What raised the alert. */
export type RiskAlertSource = 'critical_contact' | 'imminent_assessment';
export const RISK_ALERT_SOURCES = [
  'critical_contact',
  'imminent_assessment',
] as const satisfies readonly RiskAlertSource[];

/**
 * Where an alert stands: `open` until someone acknowledges it, or (a critical contact) until the contact is answered;
 * `answered` a critical contact that an operator answered before anyone acknowledged it; `acknowledged` someone
 * responsible took it in hand. A critical contact that was abandoned stays open until acknowledged (someone must call
 * back).
 */
export type RiskAlertState = 'open' | 'answered' | 'acknowledged';
export const RISK_ALERT_STATES = ['open', 'answered', 'acknowledged'] as const satisfies readonly RiskAlertState[];

export interface RiskAlertView {
  id: string;
  contactId: string;
  channel: Channel;
  stationId: string;
  stationName: string;
  source: RiskAlertSource;
  /** The contact's risk level now. */
  riskLevel: RiskLevel;
  raisedAt: string;
  /** The contact's status now: `queued`/`offered` means the person is still waiting. */
  contactStatus: ContactStatus;
  queuedAt: string;
  answeredAt: string | null;
  /** The operator who answered (or holds) the contact, if any. */
  operator: { id: string; name: string } | null;
  /**
   * How long the person waited: until answered, abandoned or now (at `asOf`) while still waiting. A console adds the
   * time since `asOf` while `contactStatus` is `queued` or `offered`.
   */
  waitedSeconds: number;
  asOf: string;
  state: RiskAlertState;
  acknowledgedAt: string | null;
  acknowledgedBy: { id: string; name: string } | null;
  /** What the person who acknowledged it wrote (optional, ≤ 500 characters). */
  acknowledgeNote: string | null;
}

/** `GET /api/alerts` query: `state=open` (default) the work list, oldest first; `state=closed` history, newest first. */
export interface RiskAlertQuery {
  state?: 'open' | 'closed';
  page?: number;
  pageSize?: number;
}

/** `POST /api/alerts/:id/acknowledge` body. */
export interface AcknowledgeRiskAlertRequest {
  note?: string;
}
