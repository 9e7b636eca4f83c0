/**
 * The monitor socket (`/monitor`): coordinators, supervisors, managers and admins. Each socket joins one room per
 * org unit it is responsible for (`monitor:unit:<id>`: its home unit, and for supervisors each covered station).
 * An alert about a station is emitted to the rooms of the station and all its ancestors, so it reaches everyone
 * whose part of the tree contains the station. Events and payloads are typed in @kapok/contracts
 * (monitor-socket.ts), shared with the console.
 */
export { MONITOR_NAMESPACE } from '@kapok/contracts';
export type { MonitorAlertEvents, MonitorServerToClientEvents, RiskAlertEvent } from '@kapok/contracts';

export const monitorUnitRoom = (unitId: string) => `monitor:unit:${unitId}`;

/** The supervisors watching one contact's conversation (`conversation:watch`), on whichever gateway. */
export const watchRoom = (contactId: string) => `watch:${contactId}`;
