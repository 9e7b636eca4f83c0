/** A station's operators now (GET /api/stations/:id/duty), for the workspace's panel and the board's drill-down. */
import type { DutyOperator, StationDutyView } from '@kapok/contracts';
import { get } from './api';
import { OPERATOR_STATE_LABELS } from './labels';

export const stationDuty = (stationId: string) => get<StationDutyView>(`/stations/${stationId}/duty`);

/** The state in words; a chat or WeChat contact is a conversation, not a call. */
export function operatorState(o: DutyOperator): string {
  if (o.state === 'busy' && o.contact && o.contact.channel !== 'phone') return '会话';
  return OPERATOR_STATE_LABELS[o.state] ?? o.state;
}
