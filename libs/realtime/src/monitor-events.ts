/**
 * The monitor socket (`/monitor`): coordinators, supervisors, managers and admins. Each socket joins one room per
 * org unit it is responsible for (`monitor:unit:<id>`: its home unit, and for supervisors each covered station).
 * An alert about a station is emitted to the rooms of the station and all its ancestors, so it reaches everyone
 * whose part of the tree contains the station.
 */
export const MONITOR_NAMESPACE = '/monitor';
export const monitorUnitRoom = (unitId: string) => `monitor:unit:${unitId}`;

export interface RiskAlertEvent {
  contactId: string;
  stationId: string;
  stationName: string;
  riskLevel: string;
  /** 'critical_contact' when a critical contact arrives, 'imminent_assessment' from an outcome. */
  source: 'critical_contact' | 'imminent_assessment';
  waitedSeconds: number;
  at: string;
}

export interface MonitorServerEvents {
  'queue:snapshot': (e: unknown) => void;
  'risk:alert': (e: RiskAlertEvent) => void;
  'coverage:gap': (e: unknown) => void;
  'agent:auto-away': (e: unknown) => void;
  'aid:overdue': (e: unknown) => void;
}
