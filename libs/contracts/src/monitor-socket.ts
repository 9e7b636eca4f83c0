import type { MonitorConversationClientEvents, MonitorConversationEvents } from './conversations';
import type { RiskLevel } from './enums';
import type { AidRequestView } from './records';
import type { AckError, AckOf, SessionServerToClientEvents } from './socket';
import type { CoverageGap, QueueSnapshot } from './stats';

/** The monitor socket (the live board). Reference: docs/socket-events.md ("Monitor socket reference"). */
export const MONITOR_NAMESPACE = '/monitor';

// ------------------------------------------------------------------------------------------ server → client

/** `risk:alert`: a critical contact arrived, or an outcome assessed the risk imminent. */
export interface RiskAlertEvent {
  /** The alert kept on the server (`GET /api/alerts`, docs/alerts.md). */
  alertId: string;
  contactId: string;
  stationId: string;
  stationName: string;
  riskLevel: RiskLevel;
  source: 'critical_contact' | 'imminent_assessment';
  waitedSeconds: number;
  at: string;
}

/**
 * `risk:alert-closed`: an alert left the open list: acknowledged by someone responsible (who, when), or its critical
 * contact was answered. A console drops it from the work list (and may reload `GET /api/alerts`).
 */
export interface RiskAlertClosedEvent {
  alertId: string;
  contactId: string;
  stationId: string;
  state: 'answered' | 'acknowledged';
  acknowledgedBy: { id: string; name: string } | null;
  at: string;
}

/** `agent:auto-away`: an operator was set away after missing offers in a row. */
export interface AgentAutoAwayEvent {
  userId: string;
  stationId: string;
  missedInRow: number;
  at: string;
}

/**
 * `agent:console-lost`: an operator's console has been lost for longer than the reconnect grace in the middle of an
 * active phone contact. The contact stays theirs (the call goes on); a coordinator may let it go
 * (`POST /api/contacts/:id/reclaim`).
 */
export interface AgentConsoleLostEvent {
  userId: string;
  /** The operator's station. */
  stationId: string;
  contactId: string;
  /** Seconds since the operator's last socket closed. */
  disconnectedSeconds: number;
  at: string;
}

/** `aid:overdue`: a material-aid request is not delivered in time. */
export interface AidOverdueEvent {
  aidRequest: AidRequestView;
  overdueHours: number;
  at: string;
}

/** Alerts: emitted through Redis, from any process, to the rooms of a station and all its ancestors. */
export interface MonitorAlertEvents {
  'risk:alert': (e: RiskAlertEvent) => void;
  'risk:alert-closed': (e: RiskAlertClosedEvent) => void;
  'coverage:gap': (e: CoverageGap) => void;
  'agent:auto-away': (e: AgentAutoAwayEvent) => void;
  'agent:console-lost': (e: AgentConsoleLostEvent) => void;
  'aid:overdue': (e: AidOverdueEvent) => void;
}
export type MonitorAlertEvent = keyof MonitorAlertEvents;
export const MONITOR_ALERT_EVENTS = [
  'risk:alert',
  'risk:alert-closed',
  'coverage:gap',
  'agent:auto-away',
  'agent:console-lost',
  'aid:overdue',
] as const satisfies readonly MonitorAlertEvent[];
/** Refuses to compile while an alert of MonitorAlertEvents is missing from MONITOR_ALERT_EVENTS. */
type Never<T extends never> = T;
type _EveryAlertListed = Never<Exclude<MonitorAlertEvent, (typeof MONITOR_ALERT_EVENTS)[number]>>;

export interface MonitorServerToClientEvents
  extends MonitorAlertEvents, MonitorConversationEvents, SessionServerToClientEvents {
  /** At once on connect, then whenever the numbers change, at most every 2 s (from the gateway holding it). */
  'queue:snapshot': (e: QueueSnapshot) => void;
}

// ------------------------------------------------------------------------------------------ client → server

export type SnapshotGetAck = { ok: true; snapshot: QueueSnapshot } | AckError;

export interface MonitorClientToServerEvents extends MonitorConversationClientEvents {
  /** The current snapshot, on request; not rate-limited. */
  'snapshot:get': (ack: (res: SnapshotGetAck) => void) => void;
}

/** The acknowledgement of a client → server event of `/monitor`. */
export type MonitorAck<E extends keyof MonitorClientToServerEvents> = AckOf<MonitorClientToServerEvents[E]>;
